//! The store, driven as the window and the command line drive it: one test
//! binary, a module per subject, on the shared fixtures of `tests/fixtures/`.
//!
//! - `store_ops`: every operation and every kind of activity;
//! - `bulk`: bulk actions, their conflicts, cancelling and undoing them;
//! - `merge`: merging tickets and linking them;
//! - `listing_props`, `query_plans`: the list's answers and the plans behind them;
//! - `analytics`, `export`: the figures of a period and the files they go to;
//! - `everything`: the whole desk exported as JSON lines and read back;
//! - `store_files`, `bad_files`, `backup`: the database file, damaged files, backups;
//! - `network_drive`: files on network drives, refused or kept for one program;
//! - `migrations`: files of every earlier schema version, upgraded;
//! - `erase`, `input_props`, `seed`: erasure, hostile input, sample data;
//! - `views`, `shared_views`: the sidebar's views, and those shared with the team;
//! - `canned`: the team's canned replies, used on tickets and counted;
//! - `imports`: tickets imported from other help desks, and imported again;
//! - `team_server`, `team_many`: the team server itself, and fifty desks on one;
//! - `team_network`: the network between desks and their server, cut and mended.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod analytics;
mod backup;
mod bad_files;
mod bulk;
mod canned;
mod erase;
mod everything;
mod export;
mod imports;
mod input_props;
mod listing_props;
mod merge;
mod migrations;
mod network_drive;
mod query_plans;
mod reads;
mod seed;
mod service_levels;
mod shared_views;
mod store_files;
mod store_ops;
mod team_many;
mod team_network;
mod team_server;
mod views;
