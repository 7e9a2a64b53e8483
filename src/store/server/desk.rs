//! The store on a team's server: one agent's connection, signed in as
//! themself. Every change is a call of one of the team schema's functions
//! (migration 2), which takes the actor from the login, checks the version
//! an edit was made against and writes the change with its activity entry
//! in one transaction; reads that span statements run in one snapshot.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Row};

use super::{TEAM_SCHEMA_VERSION, config_of, connect, server_error, server_name};
use crate::clock::Clock;
use crate::domain::validate;
use crate::domain::{
    ActivityEntry, Agent, AgentId, BulkMark, Customer, CustomerId, Direction, LinkKind,
    MergeCounts, Message, MessageId, NewCustomer, NewTicket, Note, NoteId, Priority, Status, Tag,
    TagId, TicketDetail, TicketLink, TicketNumber, TicketRow, from_millis, parse_ticket_number,
    sort_key, to_millis,
};
use crate::domain::{Doing, Presence};
use crate::store::search::{customer_filter, email_patterns, plain_words, text_has_email};
use crate::store::sla::due_of_column;
use crate::store::trail::decode;
use crate::store::views::{SavedView, SharedView, checked, shared_view_of};
use crate::store::{Counted, ExportTicket, export_read, figures};
use crate::store::{
    FacetCounts, ListKey, ListRequest, Sort, SortColumn, SortValue, StoreError, TicketFilter,
    TicketPage,
};

/// An open connection to a team's database, as the agent its login is.
pub struct ServerStore {
    client: RefCell<Client>,
    /// The URL it was opened with.
    url: String,
    /// "host/database", as messages and the title bar name it.
    server: String,
    clock: Arc<dyn Clock>,
    /// The signed-in agent.
    me: Agent,
    /// Changes other desks announced since the connection opened.
    heard: Cell<i64>,
    /// This connection's server process, which signs its own announcements.
    pid: RefCell<String>,
    /// Whether a snapshot ([`ServerStore::snapshot`]) is open.
    in_snapshot: Cell<bool>,
    /// Whether another desk announced where it is since the last look.
    presence_news: Cell<bool>,
    /// The ticket this desk said it has open, and what its agent does
    /// there: said again after reconnecting (the old connection's row went).
    present: Cell<Option<(TicketNumber, Doing)>>,
    /// This desk's name in the presence table: random, kept across
    /// reconnections, so a new connection takes the old one's place.
    desk: String,
    /// When the server was last told where this desk is: said again every
    /// [`PRESENCE_KEPT`] with the look for changes, to stay shown.
    presence_said: Cell<std::time::Instant>,
    /// A second connection, opened for the first report and kept, which
    /// reads part of each report in the same snapshot meanwhile.
    helper: RefCell<Option<Client>>,
    /// When the helper connection was last refused.
    helper_refused: Cell<Option<std::time::Instant>>,
}

/// What a read on the server can fail with: the server, or the store's rules.
enum ReadError {
    Server(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for ReadError {
    fn from(e: postgres::Error) -> ReadError {
        ReadError::Server(e)
    }
}

impl From<StoreError> for ReadError {
    fn from(e: StoreError) -> ReadError {
        ReadError::Store(e)
    }
}

/// One read transaction on a team's server (see [`ServerStore::snapshot`]).
pub struct ServerSnapshot<'a> {
    db: &'a ServerStore,
}

impl ServerSnapshot<'_> {
    /// How often each canned reply was used in `period`, within this snapshot.
    pub fn canned_usage(
        &self,
        period: &crate::analytics::Period,
    ) -> Result<Vec<crate::analytics::CannedUse>, StoreError> {
        self.db.canned_usage(period)
    }

    /// The report of `period`, within this snapshot.
    pub fn report(
        &self,
        period: &crate::analytics::Period,
    ) -> Result<crate::analytics::Report, StoreError> {
        self.db.report(period)
    }

    /// Every ticket matching `filter`, in `sort`'s order, with everything an
    /// export writes (see `Snapshot::export_tickets` of the file).
    pub fn export_tickets(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        notes: bool,
        each: &mut dyn FnMut(ExportTicket, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let numbers = self.db.list_numbers(&ListRequest::all(filter, sort))?;
        let server = self.db.server.clone();
        self.db.reading(|client| {
            Ok(export_read::export_tickets(
                &mut Pg(client, &server),
                &numbers,
                notes,
                each,
            )?)
        })
    }

    /// Every ticket a card of `period`'s report counted, in number order,
    /// with its status and priority as at the period's end and why.
    pub fn report_tickets(
        &self,
        period: &crate::analytics::Period,
        each: &mut dyn FnMut(ExportTicket, Counted, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let server = self.db.server.clone();
        self.db.reading(|client| {
            let r = &mut Pg(client, &server);
            let (flags, at_end) = figures::report_ticket_flags(r, period)?;
            Ok(export_read::report_tickets(r, flags, &at_end, each)?)
        })
    }
}

impl export_read::Row for Row {
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(int_at(self, i))
    }

    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self
            .try_get::<_, Option<String>>(i)
            .ok()
            .flatten()
            .unwrap_or_default())
    }
}

impl export_read::Rows for Pg<'_> {
    fn rows(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&dyn export_read::Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = in_postgres_spelling(sql);
        let server = self.1;
        let fail = |e| refused(server, None, e);
        let mut rows = self
            .0
            .query_raw(&sql, std::iter::empty::<i64>())
            .map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            row(&r)?;
        }
        Ok(())
    }
}

/// The server answering the analytics' queries, which are written in
/// SQLite's spelling: parameters become `$n` (as bigint), index hints go,
/// names sort as the file sorts them, and a trail value is read as a number.
struct Pg<'c>(&'c mut Client, &'c str);

fn in_postgres_spelling(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
            out.push_str("::bigint");
        } else {
            out.push(c);
        }
    }
    let mut words: Vec<&str> = Vec::new();
    let mut skip = 0;
    let tokens: Vec<&str> = out.split(' ').collect();
    for (i, w) in tokens.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if *w == "INDEXED" && tokens.get(i + 1) == Some(&"BY") {
            skip = 2;
            continue;
        }
        words.push(w);
    }
    words
        .join(" ")
        .replace("name COLLATE NOCASE", "lower(name COLLATE \"C\")")
        .replace("ORDER BY sort_key", "ORDER BY sort_key COLLATE \"C\"")
        .replace("old_value", "(old_value #>> '{}')::bigint")
        .replace("new_value", "(new_value #>> '{}')::bigint")
}

/// An integer column of any width, or `None` for NULL (or no integer).
/// Read by the column's type: a failed `try_get` builds a boxed error, and
/// trying each width in turn cost the export of a million tickets ~5% of
/// its reading.
fn int_at(r: &Row, i: usize) -> Option<i64> {
    use postgres::types::Type;
    let column = r.columns().get(i)?;
    match *column.type_() {
        Type::INT8 => r.try_get::<_, Option<i64>>(i).ok().flatten(),
        Type::INT4 => r.try_get::<_, Option<i32>>(i).ok().flatten().map(i64::from),
        Type::INT2 => r.try_get::<_, Option<i16>>(i).ok().flatten().map(i64::from),
        _ => None,
    }
}

/// `sql` (SQLite's spelling) with each `?n` replaced by its value, written
/// out: the analytics' parameters are integers, so nothing can break out.
fn with_values(sql: &str, params: &[i64]) -> String {
    let mut out = String::with_capacity(sql.len() + 16 * params.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = 0usize;
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                n = n * 10 + d.to_digit(10).map_or(0, |d| d as usize);
            }
            match n.checked_sub(1).and_then(|i| params.get(i)) {
                Some(v) => out.push_str(&format!("({v})")),
                // Left for the server to refuse, as an unbound parameter.
                None => out.push_str(&format!("${n}")),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads the rows of a binary COPY (PostgreSQL's "binary copy format"),
/// handing each row's integer columns to `row` (`None` for NULL). Values
/// are read by their width alone (2, 4 or 8 bytes: smallint, integer,
/// bigint; any other width is `None`): the analytics select integers only.
fn binary_rows(
    mut from: impl std::io::Read,
    row: &mut dyn FnMut(&[Option<i64>]),
) -> std::io::Result<()> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut head = [0u8; 19];
    from.read_exact(&mut head)?;
    if &head[..11] != b"PGCOPY\n\xff\r\n\0" {
        return Err(bad("not a binary COPY"));
    }
    let extension = u32::from_be_bytes([head[15], head[16], head[17], head[18]]);
    std::io::copy(
        &mut std::io::Read::take(&mut from, u64::from(extension)),
        &mut std::io::sink(),
    )?;
    let mut values: Vec<Option<i64>> = Vec::new();
    let mut field = [0u8; 8];
    loop {
        let mut count = [0u8; 2];
        from.read_exact(&mut count)?;
        let count = i16::from_be_bytes(count);
        if count < 0 {
            // To the end of the stream, so the command completes.
            std::io::copy(&mut from, &mut std::io::sink())?;
            return Ok(());
        }
        values.clear();
        for _ in 0..count {
            let mut len = [0u8; 4];
            from.read_exact(&mut len)?;
            let len = i32::from_be_bytes(len);
            let Ok(len) = usize::try_from(len) else {
                values.push(None);
                continue;
            };
            let value = match len {
                2 | 4 | 8 => {
                    from.read_exact(&mut field[..len])?;
                    Some(match len {
                        2 => i64::from(i16::from_be_bytes([field[0], field[1]])),
                        4 => {
                            i64::from(i32::from_be_bytes([field[0], field[1], field[2], field[3]]))
                        }
                        _ => i64::from_be_bytes(field),
                    })
                }
                _ => {
                    std::io::copy(
                        &mut std::io::Read::take(&mut from, len as u64),
                        &mut std::io::sink(),
                    )?;
                    None
                }
            };
            values.push(value);
        }
        row(&values);
    }
}

/// Reads a binary COPY of one row whose fields are integer arrays (or NULL,
/// which `array_agg` gives for no rows), into one list per field: elements
/// of 2, 4 or 8 bytes, NULL elements as `None`.
fn binary_arrays(copy: &[u8], columns: usize) -> std::io::Result<Vec<Vec<Option<i64>>>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut at = 0usize;
    let mut take = |n: usize| -> std::io::Result<&[u8]> {
        let part = copy
            .get(at..at + n)
            .ok_or_else(|| bad("a cut binary COPY"))?;
        at += n;
        Ok(part)
    };
    let int = |b: &[u8]| i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let head = take(19)?;
    if &head[..11] != b"PGCOPY\n\xff\r\n\0" {
        return Err(bad("not a binary COPY"));
    }
    let extension = usize::try_from(int(&head[15..19])).map_err(|_| bad("a bad header"))?;
    take(extension)?;
    let count = i16::from_be_bytes(take(2)?.try_into().map_err(|_| bad("a cut row"))?);
    if usize::try_from(count).ok() != Some(columns) {
        return Err(bad("not one row of the arrays asked for"));
    }
    let mut out = Vec::with_capacity(columns);
    for _ in 0..columns {
        let mut values = Vec::new();
        // A NULL field (length -1): no rows at all.
        if let Ok(len) = usize::try_from(int(take(4)?)) {
            let field = take(len)?;
            let mut f = 0usize;
            let mut next = |n: usize| -> std::io::Result<&[u8]> {
                let part = field.get(f..f + n).ok_or_else(|| bad("a cut array"))?;
                f += n;
                Ok(part)
            };
            let dims = int(next(4)?);
            next(8)?; // NULL flag, element type
            let mut elements = 0usize;
            if dims == 1 {
                elements = usize::try_from(int(next(4)?)).map_err(|_| bad("a bad array"))?;
                next(4)?; // lower bound
            } else if dims != 0 {
                return Err(bad("an array of more than one dimension"));
            }
            values.reserve(elements);
            for _ in 0..elements {
                let len = int(next(4)?);
                values.push(match len {
                    -1 => None,
                    2 => {
                        let b = next(2)?;
                        Some(i64::from(i16::from_be_bytes([b[0], b[1]])))
                    }
                    4 => Some(i64::from(int(next(4)?))),
                    8 => Some(i64::from_be_bytes(
                        next(8)?.try_into().map_err(|_| bad("a cut value"))?,
                    )),
                    _ => return Err(bad("an array of something other than integers")),
                });
            }
        }
        out.push(values);
    }
    Ok(out)
}

impl Pg<'_> {
    /// Runs `sql`, in the server's spelling already, as a binary COPY.
    fn copied(&mut self, sql: &str, row: &mut dyn FnMut(&[Option<i64>])) -> Result<(), StoreError> {
        let server = self.1;
        let fail = |e| refused(server, None, e);
        let reader = self
            .0
            .copy_out(&format!("COPY ({sql}) TO STDOUT (FORMAT binary)"))
            .map_err(fail)?;
        binary_rows(std::io::BufReader::with_capacity(1 << 16, reader), row).map_err(|e| {
            StoreError::Server {
                server: server.to_owned(),
                message: e.to_string(),
            }
        })
    }
}

