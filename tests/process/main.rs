//! Whole processes: crashes at random moments, two processes writing one
//! file, the command line as a script runs it, and what the build may link.
//! One test binary; children are this binary run again on an ignored test.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod cli;
mod crash;
mod no_network;
mod two_writers;
