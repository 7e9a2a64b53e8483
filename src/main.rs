//! The `tickets` command: the app's entry point and its command-line tools.

// A release build on Windows is a GUI program: started from the Start menu or
// Explorer it opens no console window. Run from a terminal with arguments it
// attaches to that terminal's console, so the command line still prints
// (`attach_to_terminal`). Debug builds keep their console, for `cargo run`.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if std::env::args_os().len() > 1 {
        attach_to_terminal();
    }
    let cli = tickets::cli::Cli::parse();
    match tickets::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tickets: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the command line's output to the terminal this program was run
/// from: a Windows GUI program has no console of its own, so it attaches to
/// its parent's. Where there is none (started from Explorer or a shortcut)
/// or it has one already (a debug build), this does nothing; output
/// redirected to a file or a pipe was inherited and stays where it goes.
/// (cmd and PowerShell do not wait for a GUI program: a script that needs
/// the exit code runs it with `start /wait`.)
#[cfg(windows)]
fn attach_to_terminal() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id and touches none of this
    // program's memory; its failure (no parent console) is harmless.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// Elsewhere a program run from a terminal writes to it already.
#[cfg(not(windows))]
fn attach_to_terminal() {}