impl figures::Sql for Pg<'_> {
    /// Read as a binary COPY: a year's report reads a million durations,
    /// and row by row the client spent more on building rows and trying
    /// each column's width than the server on finding them.
    fn each(
        &mut self,
        sql: &str,
        params: &[i64],
        row: &mut dyn FnMut(&[Option<i64>]),
    ) -> Result<(), StoreError> {
        self.copied(&in_postgres_spelling(&with_values(sql, params)), row)
    }

    /// Every range's count from one statement: the ranges go in as two
    /// arrays and `sql` is asked of each row (a year's trend was 730 round
    /// trips).
    fn counts_over(
        &mut self,
        sql: &str,
        ranges: &[(i64, i64)],
    ) -> Option<Result<Vec<u64>, StoreError>> {
        let list = |f: fn(&(i64, i64)) -> i64| {
            ranges
                .iter()
                .map(|r| f(r).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let (starts, ends) = (list(|r| r.0), list(|r| r.1));
        let each = in_postgres_spelling(&sql.replace("?1", "b.s").replace("?2", "b.e"));
        let sql = format!(
            "SELECT ({each}) FROM unnest('{{{starts}}}'::bigint[], '{{{ends}}}'::bigint[])
                 WITH ORDINALITY AS b(s, e, i) ORDER BY b.i"
        );
        let mut counts = Vec::with_capacity(ranges.len());
        let done = self.copied(&sql, &mut |row| {
            counts.push(u64::try_from(row[0].unwrap_or(0)).unwrap_or(0));
        });
        Some(done.map(|()| counts))
    }

    /// The rows as one array per column, aggregated by the server: one
    /// COPY message instead of one per row (a year's first replies at 1M
    /// tickets: ~900,000 rows, whose messages kept the client busier than
    /// the server).
    fn bulk(
        &mut self,
        sql: &str,
        params: &[i64],
        columns: usize,
    ) -> Option<Result<Vec<Vec<Option<i64>>>, StoreError>> {
        let inner = in_postgres_spelling(&with_values(sql, params));
        let names: Vec<String> = (0..columns).map(|i| format!("c{i}")).collect();
        let arrays: Vec<String> = names.iter().map(|n| format!("array_agg(q.{n})")).collect();
        let sql = format!(
            "COPY (SELECT {} FROM ({inner}) AS q({})) TO STDOUT (FORMAT binary)",
            arrays.join(", "),
            names.join(", ")
        );
        let server = self.1;
        let mut read = || -> Result<Vec<u8>, StoreError> {
            let mut reader = self
                .0
                .copy_out(&sql)
                .map_err(|e| refused(server, None, e))?;
            let mut copy = Vec::new();
            std::io::Read::read_to_end(&mut reader, &mut copy).map_err(|e| StoreError::Server {
                server: server.to_owned(),
                message: e.to_string(),
            })?;
            Ok(copy)
        };
        Some(read().and_then(|copy| {
            binary_arrays(&copy, columns).map_err(|e| StoreError::Server {
                server: server.to_owned(),
                message: e.to_string(),
            })
        }))
    }

    fn named(&mut self, sql: &str) -> Result<Vec<(i64, String, bool)>, StoreError> {
        let sql = in_postgres_spelling(sql);
        let rows = self
            .0
            .query(&sql, &[])
            .map_err(|e| refused(self.1, None, e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let flag = r.len() > 2 && r.get::<_, bool>(2);
                (r.get(0), r.get(1), flag)
            })
            .collect())
    }
}

impl std::fmt::Debug for ServerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerStore")
            .field("server", &self.server)
            .field("me", &self.me.name)
            .finish_non_exhaustive()
    }
}

/// How often a desk says again where it is, to stay shown: the server
/// forgets a desk it has not heard from for a minute.
const PRESENCE_KEPT: Duration = Duration::from_secs(20);

/// Says desk `desk` is at `at` (`None`: no ticket).
fn say_presence(
    client: &mut Client,
    desk: &str,
    at: Option<(TicketNumber, Doing)>,
) -> Result<(), postgres::Error> {
    let (ticket, doing) = (at.map(|(t, _)| t.0), at.map_or(0, |(_, d)| d.code()));
    client.execute(
        "SELECT tickets.present($1, $2, $3)",
        &[&desk, &ticket, &doing],
    )?;
    Ok(())
}

/// Listens for other desks' changes and presence on a new connection, and
/// says which server process it is (which signs this desk's own
/// announcements), in one round trip.
fn listen(client: &mut Client) -> Result<String, postgres::Error> {
    let answers =
        client.simple_query("LISTEN tickets; LISTEN tickets_presence; SELECT pg_backend_pid()")?;
    Ok(answers
        .iter()
        .find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_default())
}

/// What the server's SQLSTATE says went wrong, in the store's words.
pub(super) fn refused(
    server: &str,
    ticket: Option<TicketNumber>,
    error: postgres::Error,
) -> StoreError {
    let Some(db) = error.as_db_error() else {
        return server_error(server, error);
    };
    let detail = db.detail().unwrap_or_default();
    match db.code().code() {
        // A merge's conflict names its ticket (HINT, migration 14).
        "TK409" => StoreError::Conflict {
            ticket: db
                .hint()
                .and_then(|h| h.parse().ok())
                .map(TicketNumber)
                .or(ticket)
                .unwrap_or(TicketNumber(0)),
            current_version: detail.parse().unwrap_or_default(),
        },
        "TK410" => StoreError::NoteConflict,
        "TK403" => StoreError::NotAllowed(db.message().to_owned()),
        "TK404" => {
            let id = db.hint().and_then(|h| h.parse().ok()).unwrap_or_default();
            match detail {
                "ticket" => StoreError::NoSuchTicket(TicketNumber(id)),
                "agent" => StoreError::NotFound { what: "agent", id },
                "customer" => StoreError::NotFound {
                    what: "customer",
                    id,
                },
                "tag" => StoreError::NotFound { what: "tag", id },
                "shared view" => StoreError::NotFound {
                    what: "shared view",
                    id,
                },
                "canned reply" => StoreError::NotFound {
                    what: "canned reply",
                    id,
                },
                _ => StoreError::NotFound { what: "note", id },
            }
        }
        // Migration 10: a shared view's name is another's (DETAIL: that one's).
        "TK422" => StoreError::Invalid(validate::view_name_taken(
            db.hint().unwrap_or(detail),
            detail,
        )),
        // Migration 15: a canned reply's title is another's (DETAIL: that one's).
        "TK423" => StoreError::Invalid(validate::canned_title_taken(
            db.hint().unwrap_or(detail),
            detail,
        )),
        _ => server_error(server, error),
    }
}

fn row_to_agent(r: &Row, first: usize) -> Agent {
    Agent {
        id: AgentId(r.get(first)),
        name: r.get(first + 1),
        email: r.get(first + 2),
        active: r.get(first + 3),
    }
}

fn optional_agent(r: &Row, first: usize) -> Option<Agent> {
    r.get::<_, Option<i64>>(first)
        .map(|_| row_to_agent(r, first))
}

fn status_of(code: i16) -> Result<Status, StoreError> {
    Status::from_code(i64::from(code)).ok_or_else(|| damaged("status", code))
}

fn priority_of(code: i16) -> Result<Priority, StoreError> {
    Priority::from_code(i64::from(code)).ok_or_else(|| damaged("priority", code))
}

fn damaged(what: &str, code: i16) -> StoreError {
    StoreError::Damaged {
        path: Default::default(),
        detail: format!("a {what} stored as {code}, which Tickets does not know"),
    }
}

fn code(c: i64) -> i16 {
    i16::try_from(c).unwrap_or(i16::MAX)
}

impl ServerStore {
    /// Connects to the team database a URL names, as the agent its login
    /// is. A database not set up for a team, set up by a newer Tickets, or a
    /// login that is no active agent of it, is refused with a sentence.
    pub fn open(url: &str, clock: Arc<dyn Clock>) -> Result<ServerStore, StoreError> {
        let server = server_name(&config_of(url)?);
        let mut client = connect(url)?;
        let fail = |e| server_error(&server, e);
        let says = |message: String| StoreError::Server {
            server: server.clone(),
            message,
        };
        // A login of another team (PostgreSQL lets any login connect to any
        // database by default) may not even look at this one's schema.
        let row = client
            .query_one(
                "SELECT session_user::text, to_regnamespace('tickets') IS NOT NULL
                        AND NOT has_schema_privilege('tickets', 'USAGE')",
                &[],
            )
            .map_err(fail)?;
        if row.get::<_, bool>(1) {
            return Err(says(format!(
                "the login “{}” is not an agent of this team; an admin adds it with `tickets server add-agent`",
                row.get::<_, String>(0)
            )));
        }
        let version: Option<i32> = client
            .query_one(
                "SELECT CASE WHEN to_regclass('tickets.team') IS NULL THEN NULL
                        ELSE (SELECT version FROM tickets.team) END",
                &[],
            )
            .map_err(fail)?
            .get(0);
        match version {
            None => {
                return Err(says(
                    "this database is not set up for a team yet: its admin runs `tickets server init` on it first"
                        .to_owned(),
                ));
            }
            Some(v) if v > TEAM_SCHEMA_VERSION => {
                return Err(StoreError::TooNew {
                    found: i64::from(v),
                    supported: i64::from(TEAM_SCHEMA_VERSION),
                });
            }
            Some(v) if v < TEAM_SCHEMA_VERSION => {
                return Err(says(format!(
                    "this team's database has schema version {v}; this Tickets needs {TEAM_SCHEMA_VERSION}: its admin runs `tickets server init` on it again to upgrade it"
                )));
            }
            Some(_) => {}
        }
        let me = client
            .query_opt(
                "SELECT id, name, email, active FROM tickets.agents WHERE login = session_user AND active",
                &[],
            )
            .map_err(fail)?
            .map(|r| row_to_agent(&r, 0));
        let Some(me) = me else {
            let login: String = client
                .query_one("SELECT session_user::text", &[])
                .map_err(fail)?
                .get(0);
            return Err(says(format!(
                "the login “{login}” is not an active agent of this team; an admin adds it with `tickets server add-agent`"
            )));
        };
        let pid = listen(&mut client).map_err(fail)?;
        Ok(ServerStore {
            client: RefCell::new(client),
            url: url.to_owned(),
            server,
            clock,
            me,
            heard: Cell::new(1),
            pid: RefCell::new(pid),
            in_snapshot: Cell::new(false),
            presence_news: Cell::new(true),
            present: Cell::new(None),
            desk: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            presence_said: Cell::new(std::time::Instant::now()),
            helper: RefCell::new(None),
            helper_refused: Cell::new(None),
        })
    }

