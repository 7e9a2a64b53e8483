//! Tickets: an offline help desk for support teams.
//!
//! - [`domain`]: tickets, people, notes, messages and the activity trail, as plain data.
//! - [`store`]: the SQLite file that keeps them, and every change to them.
//! - [`import`]: other help desks' exports read as tickets to import.
//! - [`seed`]: realistic sample data for trials and benchmarks.
//! - [`clock`]: where the time comes from, so tests can fix it.
//! - [`app`]: the agents' window.
//! - [`cli`]: the command line.

pub mod analytics;
pub mod app;
pub mod cli;
pub mod clock;
pub mod domain;
pub mod export;
pub mod import;
mod progress;
pub mod script;
pub mod seed;
pub mod store;
