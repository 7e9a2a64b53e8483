//! The command line: `tickets seed`, `list`, `report` and `export`; with no
//! command, the window.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Local, NaiveDate};
use clap::{Args, Parser, Subcommand};

use crate::analytics::{Period, PeriodChoice};
use crate::clock::{Clock, SystemClock, local_midnight};
use crate::domain::{Priority, Status};
use crate::export::{ReportFormat, export_tickets, write_report};
use crate::script::{parse_priority, parse_status};
use crate::seed::{SeedOptions, generate};
use crate::store::server::{NewAgentLogin, TeamAdmin, redact};
use crate::store::{
    ListRequest, Location, Sort, SortColumn, Store, TicketFilter, default_database_path,
};

/// Tickets: an offline help desk for support teams.
#[derive(Debug, Parser)]
#[command(name = "tickets", version, about)]
pub struct Cli {
    /// The database file (default: the platform's data folder), or a team's
    /// server: `postgres://user@host/database`.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,
    /// Open a database file even on a network drive (NFS, SMB, sshfs, a
    /// mapped drive…), where it is otherwise refused: for one agent at a
    /// time, since SQLite can lose changes there when several computers use
    /// the file. A team server is the way to share (see docs/TEAM.md).
    #[arg(long, global = true)]
    pub allow_network_drive: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The commands on a database file.
    #[command(flatten)]
    File(FileCommand),
    /// Set up and manage a team's PostgreSQL server (team mode).
    Server {
        /// What to do on the server.
        #[command(subcommand)]
        command: ServerCommand,
    },
}