    /// The connection, connected again first if the last one was lost (the
    /// server restarted, the network went away): a new connection listens
    /// again, and counts as news, since what others announced meanwhile was
    /// not stored for it: whoever asks [`ServerStore::data_version`] reads
    /// everything again. A change whose connection was lost was reported as
    /// failed, and is not retried: it may or may not have been committed,
    /// and the read after reconnecting shows which.
    fn conn(&self) -> Result<std::cell::RefMut<'_, Client>, StoreError> {
        if self.client.borrow().is_closed() {
            let (client, pid) = self.reconnect()?;
            *self.client.borrow_mut() = client;
            *self.pid.borrow_mut() = pid;
            self.heard.set(self.heard.get() + 1);
        }
        Ok(self.client.borrow_mut())
    }

    /// A new connection as the same agent, listening for changes.
    fn reconnect(&self) -> Result<(Client, String), StoreError> {
        let mut client = connect(&self.url)?;
        let fail = |e| server_error(&self.server, e);
        let me: Option<i64> = client
            .query_opt(
                "SELECT id FROM tickets.agents WHERE login = session_user AND active",
                &[],
            )
            .map_err(fail)?
            .map(|r| r.get(0));
        if me != Some(self.me.id.0) {
            return Err(StoreError::Server {
                server: self.server.clone(),
                message: format!(
                    "{} can no longer sign in as an agent of this team",
                    self.me.name
                ),
            });
        }
        let pid = listen(&mut client).map_err(fail)?;
        if self.present.get().is_some() {
            say_presence(&mut client, &self.desk, self.present.get()).map_err(fail)?;
            self.presence_said.set(std::time::Instant::now());
        }
        self.presence_news.set(true);
        Ok((client, pid))
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// "host/database".
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The signed-in agent: who every change is recorded as.
    pub fn me(&self) -> &Agent {
        &self.me
    }

    /// The clock changes are stamped with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub(super) fn now(&self) -> i64 {
        to_millis(self.clock.now())
    }

    fn fail(&self, error: postgres::Error) -> StoreError {
        refused(&self.server, None, error)
    }

    /// A change made as `actor`, who must be the signed-in agent.
    pub(super) fn as_me(&self, actor: AgentId) -> Result<(), StoreError> {
        if actor == self.me.id {
            Ok(())
        } else {
            Err(StoreError::NotAllowed(format!(
                "on a team server every change is made as the agent signed in ({}), not as anyone else",
                self.me.name
            )))
        }
    }

    /// Calls one of the team's functions, returning its one row.
    pub(super) fn call(
        &self,
        ticket: Option<TicketNumber>,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, StoreError> {
        self.conn()?
            .query_one(sql, params)
            .map_err(|e| refused(&self.server, ticket, e))
    }

    /// The rows of one read, in a snapshot ([`ServerStore::reading`]).
    pub(super) fn call_rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        self.reading(|tx| Ok(tx.query(sql, params)?))
    }

    /// Whether a [`ServerStore::snapshot`] is open (its transaction only
    /// reads).
    pub(super) fn in_snapshot(&self) -> bool {
        self.in_snapshot.get()
    }

    /// Runs `read` in one read-only snapshot: its own, or the one
    /// [`ServerStore::snapshot`] holds open around it.
    fn reading<T>(
        &self,
        read: impl FnOnce(&mut Client) -> Result<T, ReadError>,
    ) -> Result<T, StoreError> {
        let mut client = self.conn()?;
        let own = !self.in_snapshot.get();
        if own {
            client
                .batch_execute(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                     SET LOCAL search_path = tickets, pg_catalog",
                )
                .map_err(|e| self.fail(e))?;
        }
        let value = read(&mut client);
        if own {
            let end = if value.is_ok() { "COMMIT" } else { "ROLLBACK" };
            client.batch_execute(end).map_err(|e| self.fail(e))?;
        }
        value.map_err(|e| match e {
            ReadError::Server(e) => self.fail(e),
            ReadError::Store(e) => e,
        })
    }

    /// Runs `read` in one read-only snapshot (as [`ServerStore::reading`]),
    /// its errors the store's own.
    pub(super) fn read_with<T>(
        &self,
        read: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.reading(|client| read(client).map_err(ReadError::Store))
    }

    /// Runs `write` in one transaction: committed when it returns `Ok`,
    /// rolled back (nothing of it kept) when it returns an error.
    pub(super) fn write_with<T>(
        &self,
        write: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(|e| self.fail(e))?;
        let value = write(&mut tx)?;
        tx.commit().map_err(|e| self.fail(e))?;
        Ok(value)
    }

    /// Runs `read` on one snapshot of the team's data: every read in it sees
    /// the same data, whatever other desks commit meanwhile.
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&ServerSnapshot<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.in_snapshot.get() {
            return read(&ServerSnapshot { db: self });
        }
        self.conn()?
            .batch_execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                 SET LOCAL search_path = tickets, pg_catalog",
            )
            .map_err(|e| E::from(self.fail(e)))?;
        self.in_snapshot.set(true);
        let value = read(&ServerSnapshot { db: self });
        self.in_snapshot.set(false);
        let end = if value.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn()?
            .batch_execute(end)
            .map_err(|e| E::from(self.fail(e)))?;
        value
    }

    /// The report of `period`, read in one snapshot.
    pub fn report(
        &self,
        period: &crate::analytics::Period,
    ) -> Result<crate::analytics::Report, StoreError> {
        let server = self.server.clone();
        let (start, end) = period.millis();
        self.reading(|client| {
            // The report's snapshot, for the helper to read in too.
            let snapshot: String = client.query_one("SELECT pg_export_snapshot()", &[])?.get(0);
            let mut helper = self.helper_in(&snapshot);
            let report = std::thread::scope(|scope| {
                let job = helper.as_mut().and_then(|h| {
                    let server = server.clone();
                    std::thread::Builder::new()
                        .name("tickets-report".to_owned())
                        .spawn_scoped(scope, move || {
                            figures::side(&mut Pg(h, &server), start, end)
                        })
                        .ok()
                });
                let side = move |r: &mut dyn figures::Sql| -> Result<figures::Side, StoreError> {
                    match job {
                        Some(job) => job
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                        None => figures::side(r, start, end),
                    }
                };
                figures::report_main(&mut Pg(client, &server), period, side)
            });
            if let Some(mut h) = helper
                && h.batch_execute("COMMIT").is_ok()
                && report.is_ok()
            {
                *self.helper.borrow_mut() = Some(h);
            }
            Ok(report?)
        })
    }

    /// The helper connection (opened if need be), in a read-only
    /// transaction on `snapshot`; `None` where it cannot be had (the
    /// report is then read on one connection, as before).
    fn helper_in(&self, snapshot: &str) -> Option<Client> {
        let taken = self.helper.borrow_mut().take();
        let mut client = match taken {
            Some(client) if !client.is_closed() => client,
            _ => {
                // A second connection refused (too many connections, the
                // server away) is not asked for again for a minute: each
                // attempt could wait its whole connect timeout.
                if self
                    .helper_refused
                    .get()
                    .is_some_and(|at| at.elapsed() < Duration::from_secs(60))
                {
                    return None;
                }
                match connect(&self.url) {
                    Ok(client) => client,
                    Err(_) => {
                        self.helper_refused.set(Some(std::time::Instant::now()));
                        return None;
                    }
                }
            }
        };
        let quoted = snapshot.replace('\'', "''");
        client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                 SET TRANSACTION SNAPSHOT '{quoted}';
                 SET LOCAL search_path = tickets, pg_catalog"
            ))
            .ok()?;
        Some(client)
    }

    /// The numbers of the tickets behind a scope, ascending.
    pub fn scope_tickets(&self, scope: &crate::analytics::Scope) -> Result<Vec<i64>, StoreError> {
        let server = self.server.clone();
        self.reading(|client| Ok(figures::scope_ids(&mut Pg(client, &server), scope)?))
    }

    /// How many changes other desks announced since the connection opened:
    /// a number that moves when someone else commits a change.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let mut client = self.conn()?;
        // The client reads what the server sent only while it waits for an
        // answer: an empty round trip brings in announcements made since.
        if let Err(e) = client.batch_execute("") {
            // A connection found dead only now (it was idle while the
            // network went away and came back): connect again at once, so
            // the desk is back online at this look rather than the next.
            // Looking changes nothing, so it is safe to try again.
            if !client.is_closed() {
                return Err(server_error(&self.server, e));
            }
            drop(client);
            client = self.conn()?;
            client
                .batch_execute("")
                .map_err(|e| server_error(&self.server, e))?;
        }
        let mine = self.pid.borrow().clone();
        let mut notifications = client.notifications();
        let mut heard = self.heard.get();
        let mut pending = notifications.iter();
        while let Some(n) = pending.next().map_err(|e| server_error(&self.server, e))? {
            if n.payload() == mine.as_str() {
                continue;
            }
            if n.channel() == "tickets_presence" {
                self.presence_news.set(true);
            } else {
                heard += 1;
            }
        }
        drop(pending);
        drop(notifications);
        self.heard.set(heard);
        // Where this desk is, said again now and then to stay shown.
        if self.present.get().is_some() && self.presence_said.get().elapsed() >= PRESENCE_KEPT {
            say_presence(&mut client, &self.desk, self.present.get())
                .map_err(|e| server_error(&self.server, e))?;
            self.presence_said.set(std::time::Instant::now());
        }
        Ok(heard)
    }

    // ---- Presence ------------------------------------------------------

    /// Says which ticket this desk has open (`None`: none) and what its
    /// agent is doing there; other desks hear of it at once. Said again
    /// (at least every [`PRESENCE_KEPT`]), it keeps the desk shown.
    /// While the connection is lost it is only kept: the next connection
    /// says it (waiting here on a dead one would hold the desk up).
    pub fn set_presence(&self, at: Option<(TicketNumber, Doing)>) -> Result<(), StoreError> {
        self.present.set(at);
        if self.client.borrow().is_closed() {
            return Ok(());
        }
        let mut client = self.conn()?;
        say_presence(&mut client, &self.desk, at).map_err(|e| self.fail(e))?;
        self.presence_said.set(std::time::Instant::now());
        Ok(())
    }

    /// The other agents at tickets now, by ticket.
    pub fn presence(&self) -> Result<Vec<Presence>, StoreError> {
        let rows = self
            .conn()?
            .query(
                "SELECT agent_id, name, ticket_id, doing FROM tickets.others_present()",
                &[],
            )
            .map_err(|e| self.fail(e))?;
        Ok(rows
            .iter()
            .map(|r| Presence {
                agent: AgentId(r.get(0)),
                name: r.get(1),
                ticket: TicketNumber(r.get(2)),
                doing: Doing::from_code(r.get(3)),
            })
            .collect())
    }

    /// Whether another desk said where it is since the last call (or this
    /// one connected again): read [`ServerStore::presence`] again. Heard
    /// with the look for changes ([`ServerStore::data_version`]).
    pub fn presence_news(&self) -> bool {
        self.presence_news.replace(false)
    }

    // ---- Changes -------------------------------------------------------

    /// Raises a ticket as Open and records who raised it.
    pub fn create_ticket(
        &mut self,
        actor: AgentId,
        new: &NewTicket,
    ) -> Result<TicketNumber, StoreError> {
        self.as_me(actor)?;
        let subject = validate::subject(&new.subject)?;
        let description = validate::description(&new.description)?;
        let row = self.call(
            None,
            "SELECT tickets.create_ticket($1, $2, $3, $4, $5)",
            &[
                &subject,
                &description,
                &code(new.priority.code()),
                &new.customer.map(|c| c.0),
                &self.now(),
            ],
        )?;
        Ok(TicketNumber(row.get(0)))
    }

    fn edit(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        function: &str,
        expected_version: i64,
        value: &(dyn ToSql + Sync),
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(
            Some(ticket),
            &format!("SELECT tickets.{function}($1, $2, $3, $4)::text"),
            &[&ticket.0, &expected_version, value, &self.now()],
        )?;
        Ok(())
    }

    /// Moves a ticket to another status.
    pub fn set_status(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        to: Status,
    ) -> Result<(), StoreError> {
        self.edit(
            actor,
            ticket,
            "set_status",
            expected_version,
            &code(to.code()),
        )
    }

    /// Changes a ticket's priority.
    pub fn set_priority(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        to: Priority,
    ) -> Result<(), StoreError> {
        self.edit(
            actor,
            ticket,
            "set_priority",
            expected_version,
            &code(to.code()),
        )
    }

    /// Edits a ticket's subject.
    pub fn set_subject(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        subject: &str,
    ) -> Result<(), StoreError> {
        let to = validate::subject(subject)?;
        self.edit(actor, ticket, "set_subject", expected_version, &to)
    }

    /// Edits a ticket's description.
    pub fn set_description(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        description: &str,
    ) -> Result<(), StoreError> {
        let to = validate::description(description)?;
        self.edit(actor, ticket, "set_description", expected_version, &to)
    }

    /// Moves a ticket to another customer, or to none.
    pub fn set_customer(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        customer: Option<CustomerId>,
    ) -> Result<(), StoreError> {
        let to = customer.map(|c| c.0);
        self.edit(actor, ticket, "set_customer", expected_version, &to)
    }

    /// Records the customer's satisfaction rating on a resolved ticket.
    pub fn set_csat(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        rating: u8,
    ) -> Result<(), StoreError> {
        let rating = i16::from(validate::csat(rating)?);
        self.edit(actor, ticket, "set_csat", expected_version, &rating)
    }

    /// Calls `tickets.{function}(ticket, id, now)` as `actor`: the changes
    /// that add or remove one thing (an assignee, a tag) and carry no version.
    fn on_ticket(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        function: &str,
        id: i64,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(
            Some(ticket),
            &format!("SELECT tickets.{function}($1, $2, $3)::text"),
            &[&ticket.0, &id, &self.now()],
        )?;
        Ok(())
    }

    /// Assigns an agent to a ticket.
    pub fn assign(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        assignee: AgentId,
    ) -> Result<(), StoreError> {
        self.on_ticket(actor, ticket, "assign", assignee.0)
    }

    /// Removes an agent from a ticket's assignees.
    pub fn unassign(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        assignee: AgentId,
    ) -> Result<(), StoreError> {
        self.on_ticket(actor, ticket, "unassign", assignee.0)
    }

    /// Tags a ticket, creating the tag if it is new.
    pub fn add_tag(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        name: &str,
    ) -> Result<Tag, StoreError> {
        self.as_me(actor)?;
        let name = validate::tag(name)?;
        let row = self.call(
            Some(ticket),
            "SELECT tag_id, tag_name FROM tickets.add_tag($1, $2, $3)",
            &[&ticket.0, &name, &self.now()],
        )?;
        Ok(Tag {
            id: TagId(row.get(0)),
            name: row.get(1),
        })
    }

    /// Removes a tag from a ticket.
    pub fn remove_tag(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        tag: TagId,
    ) -> Result<(), StoreError> {
        self.on_ticket(actor, ticket, "remove_tag", tag.0)
    }

    /// Adds an internal note.
    pub fn add_note(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        body: &str,
    ) -> Result<NoteId, StoreError> {
        self.as_me(actor)?;
        let body = validate::note(body)?;
        let row = self.call(
            Some(ticket),
            "SELECT tickets.add_note($1, $2, $3)",
            &[&ticket.0, &body, &self.now()],
        )?;
        Ok(NoteId(row.get(0)))
    }

    /// Edits an internal note, if nobody changed it since `expected_version`.
    pub fn edit_note(
        &mut self,
        actor: AgentId,
        note: NoteId,
        expected_version: i64,
        body: &str,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let body = validate::note(body)?;
        self.call(
            None,
            "SELECT tickets.edit_note($1, $2, $3, $4)::text",
            &[&note.0, &expected_version, &body, &self.now()],
        )?;
        Ok(())
    }

    /// Deletes an internal note.
    pub fn delete_note(&mut self, actor: AgentId, note: NoteId) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(
            None,
            "SELECT tickets.delete_note($1, $2)::text",
            &[&note.0, &self.now()],
        )?;
        Ok(())
    }

    /// Attaches a message to the conversation.
    pub fn add_message(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        direction: Direction,
        body: &str,
    ) -> Result<MessageId, StoreError> {
        self.as_me(actor)?;
        let body = validate::message(body)?;
        let row = self.call(
            Some(ticket),
            "SELECT tickets.add_message($1, $2, $3, $4)",
            &[&ticket.0, &code(direction.code()), &body, &self.now()],
        )?;
        Ok(MessageId(row.get(0)))
    }

    /// Merges `others` into `keep` through `tickets.merge` (migration 14).
    pub fn merge(
        &mut self,
        actor: AgentId,
        keep: (TicketNumber, i64),
        others: &[(TicketNumber, i64)],
    ) -> Result<MergeCounts, StoreError> {
        self.as_me(actor)?;
        let others = crate::store::merge::others_checked(keep.0, others)?;
        let numbers: Vec<i64> = others.iter().map(|(n, _)| n.0).collect();
        let versions: Vec<i64> = others.iter().map(|(_, v)| *v).collect();
        let row = self.call(
            Some(keep.0),
            "SELECT messages, notes, tags, assignees FROM tickets.merge($1, $2, $3, $4, $5)",
            &[&keep.0.0, &keep.1, &numbers, &versions, &self.now()],
        )?;
        let count = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or_default();
        Ok(MergeCounts {
            messages: count(0),
            notes: count(1),
            tags: count(2),
            assignees: count(3),
        })
    }

    /// Links `a` to `b` through `tickets.set_link` (migration 14).
    pub fn link(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
    ) -> Result<(), StoreError> {
        self.set_link(actor, a, b, kind, true)
    }

    /// Removes a link through `tickets.set_link` (migration 14).
    pub fn unlink(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
    ) -> Result<(), StoreError> {
        self.set_link(actor, a, b, kind, false)
    }

    fn set_link(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
        on: bool,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let (first, second) = crate::store::merge::link_checked(a, b, kind)?;
        self.call(
            Some(first),
            "SELECT tickets.set_link($1, $2, $3, $4, $5)::text",
            &[&first.0, &second.0, &kind.code(), &on, &self.now()],
        )?;
        Ok(())
    }

    /// The ticket that holds what `ticket` held: the one it was merged
    /// into, following later merges; `None` when it was never merged.
    pub fn merged_into(&self, ticket: TicketNumber) -> Result<Option<TicketNumber>, StoreError> {
        self.reading(|tx| Ok(kept_in(tx, ticket)?))
    }

    /// Adds an agent without a login (admins only; an agent who signs in
    /// is added with `tickets server add-agent`).
    pub fn add_agent(&mut self, name: &str, email: &str) -> Result<AgentId, StoreError> {
        let name = validate::name(name)?;
        let email = validate::email(email)?;
        let row = self.call(
            None,
            "SELECT tickets.add_plain_agent($1, $2, $3, $4)",
            &[&name, &sort_key(&name), &email, &self.now()],
        )?;
        Ok(AgentId(row.get(0)))
    }

    /// Renames an agent or changes their email (admins only).
    pub fn update_agent(&mut self, id: AgentId, name: &str, email: &str) -> Result<(), StoreError> {
        let name = validate::name(name)?;
        let email = validate::email(email)?;
        self.call(
            None,
            "SELECT tickets.update_agent($1, $2, $3, $4)::text",
            &[&id.0, &name, &sort_key(&name), &email],
        )?;
        Ok(())
    }

    /// Deactivates or reactivates an agent, and their login (admins only).
    pub fn set_agent_active(&mut self, id: AgentId, active: bool) -> Result<(), StoreError> {
        self.call(
            None,
            "SELECT tickets.set_agent_active($1, $2)::text",
            &[&id.0, &active],
        )?;
        Ok(())
    }

    /// Adds a customer.
    pub fn add_customer(&mut self, new: &NewCustomer) -> Result<CustomerId, StoreError> {
        let (name, email, company) = (
            validate::name(&new.name)?,
            validate::email(&new.email)?,
            validate::company(&new.company)?,
        );
        let row = self.call(
            None,
            "SELECT tickets.add_customer($1, $2, $3, $4, $5)",
            &[&name, &sort_key(&name), &email, &company, &self.now()],
        )?;
        Ok(CustomerId(row.get(0)))
    }

    /// Changes a customer's name, email or company.
    pub fn update_customer(
        &mut self,
        id: CustomerId,
        changed: &NewCustomer,
    ) -> Result<(), StoreError> {
        let (name, email, company) = (
            validate::name(&changed.name)?,
            validate::email(&changed.email)?,
            validate::company(&changed.company)?,
        );
        self.call(
            None,
            "SELECT tickets.update_customer($1, $2, $3, $4, $5, $6)::text",
            &[
                &id.0,
                &name,
                &sort_key(&name),
                &email,
                &company,
                &self.now(),
            ],
        )?;
        Ok(())
    }

    /// Tags a customer.
    pub fn add_customer_tag(&mut self, id: CustomerId, tag: &str) -> Result<Tag, StoreError> {
        let name = validate::tag(tag)?;
        let row = self.call(
            None,
            "SELECT tag_id, tag_name FROM tickets.add_customer_tag($1, $2)",
            &[&id.0, &name],
        )?;
        Ok(Tag {
            id: TagId(row.get(0)),
            name: row.get(1),
        })
    }

    /// Untags a customer.
    pub fn remove_customer_tag(&mut self, id: CustomerId, tag: TagId) -> Result<(), StoreError> {
        self.call(
            None,
            "SELECT tickets.remove_customer_tag($1, $2)::text",
            &[&id.0, &tag.0],
        )?;
        Ok(())
    }

    // ---- Reads ---------------------------------------------------------

    /// An agent.
    pub fn agent(&self, id: AgentId) -> Result<Agent, StoreError> {
        self.conn()?
            .query_opt(
                "SELECT id, name, email, active FROM tickets.agents WHERE id = $1",
                &[&id.0],
            )
            .map_err(|e| self.fail(e))?
            .map(|r| row_to_agent(&r, 0))
            .ok_or(StoreError::NotFound {
                what: "agent",
                id: id.0,
            })
    }

    /// Every agent, active or not, by name.
    pub fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        Ok(self.conn()?
            .query(
                "SELECT id, name, email, active FROM tickets.agents ORDER BY sort_key COLLATE \"C\", id",
                &[],
            )
            .map_err(|e| self.fail(e))?
            .iter()
            .map(|r| row_to_agent(r, 0))
            .collect())
    }

    /// A customer with their tags.
    pub fn customer(&self, id: CustomerId) -> Result<Customer, StoreError> {
        self.reading(|tx| Ok(customer_in(tx, id)?))?
            .ok_or(StoreError::NotFound {
                what: "customer",
                id: id.0,
            })
    }

    /// Customers whose name, email or company matches every word of `text`
    /// (as words and word beginnings; an email address from its start), or
    /// whose id it is; by name, at most `limit`.
    pub fn find_customers(&self, text: &str, limit: usize) -> Result<Vec<Customer>, StoreError> {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut conds = Vec::new();
        if let Some(query) = self.query_of(text)? {
            params.push(Box::new(query));
            conds.push(format!(
                "tickets.customer_words(c.name, c.email, c.company) @@ ${}::text::tsquery",
                params.len()
            ));
        }
        for pattern in email_patterns(text) {
            params.push(Box::new(pattern));
            conds.push(format!(
                "lower(c.email) LIKE lower(${}::text) ESCAPE '\\'",
                params.len()
            ));
        }
        let Some(filter) = customer_filter(&conds, text) else {
            return Ok(Vec::new());
        };
        params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        let sql = format!(
            "SELECT c.id FROM tickets.customers c {filter}
             ORDER BY c.sort_key COLLATE \"C\", c.id LIMIT ${}",
            params.len()
        );
        self.reading(|tx| {
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as _).collect();
            let ids: Vec<i64> = tx.query(&sql, &refs)?.iter().map(|r| r.get(0)).collect();
            let mut customers = Vec::with_capacity(ids.len());
            for id in ids {
                customers.extend(customer_in(tx, CustomerId(id))?);
            }
            Ok(customers)
        })
    }

    /// What was typed as the server's search query (`tickets.query_of`):
    /// `None` where no word holds anything searchable.
    fn query_of(&self, text: &str) -> Result<Option<String>, StoreError> {
        let words = plain_words(text);
        if words.is_empty() {
            return Ok(None);
        }
        Ok(self
            .conn()?
            .query_one("SELECT tickets.query_of($1)::text", &[&words])
            .map_err(|e| self.fail(e))?
            .get(0))
    }

    /// A filter as SQL, its search made into the server's query.
    fn listing(&self, filter: &TicketFilter, facet: Facet) -> Result<Listing, StoreError> {
        let query = if validate::search(&filter.text)?.trim().is_empty() {
            None
        } else {
            self.query_of(&filter.text)?
        };
        let mut emails = Vec::new();
        if !validate::search(&filter.text)?.trim().is_empty() {
            for pattern in email_patterns(&filter.text) {
                let rows = self
                    .conn()?
                    .query(
                        "SELECT id FROM tickets.customers WHERE lower(email) LIKE lower($1) ESCAPE '\\'",
                        &[&pattern],
                    )
                    .map_err(|e| self.fail(e))?;
                emails.push(rows.iter().map(|r| r.get::<_, i64>(0)).collect());
            }
        }
        // A merged ticket's number finds the ticket it was merged into too;
        // an imported ticket's id in its source finds it.
        let mut kept = Vec::new();
        if !validate::search(&filter.text)?.trim().is_empty() {
            let mut client = self.conn()?;
            kept = super::imports::tickets_named(&mut *client, &filter.text)
                .map_err(|e| self.fail(e))?;
            if let Some(n) = parse_ticket_number(&filter.text) {
                kept.extend(
                    kept_in(&mut client, n)
                        .map_err(|e| self.fail(e))?
                        .map(|k| k.0),
                );
            }
        }
        let mut listing = Listing::of(filter, facet, query, emails, kept)?;
        if let Some(since) = filter.updated_since_millis(self.clock.now()) {
            listing.conds.push(format!("t.updated_at >= {since}"));
        }
        if let Some(due) = filter.due_condition(self.clock.now()) {
            listing.conds.push(due);
        }
        if !filter.numbers.is_empty() {
            let numbers = id_list(filter.numbers.iter().map(|n| n.0));
            listing.conds.push(format!("t.id IN ({numbers})"));
        }
        if let Some(scope) = &filter.scope {
            let ids = self.scope_tickets(scope)?;
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            listing
                .conds
                .push(format!("t.id = ANY('{{{}}}'::bigint[])", list.join(",")));
        }
        Ok(listing)
    }

    /// Every tag, by name.
    pub fn tags(&self) -> Result<Vec<Tag>, StoreError> {
        Ok(self
            .conn()?
            .query(
                "SELECT id, name FROM tickets.tags ORDER BY lower(name COLLATE \"C\"), id",
                &[],
            )
            .map_err(|e| self.fail(e))?
            .iter()
            .map(|r| Tag {
                id: TagId(r.get(0)),
                name: r.get(1),
            })
            .collect())
    }

    /// A tag by name, ignoring case.
    pub fn tag_named(&self, name: &str) -> Result<Option<Tag>, StoreError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT id, name FROM tickets.tags WHERE lower(name) = lower($1)",
                &[&name.trim()],
            )
            .map_err(|e| self.fail(e))?
            .map(|r| Tag {
                id: TagId(r.get(0)),
                name: r.get(1),
            }))
    }

    /// Everything the ticket panel shows about one ticket, in one snapshot.
    pub fn load_ticket(&self, ticket: TicketNumber) -> Result<TicketDetail, StoreError> {
        let found = self.reading(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT subject, description, status, priority, customer_id, created_at, updated_at,
                        version, first_reply_at, resolved_at, resolved_by, closed_at, csat
                 FROM tickets.tickets WHERE id = $1",
                &[&ticket.0],
            )?
            else {
                return Ok(None);
            };
            let opt_time = |i: usize| r.get::<_, Option<i64>>(i).map(from_millis);
            let customer = match r.get::<_, Option<i64>>(4) {
                Some(id) => customer_in(tx, CustomerId(id))?,
                None => None,
            };
            let assignees = tx
                .query(
                    "SELECT a.id, a.name, a.email, a.active FROM tickets.ticket_assignees ta
                     JOIN tickets.agents a ON a.id = ta.agent_id
                     WHERE ta.ticket_id = $1 ORDER BY a.sort_key COLLATE \"C\", a.id",
                    &[&ticket.0],
                )?
                .iter()
                .map(|r| row_to_agent(r, 0))
                .collect();
            let tags = tx
                .query(
                    "SELECT g.id, g.name FROM tickets.ticket_tags tt JOIN tickets.tags g ON g.id = tt.tag_id
                     WHERE tt.ticket_id = $1 ORDER BY lower(g.name COLLATE \"C\")",
                    &[&ticket.0],
                )?
                .iter()
                .map(|r| Tag {
                    id: TagId(r.get(0)),
                    name: r.get(1),
                })
                .collect();
            let messages = tx
                .query(
                    "SELECT m.id, m.direction, m.body, m.created_at, a.id, a.name, a.email, a.active
                     FROM tickets.messages m LEFT JOIN tickets.agents a ON a.id = m.author_id
                     WHERE m.ticket_id = $1 ORDER BY m.created_at, m.id",
                    &[&ticket.0],
                )?
                .iter()
                .map(|r| {
                    (
                        r.get::<_, i16>(1),
                        Message {
                            id: MessageId(r.get(0)),
                            direction: Direction::Inbound,
                            body: r.get(2),
                            at: from_millis(r.get(3)),
                            author: optional_agent(r, 4),
                        },
                    )
                })
                .collect::<Vec<_>>();
            let notes = tx
                .query(
                    "SELECT n.id, n.body, n.created_at, n.updated_at, n.version, a.id, a.name, a.email, a.active
                     FROM tickets.notes n LEFT JOIN tickets.agents a ON a.id = n.author_id
                     WHERE n.ticket_id = $1 ORDER BY n.created_at, n.id",
                    &[&ticket.0],
                )?
                .iter()
                .map(|r| Note {
                    id: NoteId(r.get(0)),
                    body: r.get(1),
                    created: from_millis(r.get(2)),
                    updated: from_millis(r.get(3)),
                    version: r.get(4),
                    author: optional_agent(r, 5),
                })
                .collect();
            let activity = tx
                .query(
                    "SELECT a.id, a.at, a.agent_id, coalesce(g.name, ''), a.kind, a.ref_id,
                            a.old_value::text, a.new_value::text, a.batch_id, b.size, b.undoes
                     FROM tickets.activity a LEFT JOIN tickets.agents g ON g.id = a.agent_id
                     LEFT JOIN tickets.bulk_batches b ON b.id = a.batch_id
                     WHERE a.ticket_id = $1 ORDER BY a.at DESC, a.id DESC",
                    &[&ticket.0],
                )?
                .iter()
                .filter_map(|r| {
                    let value = |i: usize| {
                        r.get::<_, Option<String>>(i)
                            .and_then(|t| serde_json::from_str(&t).ok())
                            .unwrap_or(serde_json::Value::Null)
                    };
                    let kind = decode(r.get(4), r.get(5), &value(6), &value(7))?;
                    Some(ActivityEntry {
                        id: r.get(0),
                        at: from_millis(r.get(1)),
                        actor: r.get::<_, Option<i64>>(2).map(AgentId),
                        actor_name: r.get(3),
                        kind,
                        bulk: r.get::<_, Option<i64>>(8).map(|batch| BulkMark {
                            batch,
                            size: r
                                .get::<_, Option<i64>>(9)
                                .and_then(|n| u64::try_from(n).ok())
                                .unwrap_or_default(),
                            undoes: r.get(10),
                        }),
                    })
                })
                .collect();
            let links = links_in(tx, ticket)?;
            let external_refs = super::imports::refs_in(tx, ticket)?;
            Ok(Some((
                r.get::<_, i16>(2),
                r.get::<_, i16>(3),
                TicketDetail {
                    number: ticket,
                    subject: r.get(0),
                    description: r.get(1),
                    status: Status::Open,
                    priority: Priority::Low,
                    customer,
                    assignees,
                    tags,
                    created: from_millis(r.get(5)),
                    updated: from_millis(r.get(6)),
                    version: r.get(7),
                    first_reply: opt_time(8),
                    resolved: opt_time(9),
                    resolved_by: r.get::<_, Option<i64>>(10).map(AgentId),
                    closed: opt_time(11),
                    csat: r
                        .get::<_, Option<i16>>(12)
                        .and_then(|c| u8::try_from(c).ok()),
                    messages: Vec::new(),
                    notes,
                    activity,
                    links,
                    external_refs,
                },
                messages,
            )))
        })?;
        let Some((status, priority, mut detail, messages)) = found else {
            return Err(StoreError::NoSuchTicket(ticket));
        };
        detail.status = status_of(status)?;
        detail.priority = priority_of(priority)?;
        detail.messages = messages
            .into_iter()
            .map(|(direction, mut m)| {
                m.direction = Direction::from_code(i64::from(direction))
                    .ok_or_else(|| damaged("message direction", direction))?;
                Ok(m)
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(detail)
    }

    // ---- The list ------------------------------------------------------

    /// One page of the tickets matching a filter, in order, with the exact total.
    pub fn list_tickets(&self, request: &ListRequest) -> Result<TicketPage, StoreError> {
        self.read_page(request, true)
    }

    /// One page as the window wants it first: the total is counted only
    /// for a jump, which needs it to read from the nearer end (at a million
    /// tickets the first page alone takes ~2 ms, its count 50 to 100).
    pub fn list_page(&self, request: &ListRequest) -> Result<TicketPage, StoreError> {
        self.read_page(request, false)
    }

    /// A page, and its total when `count` is set or the page needs it.
    fn read_page(&self, request: &ListRequest, count: bool) -> Result<TicketPage, StoreError> {
        let listing = self.listing(&request.filter, Facet::None)?;
        // From the views' tallies where they answer the filter (with no
        // parameters then), else by counting.
        let tallied = super::tallied::count_sql(&request.filter);
        let total_sql = tallied.clone().unwrap_or_else(|| listing.count_sql());
        // A jump (an offset with no anchor before it) reads the total first,
        // in the same snapshot, so that a page past the middle is read from
        // the far end; any other page is read first, as it is wanted first
        // (measured: the first page with its total ~10 ms slower the other
        // way round at a million tickets).
        let jump = request.offset > 0
            && request
                .anchor
                .as_ref()
                .is_none_or(|a| a.position >= request.offset);
        let (rows, total) = self.reading(|tx| {
            let params = listing.params();
            let total_params: &[&(dyn postgres::types::ToSql + Sync)] =
                if tallied.is_some() { &[] } else { &params };
            if jump {
                let total: i64 = tx.query_one(&total_sql, total_params)?.get(0);
                let page_sql = listing.page_sql_within(request, u64::try_from(total).unwrap_or(0));
                let rows = tx.query(&page_sql, &params)?;
                Ok((rows, Some(total)))
            } else {
                let rows = tx.query(&listing.page_sql(request).0, &params)?;
                let total: Option<i64> = if count {
                    Some(tx.query_one(&total_sql, total_params)?.get(0))
                } else {
                    None
                };
                Ok((rows, total))
            }
        })?;
        let mut page = TicketPage {
            total: total.map(|t| u64::try_from(t).unwrap_or_default()),
            offset: request.offset,
            rows: Vec::with_capacity(rows.len()),
            edges: None,
        };
        // A page that stops short of its limit ends the list: its end is
        // the total (an empty page past the start says only that the list
        // is no longer).
        let short = rows.len() < request.limit as usize;
        if page.total.is_none() && short && (request.offset == 0 || !rows.is_empty()) {
            page.total = Some(request.offset + rows.len() as u64);
        }
        let mut keys = Vec::with_capacity(rows.len());
        for r in &rows {
            keys.push(sort_key_of(request.sort.column, r)?);
            page.rows.push(ticket_row(r)?);
        }
        if let (Some(first), Some(last)) = (keys.first(), keys.last()) {
            page.edges = Some((first.clone(), last.clone()));
        }
        Ok(page)
    }

    /// The numbers of one page of matching tickets, in order.
    pub fn list_numbers(&self, request: &ListRequest) -> Result<Vec<TicketNumber>, StoreError> {
        let listing = self.listing(&request.filter, Facet::None)?;
        let sql = listing.numbers_sql(request);
        let rows = self.reading(|tx| Ok(tx.query(&sql, &listing.params())?))?;
        Ok(rows.iter().map(|r| TicketNumber(r.get(0))).collect())
    }

    /// How many tickets match a filter.
    pub fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError> {
        // From the views' tallies where they answer the filter.
        if let Some(sql) = super::tallied::count_sql(filter) {
            let total: i64 = self.reading(|tx| Ok(tx.query_one(&sql, &[])?.get(0)))?;
            return Ok(u64::try_from(total).unwrap_or_default());
        }
        let listing = self.listing(filter, Facet::None)?;
        let sql = listing.count_sql();
        let total: i64 = self.reading(|tx| Ok(tx.query_one(&sql, &listing.params())?.get(0)))?;
        Ok(u64::try_from(total).unwrap_or_default())
    }

    /// How many tickets match a filter with each status and each priority
    /// in place of its own. Where the filter chooses no status and no
    /// priority, both facets count the same tickets: one pass grouped by
    /// both counts them (two passes read a million tickets twice for the
    /// sidebar alone). Otherwise each facet has its own pass, leaving out
    /// its own choice (measured: one pass over every ticket grouped by both
    /// was slower than a pass by status plus a small pass over the backlog).
    pub fn facet_counts(&self, filter: &TicketFilter) -> Result<FacetCounts, StoreError> {
        if filter.statuses.is_empty() && filter.priorities.is_empty() {
            return self.facet_counts_at_once(filter);
        }
        let by_status = self.listing(filter, Facet::Status)?;
        let by_priority = self.listing(filter, Facet::Priority)?;
        let (status_sql, priority_sql) = (
            by_status.grouped_sql("t.status"),
            by_priority.grouped_sql("t.priority"),
        );
        let (statuses, priorities) = self.reading(|tx| {
            let count = |rows: Vec<Row>| -> Vec<(i16, i64)> {
                rows.iter().map(|r| (r.get(0), r.get(1))).collect()
            };
            Ok((
                count(tx.query(&status_sql, &by_status.params())?),
                count(tx.query(&priority_sql, &by_priority.params())?),
            ))
        })?;
        let of = |counts: &[(i16, i64)], c: i64| {
            counts
                .iter()
                .find(|(code, _)| i64::from(*code) == c)
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or_default())
        };
        Ok(FacetCounts {
            statuses: Status::ALL
                .iter()
                .map(|s| (*s, of(&statuses, s.code())))
                .collect(),
            priorities: Priority::ALL
                .iter()
                .map(|p| (*p, of(&priorities, p.code())))
                .collect(),
        })
    }

    /// [`ServerStore::facet_counts`] of a filter that chooses no status and
    /// no priority, in one pass.
    fn facet_counts_at_once(&self, filter: &TicketFilter) -> Result<FacetCounts, StoreError> {
        let listing = self.listing(filter, Facet::None)?;
        let sql = listing.grouped_sql("t.status, t.priority");
        let cells: Vec<(i64, i64, u64)> = self.reading(|tx| {
            Ok(tx
                .query(&sql, &listing.params())?
                .iter()
                .map(|r| {
                    (
                        i64::from(r.get::<_, i16>(0)),
                        i64::from(r.get::<_, i16>(1)),
                        u64::try_from(r.get::<_, i64>(2)).unwrap_or_default(),
                    )
                })
                .collect())
        })?;
        let sum = |keep: &dyn Fn(&(i64, i64, u64)) -> bool| -> u64 {
            cells.iter().filter(|c| keep(c)).map(|c| c.2).sum()
        };
        Ok(FacetCounts {
            statuses: Status::ALL
                .iter()
                .map(|s| (*s, sum(&|c| c.0 == s.code())))
                .collect(),
            priorities: Priority::ALL
                .iter()
                .map(|p| (*p, sum(&|c| c.1 == p.code())))
                .collect(),
        })
    }

    /// The queries a listing runs (the page's; the total's).
    pub fn listing_sql(&self, request: &ListRequest) -> Result<(Vec<String>, String), StoreError> {
        let listing = self.listing(&request.filter, Facet::None)?;
        let (page, total) = listing.page_sql(request);
        Ok((vec![page], total))
    }

    /// List rows for these tickets, in the order given.
    pub fn rows(&self, numbers: &[TicketNumber]) -> Result<Vec<TicketRow>, StoreError> {
        let ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
        let sql = format!("{ROW_SELECT} WHERE t.id = ANY($1)");
        let rows = self.reading(|tx| Ok(tx.query(&sql, &[&ids])?))?;
        let mut by_id = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let row = ticket_row(r)?;
            by_id.insert(row.number, row);
        }
        Ok(numbers.iter().filter_map(|n| by_id.remove(n)).collect())
    }

    /// Planner statistics are the server's own (autovacuum keeps them), so
    /// there is nothing for a desk to refresh.
    pub fn analyze(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// A team server's memory is set on the server (`shared_buffers`), not
    /// by each desk: nothing to change here.
    pub fn set_cache_size(&self, _kib: u32) -> Result<(), StoreError> {
        Ok(())
    }

    /// A team server's size is the server's to limit, not a desk's.
    pub fn set_max_page_count(&self, _pages: u32) -> Result<u32, StoreError> {
        Err(self.not_here("its size is limited on the server, not from a desk"))
    }

    /// How many rows each table of [`crate::store::transfer::TABLES`]
    /// holds, in one snapshot.
    pub fn transfer_counts(&self) -> Result<Vec<u64>, StoreError> {
        self.reading(|client| {
            let mut counts = Vec::new();
            for table in crate::store::transfer::TABLES {
                let n: i64 = client
                    .query_one(&format!("SELECT count(*) FROM tickets.{}", table.name), &[])?
                    .get(0);
                counts.push(u64::try_from(n).unwrap_or(0));
            }
            Ok(counts)
        })
    }

    /// Hands every row of every table of
    /// [`crate::store::transfer::TABLES`] to `row`, table by table and in
    /// key order, all in one snapshot, with the values a desk's file would
    /// hold (see [`super::import::read_table`]).
    pub fn transfer_rows(
        &self,
        row: &mut crate::store::transfer::RowSink<'_>,
    ) -> Result<(), StoreError> {
        let server = self.server.clone();
        self.reading(|client| {
            for table in crate::store::transfer::TABLES {
                super::import::read_table(client, table, &server, &mut |cells| row(table, cells))?;
            }
            Ok(())
        })
    }

    /// Erases a customer's personal data, as on a file (see
    /// [`crate::store::erase`]); admins only. The server works every new
    /// text out itself, by the file's rule, in one transaction.
    pub fn erase_customer(
        &mut self,
        actor: AgentId,
        customer: CustomerId,
    ) -> Result<crate::store::ErasedSummary, StoreError> {
        self.as_me(actor)?;
        let row = self.call(
            None,
            "SELECT changed_tickets, erased_messages FROM tickets.erase_customer($1, $2)",
            &[&customer.0, &self.now()],
        )?;
        let tickets: Vec<i64> = row.get(0);
        let messages: i64 = row.get(1);
        Ok(crate::store::ErasedSummary {
            customer,
            tickets: tickets.into_iter().map(TicketNumber).collect(),
            messages: messages as u64,
            file_cleared: false,
            on_server: true,
        })
    }

    // ---- What each agent has seen (migration 11) -----------------------

    /// Records that `agent` (the agent signed in) has ticket `ticket` open now.
    pub fn mark_read(&mut self, agent: AgentId, ticket: TicketNumber) -> Result<(), StoreError> {
        self.as_me(agent)?;
        self.call(
            Some(ticket),
            "SELECT tickets.mark_read($1, $2)::text",
            &[&ticket.0, &self.now()],
        )?;
        Ok(())
    }

    /// Which of `numbers` changed for `agent` since they last opened them
    /// (see [`crate::store::Store::unread_among`]).
    pub fn unread_among(
        &self,
        agent: AgentId,
        numbers: &[TicketNumber],
    ) -> Result<Vec<TicketNumber>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
        Ok(self
            .conn()?
            .query(
                "SELECT t.id FROM tickets.tickets t
                 LEFT JOIN tickets.ticket_reads r ON r.agent_id = $1 AND r.ticket_id = t.id
                 WHERE t.id = ANY($2) AND EXISTS (
                     SELECT 1 FROM tickets.activity a
                     WHERE a.ticket_id = t.id
                       AND a.at > coalesce(r.read_at, CASE WHEN EXISTS (
                               SELECT 1 FROM tickets.ticket_assignees ta
                               WHERE ta.ticket_id = t.id AND ta.agent_id = $1)
                           THEN -9223372036854775808 ELSE 9223372036854775807 END)
                       AND a.agent_id IS DISTINCT FROM $1
                       AND a.kind <> 'customer_erased')
                 ORDER BY t.id",
                &[&agent.0, &ids],
            )
            .map_err(|e| self.fail(e))?
            .iter()
            .map(|r| TicketNumber(r.get(0)))
            .collect())
    }

    // ---- Shared views (migration 10) -----------------------------------

    /// Every view shared with the team, in order (see
    /// [`crate::store::Store::shared_views`]).
    pub fn shared_views(&self) -> Result<Vec<SharedView>, StoreError> {
        Ok(self
            .conn()?
            .query(
                "SELECT id, position, name, definition, shared_by
                 FROM tickets.shared_views ORDER BY position, id",
                &[],
            )
            .map_err(|e| self.fail(e))?
            .iter()
            .map(|r| {
                shared_view_of(
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get::<_, &str>(3),
                    r.get::<_, Option<i64>>(4).map(AgentId),
                )
            })
            .collect())
    }

    /// Shares `view` with the team, after the others. Returns its id.
    pub fn share_view(&mut self, actor: AgentId, view: &SavedView) -> Result<i64, StoreError> {
        self.as_me(actor)?;
        let view = checked(view)?;
        let row = self.call(
            None,
            "SELECT tickets.share_view($1, $2, $3)",
            &[&view.name, &view.definition, &self.now()],
        )?;
        Ok(row.get(0))
    }

    /// Renames shared view `id` and replaces its filter and sort.
    pub fn update_shared_view(
        &mut self,
        actor: AgentId,
        id: i64,
        view: &SavedView,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let view = checked(view)?;
        self.call(
            None,
            "SELECT tickets.update_shared_view($1, $2, $3, $4)::text",
            &[&id, &view.name, &Some(view.definition), &self.now()],
        )?;
        Ok(())
    }

    /// Renames shared view `id`, keeping its filter and sort.
    pub fn rename_shared_view(
        &mut self,
        actor: AgentId,
        id: i64,
        name: &str,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let name = validate::view_name(name)?;
        self.call(
            None,
            "SELECT tickets.update_shared_view($1, $2, $3, $4)::text",
            &[&id, &name, &None::<String>, &self.now()],
        )?;
        Ok(())
    }

    /// Deletes shared view `id`.
    pub fn delete_shared_view(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(None, "SELECT tickets.delete_shared_view($1)::text", &[&id])?;
        Ok(())
    }

    /// Exchanges the places of shared views `a` and `b`, in one transaction.
    pub fn swap_shared_views(&mut self, actor: AgentId, a: i64, b: i64) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(
            None,
            "SELECT tickets.swap_shared_views($1, $2, $3)::text",
            &[&a, &b, &self.now()],
        )?;
        Ok(())
    }

    fn not_here(&self, why: &str) -> StoreError {
        StoreError::Unsupported(format!("{} is a team server: {why}", self.server))
    }

    /// How long a change waits for another's lock on the same ticket.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn()?
            .batch_execute(&format!("SET lock_timeout = {}", wait.as_millis()))
            .map_err(|e| self.fail(e))
    }
}

