//! The window, driven headless through its accessibility tree (egui_kittest):
//! one test binary for every window test, so the window is linked once.
//!
//! - `basics`, `workflows`: the list, the panel, the forms, as an agent uses them;
//! - `first_minute`: what a new agent met in the real window in their first minutes;
//! - `keyboard`: shortcuts, the palette and typing;
//! - `layout`: the window at the sizes agents' screens have;
//! - `analytics`, `backup`, `canned`, `erase`, `imports`, `imports_dialog`, `merge`, `two_windows`: those features end to end.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod analytics;
mod backup;
mod basics;
mod bulk;
mod canned;
mod common;
mod erase;
mod first_minute;
mod imports;
mod imports_dialog;
mod keyboard;
mod layout;
mod merge;
mod service_levels;
mod team;
mod two_windows;
mod views;
mod workflows;