/// The commands on a database file (`--db`).
#[derive(Debug, Subcommand)]
pub enum FileCommand {
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
    /// Write the analytics report of a period: OUT.csv and OUT-tickets.csv (or OUT.xlsx),
    /// the same files as the Analytics window's Export.
    Report {
        /// today, last-7d, last-30d, this-month, last-month or last-365d (ignored with --from/--to).
        #[arg(long, default_value = "last-30d", value_parser = parse_period)]
        period: PeriodChoice,
        /// First local day of a custom period (YYYY-MM-DD).
        #[arg(long, requires = "to")]
        from: Option<NaiveDate>,
        /// Last local day of a custom period, included (YYYY-MM-DD).
        #[arg(long, requires = "from")]
        to: Option<NaiveDate>,
        /// Where to write the report.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// One Excel workbook instead of two CSV files.
        #[arg(long)]
        xlsx: bool,
    },
    /// Raise a ticket (as the agent --as names on a file; the signed-in one on a server).
    New {
        /// The ticket.
        #[command(flatten)]
        ticket: crate::script::Raise,
        /// Who acts.
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Print a ticket.
    Show {
        /// TKT-000013, #13 or 13.
        ticket: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a ticket's status, priority, assignees or tags, each change
    /// recorded in its activity; one changed meanwhile is refused, not overwritten.
    Update {
        /// TKT-000013, #13 or 13.
        ticket: String,
        /// The changes.
        #[command(flatten)]
        changes: crate::script::Changes,
        /// Who acts.
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Add an internal note to a ticket.
    Note {
        /// TKT-000013, #13 or 13.
        ticket: String,
        /// The note; `-` reads it from standard input.
        text: String,
        /// Who acts.
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Add a reply to the customer to a ticket.
    Reply {
        /// TKT-000013, #13 or 13.
        ticket: String,
        /// The reply; `-` reads it from standard input.
        text: String,
        /// Who acts.
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Write the tickets matching filters to CSV, every column, in the list's
    /// order; or with --all --format jsonl, everything the database holds.
    Export {
        /// Which tickets.
        #[command(flatten)]
        filter: FilterArgs,
        /// Where to write them.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Add a column with the internal notes (never shown to customers).
        #[arg(long)]
        include_notes: bool,
        /// Everything the database holds, for `tickets import` to read back
        /// into an empty one: every ticket with its conversation, notes,
        /// activity, tags, assignees and links; customers, agents, shared
        /// views, canned replies and the service-level policy (JSON lines).
        #[arg(long, requires = "format", conflicts_with_all = [
            "include_notes", "search", "status", "priority", "from", "to", "tag",
            "customer_tag", "unassigned",
        ])]
        all: bool,
        /// csv (the tickets matching filters; the default) or jsonl (with --all).
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: Option<String>,
    },
    /// Read tickets into the database: another help desk's export (Zendesk,
    /// Freshdesk, osTicket, Help Scout), any CSV through a mapping, or a
    /// file of everything from `tickets export --all` (into an empty database).
    Import {
        /// What to read, and how.
        #[command(flatten)]
        args: crate::import::command::ImportArgs,
    },
}

/// Who a scripted change is made as, and how it is reported.
#[derive(Debug, Args)]
pub struct ActorArgs {
    /// The agent acting, by name or email (on a file; a server acts as the
    /// signed-in agent).
    #[arg(long = "as", value_name = "AGENT")]
    pub agent: Option<String>,
    /// Print the ticket as JSON afterwards.
    #[arg(long)]
    pub json: bool,
}

/// Prints `number` as a script asked: JSON, or `sentence`.
fn print_result(
    store: &Store,
    number: crate::domain::TicketNumber,
    json: bool,
    sentence: &str,
) -> Result<(), String> {
    if json {
        let ticket = store.load_ticket(number).map_err(|e| e.to_string())?;
        println!(
            "{}",
            serde_json::to_string_pretty(&ticket).map_err(|e| e.to_string())?
        );
    } else {
        println!("{sentence}");
    }
    Ok(())
}

/// `tickets note` (`reply` false) and `tickets reply`.
fn write_on(
    store: &mut Store,
    ticket: &str,
    text: &str,
    actor: &ActorArgs,
    reply: bool,
) -> Result<(), String> {
    let number = crate::script::ticket(ticket)?;
    let me = crate::script::actor(store, actor.agent.as_deref())?;
    crate::script::write(store, me, number, text, reply)?;
    let sentence = format!("{number}: {} added", if reply { "reply" } else { "note" });
    print_result(store, number, actor.json, &sentence)
}

/// What `tickets server` does. Each takes the server's address as a
/// `postgres://user@host/database` URL (or libpq's `key=value` form); the
/// password comes from `~/.pgpass`, `PGPASSFILE` or `PGPASSWORD`, as with
/// `psql`.
#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Set a team up on an empty database: the schema, the team's roles, and
    /// you (the URL's login) as its first agent and admin.
    Init {
        /// The server and database, as the login that will own them.
        url: String,
        /// Your name, as your colleagues will see it.
        #[arg(long)]
        name: String,
        /// Your email.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Add an agent with their own login (admins only).
    AddAgent {
        /// The server and database, as an admin's login.
        url: String,
        /// The agent's name.
        #[arg(long)]
        name: String,
        /// The agent's email.
        #[arg(long, default_value = "")]
        email: String,
        /// The PostgreSQL login they will sign in with (made if it does not exist).
        #[arg(long)]
        login: String,
        /// Read the new login's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Let them manage agents too.
        #[arg(long)]
        admin: bool,
    },
    /// List the team's agents: number, name, login, admin, active.
    Agents {
        /// The server and database.
        url: String,
    },
    /// Give an agent who has no login yet (one moved in from a desk's file)
    /// the login they will sign in with (admins only).
    GiveLogin {
        /// The server and database, as an admin's login.
        url: String,
        /// The agent's number (see `tickets server agents`).
        agent: i64,
        /// The PostgreSQL login (made if it does not exist).
        login: String,
        /// Read the new login's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Let them manage agents too.
        #[arg(long)]
        admin: bool,
    },
    /// Stop an agent's login signing in; their history stays (admins only).
    DeactivateAgent {
        /// The server and database, as an admin's login.
        url: String,
        /// The agent's login.
        login: String,
    },
    /// Move a desk's whole database file into an empty team database: every
    /// ticket with its number, people, notes, messages and activity, checked
    /// table by table (row counts and a checksum) before it is committed.
    Import {
        /// The desk's database file.
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// The team's server and database, as its owner.
        url: String,
    },
    /// Let an agent manage the others (admins only).
    MakeAdmin {
        /// The server and database, as an admin's login.
        url: String,
        /// The agent's login.
        login: String,
    },
}

/// The first line of standard input, when `asked`: a new login's password.
fn password_from_stdin(asked: bool) -> Result<Option<String>, String> {
    if !asked {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("could not read the password: {e}"))?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok((!line.is_empty()).then_some(line))
}

/// Runs a `tickets server` command.
fn run_server(command: ServerCommand, clock: Arc<dyn Clock>) -> Result<(), String> {
    let fail = |e: crate::store::StoreError| e.to_string();
    let connect = |url: &str| TeamAdmin::connect(url).map_err(fail);
    match command {
        ServerCommand::Init { url, name, email } => {
            match connect(&url)?
                .init(&name, &email, clock.now())
                .map_err(fail)?
            {
                None => println!(
                    "Set up a team on {}, with {name} as its first agent and admin.",
                    redact(&url)
                ),
                Some(from) => println!(
                    "Upgraded the team on {} from schema version {from} to {}; nothing else was changed.",
                    redact(&url),
                    crate::store::server::TEAM_SCHEMA_VERSION
                ),
            }
        }
        ServerCommand::AddAgent {
            url,
            name,
            email,
            login,
            password_stdin,
            admin,
        } => {
            let password = password_from_stdin(password_stdin)?;
            let agent = NewAgentLogin {
                name: name.clone(),
                email,
                login: login.clone(),
                password,
                admin,
            };
            connect(&url)?
                .add_agent(&agent, clock.now())
                .map_err(fail)?;
            let role = if admin {
                "an agent and admin"
            } else {
                "an agent"
            };
            println!("Added {name} as {role}, signing in as {login}.");
        }
        ServerCommand::Agents { url } => {
            let agents = connect(&url)?.agents().map_err(fail)?;
            for agent in agents {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    agent.id,
                    agent.name,
                    agent.login.as_deref().unwrap_or("(no login)"),
                    if agent.admin { "admin" } else { "agent" },
                    if agent.active {
                        "active"
                    } else {
                        "deactivated"
                    },
                );
            }
        }
        ServerCommand::GiveLogin {
            url,
            agent,
            login,
            password_stdin,
            admin,
        } => {
            let password = password_from_stdin(password_stdin)?;
            connect(&url)?
                .give_login(agent, &login, password.as_deref(), admin)
                .map_err(fail)?;
            println!("Agent {agent} now signs in as {login}.");
        }
        ServerCommand::DeactivateAgent { url, login } => {
            connect(&url)?.deactivate_agent(&login).map_err(fail)?;
            println!("{login} can no longer sign in; their history stays.");
        }
        ServerCommand::Import { from, url } => {
            let started = Instant::now();
            let desk =
                Store::open_existing(&Location::File(from.clone()), clock.clone()).map_err(fail)?;
            let moved = connect(&url)?
                .import(&desk, &mut crate::progress::every_2s("rows"))
                .map_err(fail)?;
            let rows: Vec<String> = moved
                .tables
                .iter()
                .map(|(table, n)| format!("{n} {}", table.replace('_', " ")))
                .collect();
            println!(
                "Moved {} into {} in {:.1} s, every table checked: {}.",
                from.display(),
                redact(&url),
                started.elapsed().as_secs_f64(),
                rows.join(", ")
            );
        }
        ServerCommand::MakeAdmin { url, login } => {
            connect(&url)?.make_admin(&login).map_err(fail)?;
            println!("{login} can now manage agents.");
        }
    }
    Ok(())
}

fn parse_period(s: &str) -> Result<PeriodChoice, String> {
    PeriodChoice::parse(s).ok_or_else(|| {
        format!(
            "“{s}” is not a period (today, last-7d, last-30d, this-month, last-month, last-365d)"
        )
    })
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

/// The database to use: `--db PATH` or `--db postgres://…`, or the
/// platform's data folder (created if need be).
fn database_location(db: Option<PathBuf>) -> Result<Location, String> {
    match db {
        Some(path) => Ok(match path.to_str() {
            Some(text) => Location::parse(text),
            None => Location::File(path),
        }),
        None => default_location(),
    }
}

/// The platform's data folder's database file (the folder created if need be).
fn default_location() -> Result<Location, String> {
    let path =
        default_database_path().ok_or("no data folder is known for this user; pass --db PATH")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    Ok(Location::File(path))
}

/// Runs a parsed command line: with no command, opens the window.
pub fn run(cli: Cli) -> Result<(), String> {
    run_with(cli, Arc::new(SystemClock))
}

/// [`run`] with a given clock (tests fix the time).
pub fn run_with(cli: Cli, clock: Arc<dyn Clock>) -> Result<(), String> {
    if cli.allow_network_drive {
        crate::store::allow_network_drives();
    }
    let command = match cli.command {
        Some(Command::Server { command }) => return run_server(command, clock),
        Some(Command::File(command)) => Some(command),
        None => None,
    };
    let location = database_location(cli.db)?;
    let Some(command) = command else {
        // The window opens the database on its own thread.
        return crate::app::run(location, clock);
    };
    // `seed` fills a new or empty database; the scripted changes write to
    // one that is there; the others read one that must be there, and never
    // create, upgrade or change one.
    if let FileCommand::Import { args } = &command {
        return crate::import::command::run(&location, args, clock);
    }
    let mut store = match command {
        FileCommand::Seed { .. } => Store::open_at(&location, clock.clone()),
        // A scripted change writes to a database that is there and is
        // ours (checked as the reading commands check it), never to a new one.
        FileCommand::New { .. }
        | FileCommand::Update { .. }
        | FileCommand::Note { .. }
        | FileCommand::Reply { .. } => match &location {
            Location::File(_) => {
                Store::open_existing(&location, clock.clone()).and_then(|checked| {
                    drop(checked);
                    Store::open_at(&location, clock.clone())
                })
            }
            // A server is connected to once; it is there or it is not.
            Location::Server(_) => Store::open_at(&location, clock.clone()),
        },
        _ => Store::open_existing(&location, clock.clone()),
    }
    .map_err(|e| e.to_string())?;
    match command {
        FileCommand::Seed { tickets, seed } => {
            let started = Instant::now();
            let mut progress = crate::progress::every_2s("tickets");
            let summary = generate(&mut store, SeedOptions { tickets, seed }, |done, total| {
                progress(done, total);
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
                store.location(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        FileCommand::List {
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
                anchor: None,
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
            println!(
                "{} of {} tickets",
                page.rows.len(),
                page.total.unwrap_or_default()
            );
            Ok(())
        }
        FileCommand::Report {
            period,
            from,
            to,
            out,
            xlsx,
        } => {
            let choice = match (from, to) {
                (Some(from), Some(to)) => PeriodChoice::Custom { from, to },
                _ => period,
            };
            let period = Period::resolve(choice, clock.now(), &Local).map_err(|e| e.to_string())?;
            let format = if xlsx {
                ReportFormat::Xlsx
            } else {
                ReportFormat::Csv
            };
            let (report, files) =
                write_report(&store, &period, &Local, &out, format, &mut |_, _| true)
                    .map_err(|e| e.to_string())?;
            println!(
                "{}: {} created, {} closed, {} open.",
                period.description, report.created, report.closed, report.open
            );
            println!("Wrote {}", files.summary.display());
            if let Some(tickets) = files.tickets {
                println!("Wrote {}", tickets.display());
            }
            Ok(())
        }
        FileCommand::New { ticket, actor } => {
            let me = crate::script::actor(&store, actor.agent.as_deref())?;
            let number = crate::script::new_ticket(&mut store, me, &ticket)?;
            print_result(&store, number, actor.json, &number.to_string())
        }
        FileCommand::Show { ticket, json } => {
            let number = crate::script::ticket(&ticket)?;
            let detail = store.load_ticket(number).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&detail).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}", crate::script::describe(&detail));
            }
            Ok(())
        }
        FileCommand::Update {
            ticket,
            changes: asked,
            actor,
        } => {
            let number = crate::script::ticket(&ticket)?;
            let me = crate::script::actor(&store, actor.agent.as_deref())?;
            let changes = crate::script::update(&mut store, me, number, &asked)?;
            let sentence = match changes {
                0 => format!("{number}: nothing to change"),
                1 => format!("{number}: 1 change"),
                n => format!("{number}: {n} changes"),
            };
            print_result(&store, number, actor.json, &sentence)
        }
        FileCommand::Note {
            ticket,
            text,
            actor,
        } => write_on(&mut store, &ticket, &text, &actor, false),
        FileCommand::Reply {
            ticket,
            text,
            actor,
        } => write_on(&mut store, &ticket, &text, &actor, true),
        FileCommand::Import { .. } => unreachable!("an import is run before a store is opened"),
        FileCommand::Export {
            out,
            all: true,
            format,
            ..
        } => {
            if format.as_deref().is_some_and(|f| f != "jsonl") {
                return Err("everything is written as JSON lines: use --format jsonl with --all (CSV holds the tickets a filter chooses)".to_owned());
            }
            let mut progress = crate::progress::every_2s("rows");
            let written =
                crate::export::everything::export_everything(&store, &out, &mut |done, total| {
                    progress(done, total);
                    true
                })
                .map_err(|e| e.to_string())?;
            let rows: u64 = written.tables.iter().map(|(_, n)| n).sum();
            println!(
                "Wrote everything to {}: {} tickets, {rows} rows in {} tables.",
                out.display(),
                written.tickets(),
                written.tables.len()
            );
            Ok(())
        }
        FileCommand::Export {
            filter,
            out,
            include_notes,
            format,
            ..
        } => {
            if format.as_deref() == Some("jsonl") {
                return Err("JSON lines hold everything the database holds: add --all (filters choose tickets for CSV only)".to_owned());
            }
            let filter = filter.to_filter(&store)?;
            let mut progress = crate::progress::every_2s("tickets");
            let n = export_tickets(
                &store,
                &filter,
                Sort::default(),
                include_notes,
                &Local,
                &out,
                &mut |done, total| {
                    progress(done, total);
                    true
                },
            )
            .map_err(|e| e.to_string())?;
            println!("Wrote {n} tickets to {}", out.display());
            Ok(())
        }
    }
}

#[cfg(test)]
mod man_page {
    use super::Cli;

    /// The man pages the Linux package installs (`tickets` and one per
    /// subcommand) are the ones clap renders from the command's definition:
    /// a changed option changes both, or this fails.
    #[test]
    fn the_packaged_man_pages_are_the_commands_own() {
        let dir = tempfile::tempdir().expect("a folder");
        clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), dir.path())
            .expect("render the man pages");
        let kept_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/linux/man");
        let names = |dir: &std::path::Path| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        };
        if std::env::var_os("TICKETS_WRITE_MAN_PAGES").is_some() {
            let _ = std::fs::remove_dir_all(kept_dir);
            std::fs::create_dir_all(kept_dir).expect("the man folder");
            for name in names(dir.path()) {
                std::fs::copy(
                    dir.path().join(&name),
                    std::path::Path::new(kept_dir).join(&name),
                )
                .expect("write a man page");
            }
        }
        let fix = "run `TICKETS_WRITE_MAN_PAGES=1 cargo test --lib man_page` and commit packaging/linux/man";
        let made = names(dir.path());
        assert!(made.len() > 5, "a page per subcommand: {made:?}");
        assert_eq!(names(std::path::Path::new(kept_dir)), made, "{fix}");
        for name in made {
            let kept =
                std::fs::read(std::path::Path::new(kept_dir).join(&name)).unwrap_or_default();
            let page = std::fs::read(dir.path().join(&name)).expect("a rendered page");
            assert!(
                kept == page,
                "{name} is not what the command says now: {fix}"
            );
        }
    }
}