/// The ticket that holds what `ticket` held (see [`ServerStore::merged_into`]).
fn kept_in(tx: &mut Client, ticket: TicketNumber) -> Result<Option<TicketNumber>, postgres::Error> {
    let row = tx.query_opt(
        "WITH RECURSIVE chain (id, depth) AS (
             SELECT ticket_b, 1 FROM tickets.ticket_links WHERE ticket_a = $1 AND kind = 'merged'
             UNION ALL
             SELECT l.ticket_b, c.depth + 1 FROM tickets.ticket_links l
             JOIN chain c ON l.ticket_a = c.id AND l.kind = 'merged' WHERE c.depth < 32)
         SELECT id FROM chain ORDER BY depth DESC LIMIT 1",
        &[&ticket.0],
    )?;
    Ok(row.map(|r| TicketNumber(r.get(0))))
}

/// A ticket's links, by kind and then the other ticket's number (the
/// file's `links_of`).
fn links_in(tx: &mut Client, ticket: TicketNumber) -> Result<Vec<TicketLink>, postgres::Error> {
    let mut links: Vec<TicketLink> = tx
        .query(
            "SELECT l.ticket_b, t.subject, l.kind, true FROM tickets.ticket_links l
             JOIN tickets.tickets t ON t.id = l.ticket_b WHERE l.ticket_a = $1
             UNION ALL
             SELECT l.ticket_a, t.subject, l.kind, false FROM tickets.ticket_links l
             JOIN tickets.tickets t ON t.id = l.ticket_a WHERE l.ticket_b = $1",
            &[&ticket.0],
        )?
        .iter()
        .filter_map(|r| {
            let kind = LinkKind::from_code(r.get(2))?;
            Some(TicketLink {
                other: TicketNumber(r.get(0)),
                subject: r.get(1),
                kind,
                outgoing: r.get::<_, bool>(3) || kind == LinkKind::Related,
            })
        })
        .collect();
    links.sort_by_key(|l| (l.kind != LinkKind::Merged, l.kind, l.other));
    Ok(links)
}

