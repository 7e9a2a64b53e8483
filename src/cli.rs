//! The command line: `tickets seed`, `tickets list`, and (with no command) a
//! summary of the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Local, NaiveDate};
use clap::{Args, Parser, Subcommand};

use crate::clock::{SystemClock, local_midnight};
use crate::domain::{Priority, Status};
use crate::seed::{SeedOptions, generate};
use crate::store::{ListRequest, Sort, SortColumn, Store, TicketFilter, default_database_path};

/// Tickets: an offline help desk for support teams.
#[derive(Debug, Parser)]
#[command(name = "tickets", version, about)]
pub struct Cli {
    /// The database file (default: the platform's data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill an empty database with realistic sample data.
    Seed {
        /// How many tickets.
        #[arg(long, default_value_t = 1000)]
        tickets: u64,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print the tickets matching filters, newest first.
    List {
        /// Which tickets.
        #[command(flatten)]
        filter: FilterArgs,
        /// Sort column: number, subject, status, priority, customer, assignee, created.
        #[arg(long, default_value = "created", value_parser = parse_sort_column)]
        sort: SortColumn,
        /// Oldest / smallest first.
        #[arg(long)]
        ascending: bool,
        /// At most this many rows.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Filters shared by the commands that select tickets.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Words in the subject or the customer's name, email or company, or a ticket number.
    #[arg(long)]
    pub search: Option<String>,
    /// Status (repeat for several): open, in-progress, waiting, resolved, closed.
    #[arg(long, value_parser = parse_status)]
    pub status: Vec<Status>,
    /// Priority (repeat for several): low, medium, high, urgent.
    #[arg(long, value_parser = parse_priority)]
    pub priority: Vec<Priority>,
    /// Created on or after this local date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Created on or before this local date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Ticket tag (repeat for any of several).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Customer tag (repeat for any of several).
    #[arg(long)]
    pub customer_tag: Vec<String>,
    /// Only unassigned tickets.
    #[arg(long)]
    pub unassigned: bool,
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        format!("“{s}” is not a status (open, in-progress, waiting, resolved, closed)")
    })
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("“{s}” is not a priority (low, medium, high, urgent)"))
}

fn parse_sort_column(s: &str) -> Result<SortColumn, String> {
    SortColumn::ALL
        .into_iter()
        .find(|c| format!("{c:?}").eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| format!("“{s}” is not a column (number, subject, status, priority, customer, assignee, created)"))
}

impl FilterArgs {
    /// The store filter these arguments describe; tag names must exist.
    pub fn to_filter(&self, store: &Store) -> Result<TicketFilter, String> {
        let tag_ids = |names: &[String]| -> Result<Vec<_>, String> {
            names
                .iter()
                .map(|name| match store.tag_named(name) {
                    Ok(Some(tag)) => Ok(tag.id),
                    Ok(None) => Err(format!("there is no tag “{name}”")),
                    Err(e) => Err(e.to_string()),
                })
                .collect()
        };
        Ok(TicketFilter {
            text: self.search.clone().unwrap_or_default(),
            statuses: self.status.clone(),
            priorities: self.priority.clone(),
            created_from: self.from.map(local_midnight).transpose()?,
            created_to: self
                .to
                .map(|d| local_midnight(d + chrono::Duration::days(1)))
                .transpose()?,
            tags: tag_ids(&self.tag)?,
            customer_tags: tag_ids(&self.customer_tag)?,
            unassigned: self.unassigned,
            ..TicketFilter::default()
        })
    }
}

/// The database to use: `--db PATH`, or the platform's data folder (created if need be).
fn database_path(db: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = db {
        return Ok(path);
    }
    let path =
        default_database_path().ok_or("no data folder is known for this user; pass --db PATH")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    Ok(path)
}

/// Runs a parsed command line: with no command, opens the window.
pub fn run(cli: Cli) -> Result<(), String> {
    let path = database_path(cli.db)?;
    let Some(command) = cli.command else {
        // The window opens the database on its own thread.
        return crate::app::run(path, Arc::new(SystemClock));
    };
    let mut store = Store::open(&path, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    match command {
        Command::Seed { tickets, seed } => {
            let started = Instant::now();
            let mut last_report = Instant::now();
            let summary = generate(&mut store, SeedOptions { tickets, seed }, |done, total| {
                if last_report.elapsed().as_secs() >= 2 {
                    eprintln!("  {done} of {total} tickets…");
                    last_report = Instant::now();
                }
                true
            })
            .map_err(|e| e.to_string())?;
            println!(
                "Added {} tickets, {} customers, {} agents, {} messages, {} notes and {} activity entries to {} in {:.1} s.",
                summary.tickets,
                summary.customers,
                summary.agents,
                summary.messages,
                summary.notes,
                summary.activity,
                store.path().display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::List {
            filter,
            sort,
            ascending,
            limit,
        } => {
            let request = ListRequest {
                filter: filter.to_filter(&store)?,
                sort: Sort {
                    column: sort,
                    descending: !ascending,
                },
                offset: 0,
                limit,
            };
            let page = store.list_tickets(&request).map_err(|e| e.to_string())?;
            for row in &page.rows {
                let assignee = match row.assignees.as_slice() {
                    [] => "Unassigned".to_owned(),
                    [one] => one.clone(),
                    [first, rest @ ..] => format!("{first} +{}", rest.len()),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    row.number,
                    row.subject,
                    row.status.label(),
                    row.priority.label(),
                    row.customer.as_deref().unwrap_or("—"),
                    assignee,
                    row.created.with_timezone(&Local).format("%Y-%m-%d %H:%M")
                );
            }
            println!("{} of {} tickets", page.rows.len(), page.total);
            Ok(())
        }
    }
}
