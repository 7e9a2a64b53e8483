//! Build script: for Windows targets only, embeds the app's icon and a
//! version resource (version, product name, publisher, copyright) into
//! `tickets.exe`, so that Explorer, the taskbar, the Start menu and the
//! file's Properties show them.
//!
//! A build script runs on the machine that builds, not on the target: the
//! target is read from `CARGO_CFG_TARGET_OS`, never from `cfg!(windows)`.
//! For every other target it does nothing.
//!
//! On Windows it needs the resource compiler: `rc.exe` from the Windows SDK
//! for the MSVC toolchain (found by `winresource` through the registry), or
//! MinGW's `windres` on the `PATH` for the GNU one.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=assets/icon/tickets.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    // FileVersion, ProductVersion and the numeric version come from
    // CARGO_PKG_VERSION (Cargo.toml); the names are set here.
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("assets/icon/tickets.ico")
        .set("ProductName", "Tickets")
        .set("FileDescription", "Tickets")
        .set("CompanyName", "Tickets contributors")
        .set(
            "LegalCopyright",
            "Copyright © 2026 Tickets contributors. MIT License.",
        )
        .set("OriginalFilename", "tickets.exe")
        .set("InternalName", "tickets");
    if let Err(error) = resource.compile() {
        panic!("could not embed the icon and version resource in tickets.exe: {error}");
    }
}