fn customer_in(tx: &mut Client, id: CustomerId) -> Result<Option<Customer>, postgres::Error> {
    let Some(r) = tx.query_opt(
        "SELECT id, name, email, company FROM tickets.customers WHERE id = $1",
        &[&id.0],
    )?
    else {
        return Ok(None);
    };
    let tags = tx
        .query(
            "SELECT g.name FROM tickets.customer_tags ct JOIN tickets.tags g ON g.id = ct.tag_id
             WHERE ct.customer_id = $1 ORDER BY lower(g.name COLLATE \"C\")",
            &[&id.0],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Some(Customer {
        id,
        name: r.get(1),
        email: r.get(2),
        company: r.get(3),
        tags,
    }))
}

/// A list row's columns, then the sort columns' values (10: subject key,
/// 11: customer key, 12: assignee key).
const ROW_SELECT: &str = "SELECT t.id, t.subject, t.status, t.priority, c.name,
        ARRAY(SELECT a.name FROM tickets.ticket_assignees ta JOIN tickets.agents a ON a.id = ta.agent_id
              WHERE ta.ticket_id = t.id ORDER BY a.sort_key COLLATE \"C\", a.id),
        t.created_at, t.updated_at, t.due_at, t.due_risk_at,
        lower(t.subject COLLATE \"C\"), t.customer_key, t.assignee_key
    FROM tickets.tickets t LEFT JOIN tickets.customers c ON c.id = t.customer_id";

fn ticket_row(r: &Row) -> Result<TicketRow, StoreError> {
    Ok(TicketRow {
        number: TicketNumber(r.get(0)),
        subject: r.get(1),
        status: status_of(r.get(2))?,
        priority: priority_of(r.get(3))?,
        customer: r.get(4),
        assignees: r.get(5),
        created: from_millis(r.get(6)),
        updated: from_millis(r.get(7)),
        due: due_of_column(r.get(8)),
        due_risk: due_of_column(r.get(9)),
    })
}

fn sort_key_of(column: SortColumn, r: &Row) -> Result<ListKey, StoreError> {
    let text = |i: usize| match r.get::<_, Option<String>>(i) {
        Some(t) => SortValue::Text(t),
        None => SortValue::None,
    };
    let value = match column {
        SortColumn::Number | SortColumn::Created => SortValue::Number(r.get(0)),
        SortColumn::Status => SortValue::Number(i64::from(r.get::<_, i16>(2))),
        SortColumn::Priority => SortValue::Number(i64::from(r.get::<_, i16>(3))),
        SortColumn::Subject => text(10),
        SortColumn::Customer => text(11),
        SortColumn::Assignee => text(12),
        SortColumn::Updated => SortValue::Number(r.get(7)),
        SortColumn::Due => SortValue::Number(r.get(8)),
    };
    Ok(ListKey {
        value,
        number: TicketNumber(r.get(0)),
    })
}

/// Which choice a facet count replaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    None,
    Status,
    Priority,
}

/// A filter as SQL: its conditions on `t` (tickets) and the texts they bind.
struct Listing {
    conds: Vec<String>,
    texts: Vec<String>,
}

fn id_list(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|id| id.to_string()).collect::<Vec<_>>().join(",")
}

impl Listing {
    fn of(
        filter: &TicketFilter,
        facet: Facet,
        query: Option<String>,
        emails: Vec<Vec<i64>>,
        named: Vec<i64>,
    ) -> Result<Listing, StoreError> {
        let mut l = Listing {
            conds: Vec::new(),
            texts: Vec::new(),
        };
        if let Some(from) = filter.created_from {
            l.conds.push(format!("t.created_at >= {}", to_millis(from)));
        }
        if let Some(to) = filter.created_to {
            l.conds.push(format!("t.created_at < {}", to_millis(to)));
        }
        if !validate::search(&filter.text)?.trim().is_empty() {
            let number = match (parse_ticket_number(&filter.text), named.is_empty()) {
                (None, true) => None,
                (n, _) => Some(id_list(n.map(|n| n.0).into_iter().chain(named))),
            };
            match query {
                Some(query) => {
                    let n = l.bind(query);
                    let search = format!("t.search @@ ${n}::text::tsquery");
                    l.conds.push(match number {
                        Some(numbers) => format!("({search} OR t.id IN ({numbers}))"),
                        None => search,
                    });
                }
                None => match number {
                    Some(numbers) => l.conds.push(format!("t.id IN ({numbers})")),
                    None if !text_has_email(&filter.text) => l.conds.push("false".to_owned()),
                    None => {}
                },
            }
            // Each typed email, as the customers it names (looked up first,
            // so the planner walks the list's order through their tickets).
            for customers in emails {
                l.conds.push(if customers.is_empty() {
                    "false".to_owned()
                } else {
                    format!("t.customer_id IN ({})", id_list(customers.into_iter()))
                });
            }
        }
        if !filter.statuses.is_empty() && facet != Facet::Status {
            let codes = id_list(filter.statuses.iter().map(|s| s.code()));
            l.conds.push(format!("t.status IN ({codes})"));
        }
        if !filter.priorities.is_empty() && facet != Facet::Priority {
            let codes = id_list(filter.priorities.iter().map(|p| p.code()));
            l.conds.push(format!("t.priority IN ({codes})"));
        }
        if let Some(customer) = filter.customer {
            l.conds.push(format!("t.customer_id = {}", customer.0));
        }
        if !filter.tags.is_empty() {
            let tags = id_list(filter.tags.iter().map(|t| t.0));
            l.conds.push(format!(
                "EXISTS (SELECT 1 FROM tickets.ticket_tags g WHERE g.ticket_id = t.id AND g.tag_id IN ({tags}))"
            ));
        }
        if !filter.customer_tags.is_empty() {
            let tags = id_list(filter.customer_tags.iter().map(|t| t.0));
            l.conds.push(format!(
                "t.customer_id IN (SELECT customer_id FROM tickets.customer_tags WHERE tag_id IN ({tags}))"
            ));
        }
        if !filter.assignees.is_empty() {
            let agents = id_list(filter.assignees.iter().map(|a| a.0));
            let assigned = format!(
                "EXISTS (SELECT 1 FROM tickets.ticket_assignees a WHERE a.ticket_id = t.id AND a.agent_id IN ({agents}))"
            );
            l.conds.push(if filter.unassigned {
                format!("({assigned} OR t.assignee_key IS NULL)")
            } else {
                assigned
            });
        } else if filter.unassigned {
            l.conds.push("t.assignee_key IS NULL".to_owned());
        }
        Ok(l)
    }

    fn bind(&mut self, text: String) -> usize {
        self.texts.push(text);
        self.texts.len()
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.texts
            .iter()
            .map(|t| t as &(dyn ToSql + Sync))
            .collect()
    }

    fn where_clause(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }

    fn count_sql(&self) -> String {
        format!(
            "SELECT count(*) FROM tickets.tickets t{}",
            self.where_clause()
        )
    }

    fn grouped_sql(&self, column: &str) -> String {
        format!(
            "SELECT {column}, count(*) FROM tickets.tickets t{} GROUP BY {column}",
            self.where_clause()
        )
    }

    /// The page's query and the total's. A page read on from an anchor is
    /// read from the anchor's key (through the sort column's index) when it
    /// lies after it in the list; otherwise rows are counted from the top.
    fn page_sql(&self, request: &ListRequest) -> (String, String) {
        // The page's numbers are found first, and only its rows are built
        // (customer, assignees): rows skipped over are never built.
        (
            format!(
                "{ROW_SELECT} WHERE t.id IN ({}) ORDER BY {}",
                self.numbers_sql(request),
                order_by(request.sort)
            ),
            self.count_sql(),
        )
    }

    /// [`Listing::page_sql`]'s page, knowing that `total` tickets match: a
    /// page past the middle of the list (read from the top, with no anchor
    /// to read on from) is read from the bottom, in the reverse order,
    /// skipping the rows after it. A jump to the last page of a million
    /// tickets skipped 999,900 index entries; it now skips none.
    fn page_sql_within(&self, request: &ListRequest, total: u64) -> String {
        let from_top = request.offset;
        let anchored = request
            .anchor
            .as_ref()
            .is_some_and(|a| a.position < request.offset);
        let limit = u64::from(request.limit);
        if anchored || from_top <= total / 2 || from_top >= total {
            return self.page_sql(request).0;
        }
        // Rows from the bottom to the page's last, and how many it holds.
        let take = limit.min(total - from_top);
        let from_bottom = total - from_top - take;
        let reversed = Sort {
            column: request.sort.column,
            descending: !request.sort.descending,
        };
        let numbers = format!(
            "SELECT t.id FROM tickets.tickets t{} ORDER BY {} LIMIT {take} OFFSET {from_bottom}",
            self.where_clause(),
            order_by(reversed),
        );
        format!(
            "{ROW_SELECT} WHERE t.id IN ({numbers}) ORDER BY {}",
            order_by(request.sort)
        )
    }

    /// The numbers of one page, in order.
    fn numbers_sql(&self, request: &ListRequest) -> String {
        let sort = request.sort;
        let mut conds = self.conds.clone();
        let mut offset = request.offset;
        if let Some(anchor) = &request.anchor
            && anchor.position < request.offset
            && let Some(after) = after_key(sort, &anchor.key)
        {
            conds.push(after);
            offset = request.offset - anchor.position - 1;
        }
        let where_clause = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        // PostgreSQL counts rows in a bigint: an offset past it is past every row.
        let offset = offset.min(i64::MAX as u64);
        format!(
            "SELECT t.id FROM tickets.tickets t{where_clause} ORDER BY {} LIMIT {} OFFSET {offset}",
            order_by(sort),
            request.limit
        )
    }
}

/// The primary sort expression of a column (ties go by number).
fn expression(column: SortColumn) -> &'static str {
    match column {
        SortColumn::Number | SortColumn::Created => "t.id",
        SortColumn::Subject => "lower(t.subject COLLATE \"C\")",
        SortColumn::Status => "t.status",
        SortColumn::Priority => "t.priority",
        SortColumn::Customer => "t.customer_key COLLATE \"C\"",
        SortColumn::Assignee => "t.assignee_key COLLATE \"C\"",
        SortColumn::Updated => "t.updated_at",
        SortColumn::Due => "t.due_at",
    }
}

