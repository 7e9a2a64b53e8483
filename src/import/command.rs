//! `tickets import FILE`: another help desk's export, a CSV through a
//! mapping, or a file of everything from `tickets export --all`, into the
//! database; `--dry-run` says what it would do and writes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::pipeline::{Heed, ImportReport, batch_for, import_source};
use super::{Format, ImportOptions, MappingLibrary, RowProblem, Source, TextEncoding};
use crate::clock::Clock;
use crate::domain::AgentId;
use crate::export::everything::EverythingFile;
use crate::store::server::TeamAdmin;
use crate::store::transfer::RowSource;
use crate::store::{Location, Store};

/// What `tickets import` takes.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: a Zendesk, Freshdesk or osTicket CSV export, a Zendesk or
    /// Help Scout JSON export, any CSV with a header row, or a file of
    /// everything from `tickets export --all`.
    pub file: PathBuf,
    /// The file's format, where it is not recognised from its first row.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// A saved mapping's name, or a mapping's JSON file: which column fills
    /// which field, and how statuses and priorities read.
    #[arg(long, value_name = "NAME|FILE")]
    pub mapping: Option<String>,
    /// Save the mapping used under this name, for the window and the next import.
    #[arg(long, value_name = "NAME")]
    pub save_mapping: Option<String>,
    /// The file's text encoding, where it is not worked out from the file.
    #[arg(long, value_enum)]
    pub encoding: Option<TextEncoding>,
    /// Say what it would create, update and skip (every skipped row, by
    /// line, with why), and write nothing to the database.
    #[arg(long)]
    pub dry_run: bool,
    /// The agent importing, by name or email (on a file; a server imports
    /// as the admin signed in). Into a file with no agents yet, they are
    /// added as its first.
    #[arg(long = "as", value_name = "AGENT")]
    pub agent: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tickets import` on the database at `location`.
pub fn run(location: &Location, args: &ImportArgs, clock: Arc<dyn Clock>) -> Result<(), String> {
    let library = MappingLibrary::of_this_user();
    let library = || {
        library
            .as_ref()
            .ok_or("this system has no configuration folder for saved mappings")
    };
    let mapping = match &args.mapping {
        Some(name) => Some(library()?.resolve(name).map_err(|e| e.to_string())?),
        None => None,
    };
    let options = ImportOptions {
        encoding: args.encoding,
        format: args.format,
        mapping,
    };
    let source = Source::open(&args.file, &options).map_err(|e| e.to_string())?;
    if source.format() == Format::TicketsExport {
        drop(source);
        return if args.dry_run {
            everything_dry_run(&args.file)
        } else {
            restore(location, &args.file, clock)
        };
    }
    // A mapping that cannot read the file is neither kept nor used.
    if let Some(problem) = source.mapping_problem() {
        return Err(format!("mapping: {problem}"));
    }
    if let Some(name) = &args.save_mapping {
        let mut mapping = source.mapping().clone();
        mapping.name = MappingLibrary::check_name(name)
            .map_err(|e| e.to_string())?
            .to_owned();
        library()?.save(&mapping).map_err(|e| e.to_string())?;
        eprintln!("Saved the mapping as “{}”.", mapping.name);
    }
    let (format, encoding) = (source.format(), source.encoding());
    let mut store = open_for(location, args.dry_run, clock)?;
    let actor = importer(&mut store, args.agent.as_deref(), args.dry_run)?;
    eprintln!(
        "Reading {} as {} ({}).",
        args.file.display(),
        format.label(),
        encoding.name()
    );
    let mut told = Told::new(args.json);
    let batch = batch_for(&store);
    let report = import_source(
        &mut store,
        actor,
        &args.file,
        source,
        args.dry_run,
        &mut told,
        batch,
    )
    .map_err(|e| e.to_string())?;
    if args.json {
        println!("{}", report_json(&report));
    } else {
        println!("{}", report.summary());
        if !report.new_agents.is_empty() {
            println!("Agents added: {}", report.new_agents.join(", "));
        }
    }
    Ok(())
}

/// The store to import into: a file made if missing (a dry run into a
/// missing file plans against an empty database in memory, making nothing).
fn open_for(location: &Location, dry_run: bool, clock: Arc<dyn Clock>) -> Result<Store, String> {
    match location {
        Location::File(path) if dry_run && !path.exists() => Store::open_in_memory(clock),
        Location::File(_) if dry_run => Store::open_existing(location, clock),
        _ => Store::open_at(location, clock),
    }
    .map_err(|e| e.to_string())
}

/// Who imports: the admin signed in to a server; on a file the agent
/// `--as` names, added first where the file has no agents yet.
fn importer(store: &mut Store, named: Option<&str>, dry_run: bool) -> Result<AgentId, String> {
    if store.signed_in().is_none() && store.agents().map_err(|e| e.to_string())?.is_empty() {
        let Some(name) = named else {
            return Err(
                "say who is importing with --as NAME: the database has no agents yet, and they become its first"
                    .to_owned(),
            );
        };
        if dry_run {
            // Nobody is written: any id will do for planning.
            return Ok(AgentId(0));
        }
        let (name, email) = if name.contains('@') {
            (name.split('@').next().unwrap_or(name), name)
        } else {
            (name, "")
        };
        return store.add_agent(name, email).map_err(|e| e.to_string());
    }
    crate::script::actor(store, named)
}

/// Tells each skipped row as found (on standard output, by line), and
/// progress on standard error every two seconds.
struct Told {
    json: bool,
    last: std::time::Instant,
}

impl Told {
    fn new(json: bool) -> Told {
        Told {
            json,
            last: std::time::Instant::now(),
        }
    }
}

impl Heed for Told {
    fn progress(&mut self, read: u64, total: Option<u64>) -> bool {
        if self.last.elapsed().as_secs() >= 2 {
            match total {
                Some(total) if total > 0 => eprintln!(
                    "  {:.0}% read ({read} of {total} bytes)…",
                    read as f64 * 100.0 / total as f64
                ),
                _ => eprintln!("  {read} bytes read…"),
            }
            self.last = std::time::Instant::now();
        }
        true
    }

    fn problem(&mut self, problem: &RowProblem) {
        if !self.json {
            println!("skipped {problem}");
        }
    }
}

/// The report as JSON (every skipped row kept, up to the report's limit).
fn report_json(report: &ImportReport) -> String {
    serde_json::json!({
        "format": report.format.map(Format::name),
        "encoding": report.encoding.map(TextEncoding::name),
        "source": report.source,
        "dry_run": report.dry_run,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "new_customers": report.new_customers,
        "new_agents": report.new_agents,
        "resumed_after": report.resumed_after,
        "cancelled": report.cancelled,
        "problems": report.problems.iter().map(|p| serde_json::json!({"line": p.line, "why": p.why})).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Reads a file of everything through, checking every row against its own
/// counts and sums, and says what it holds.
fn everything_dry_run(file: &Path) -> Result<(), String> {
    let everything = EverythingFile::open(file).map_err(|e| e.to_string())?;
    let total: u64 = everything
        .transfer_counts()
        .map_err(|e| e.to_string())?
        .iter()
        .sum();
    everything
        .transfer_rows(&mut |_, _| Ok(()))
        .map_err(|e| e.to_string())?;
    println!(
        "{} holds everything from a Tickets database: {} tickets, {total} rows, all readable; nothing was written (--dry-run).",
        file.display(),
        everything.tickets()
    );
    Ok(())
}

/// A file of everything into an empty database (on a server, through the
/// owner's login).
fn restore(location: &Location, file: &Path, clock: Arc<dyn Clock>) -> Result<(), String> {
    let everything = EverythingFile::open(file).map_err(|e| e.to_string())?;
    let mut progress = crate::progress::every_2s("rows");
    let tables = match location {
        Location::File(_) => Store::open_at(location, clock)
            .and_then(|mut store| {
                store.restore(&everything, &mut |done, total| {
                    progress(done, total);
                    true
                })
            })
            .map_err(|e| e.to_string())?,
        Location::Server(url) => {
            let mut admin = TeamAdmin::connect(url).map_err(|e| e.to_string())?;
            admin
                .import(&everything, &mut progress)
                .map_err(|e| e.to_string())?
                .tables
        }
    };
    let rows: u64 = tables.iter().map(|(_, n)| n).sum();
    println!(
        "Read everything from {} into {location}: {} tickets, {rows} rows in {} tables.",
        file.display(),
        everything.tickets(),
        tables.len()
    );
    Ok(())
}
