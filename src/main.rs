//! The `tickets` command: the app's entry point and its command-line tools.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tickets::cli::Cli::parse();
    match tickets::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tickets: {message}");
            ExitCode::FAILURE
        }
    }
}