/// The ORDER BY of a sort, as the file orders: no value first when ascending.
fn order_by(sort: Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    let nulls = if sort.descending {
        "NULLS LAST"
    } else {
        "NULLS FIRST"
    };
    match sort.column {
        SortColumn::Number | SortColumn::Created => format!("t.id {dir}"),
        // Never NULL, and indexed without a NULLS clause: one here would
        // stop PostgreSQL reading the index in order (it sorted a million
        // rows for each first page, 200-300 ms).
        SortColumn::Updated | SortColumn::Due => {
            format!("{} {dir}, t.id {dir}", expression(sort.column))
        }
        column => format!("{} {dir} {nulls}, t.id {dir}", expression(column)),
    }
}

/// The condition for the rows after `key` in `sort`'s order; `None` where
/// the key's value cannot be compared (text where a number sorts).
fn after_key(sort: Sort, key: &ListKey) -> Option<String> {
    let (cmp, id) = (if sort.descending { "<" } else { ">" }, key.number.0);
    let column = sort.column;
    if matches!(column, SortColumn::Number | SortColumn::Created) {
        return Some(format!("t.id {cmp} {id}"));
    }
    let e = expression(column);
    let quoted = |t: &str| format!("'{}'", t.replace('\'', "''"));
    Some(match (&key.value, sort.descending) {
        (SortValue::Number(v), _) => format!("({e}, t.id) {cmp} ({v}, {id})"),
        (SortValue::Text(v), false) => {
            format!("({e}, t.id) > ({} COLLATE \"C\", {id})", quoted(v))
        }
        // After a value, descending: smaller values, then no value.
        (SortValue::Text(v), true) => format!(
            "(({e}, t.id) < ({} COLLATE \"C\", {id}) OR {e} IS NULL)",
            quoted(v)
        ),
        // After no value, ascending: the rest of no value, then every value.
        (SortValue::None, false) => format!("(({e} IS NULL AND t.id > {id}) OR {e} IS NOT NULL)"),
        (SortValue::None, true) => format!("({e} IS NULL AND t.id < {id})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_out_in_place_of_their_parameters() {
        assert_eq!(
            with_values("a >= ?1 AND b < ?2 AND c = ?10 AND d = ?3", &[5, -7]),
            "a >= (5) AND b < (-7) AND c = $10 AND d = $3"
        );
        assert_eq!(with_values("x ? y", &[1]), "x ? y");
    }

    #[test]
    fn a_binary_copy_reads_as_its_integers() {
        let mut copy = b"PGCOPY\n\xff\r\n\0".to_vec();
        copy.extend(0u32.to_be_bytes()); // flags
        copy.extend(2u32.to_be_bytes()); // header extension
        copy.extend([9, 9]);
        // (int8 -3, NULL, int2 7, int4 70000, 3 bytes of text "abc")
        copy.extend(5i16.to_be_bytes());
        copy.extend(8i32.to_be_bytes());
        copy.extend((-3i64).to_be_bytes());
        copy.extend((-1i32).to_be_bytes());
        copy.extend(2i32.to_be_bytes());
        copy.extend(7i16.to_be_bytes());
        copy.extend(4i32.to_be_bytes());
        copy.extend(70_000i32.to_be_bytes());
        copy.extend(3i32.to_be_bytes());
        copy.extend(b"abc");
        copy.extend((-1i16).to_be_bytes());
        let mut rows = Vec::new();
        binary_rows(&copy[..], &mut |row| rows.push(row.to_vec())).expect("read");
        assert_eq!(
            rows,
            vec![vec![Some(-3), None, Some(7), Some(70_000), None]]
        );
        assert!(binary_rows(&b"PGCOPY"[..], &mut |_| {}).is_err());
    }

    #[test]
    fn binary_arrays_reads_one_row_of_integer_arrays() {
        let mut copy = b"PGCOPY\n\xff\r\n\0".to_vec();
        copy.extend(0i32.to_be_bytes());
        copy.extend(0i32.to_be_bytes());
        copy.extend(3i16.to_be_bytes());
        // An int8 array {-3, NULL}: dims, NULL flag, element type, size, lower bound.
        let mut array = Vec::new();
        for v in [1i32, 1, 20, 2, 1, 8] {
            array.extend(v.to_be_bytes());
        }
        array.extend((-3i64).to_be_bytes());
        array.extend((-1i32).to_be_bytes());
        copy.extend((array.len() as i32).to_be_bytes());
        copy.extend(&array);
        // An int2 array {7}.
        let mut array = Vec::new();
        for v in [1i32, 0, 21, 1, 1, 2] {
            array.extend(v.to_be_bytes());
        }
        array.extend(7i16.to_be_bytes());
        copy.extend((array.len() as i32).to_be_bytes());
        copy.extend(&array);
        // NULL: array_agg over no rows.
        copy.extend((-1i32).to_be_bytes());
        copy.extend((-1i16).to_be_bytes());
        assert_eq!(
            binary_arrays(&copy, 3).expect("read"),
            vec![vec![Some(-3), None], vec![Some(7)], vec![]]
        );
        assert!(
            binary_arrays(&copy, 2).is_err(),
            "not the columns asked for"
        );
        assert!(binary_arrays(&copy[..40], 3).is_err(), "cut short");
    }
}
