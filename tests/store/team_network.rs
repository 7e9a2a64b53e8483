//! The network between desks and their team server, cut and mended: the
//! server runs in a network namespace of its own, reached over a veth pair
//! (`TestServer::start_behind_a_link`, `tests/fixtures/pg.rs`), and the
//! test takes the desks' end of the pair down while they work, then up.
//!
//! Nothing a desk was told was saved is lost. A change made while the
//! network is cut is refused, and is not saved, then or later. A change
//! already at the server when the cut came is saved with its answer lost:
//! the desk says the server could not be reached, does not make it again,
//! and once connected again reads it as saved. Each desk reconnects by
//! itself on its next call, hears that it must read everything again, and
//! then shows what the server holds.
//!
//! Needs root and `ip` (iproute2), as well as PostgreSQL: where either is
//! missing the test says so in one line, or fails under
//! `TICKETS_REQUIRE_POSTGRES` (which `.ci/run` sets).

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::fixtures::pg::{SUPERUSER, TestServer};
use crate::fixtures::{fixed_clock, new_ticket, t0};
use postgres::types::ToSql;
use tickets::clock::FixedClock;
use tickets::domain::{ActivityKind, AgentId, Priority, Status, TicketNumber};
use tickets::store::server::{NewAgentLogin, TeamAdmin};
use tickets::store::{ChangeToken, ListRequest, Store, StoreError};

/// How long a desk may take to give up on a call the cut network holds: the
/// client gives a connection up after 10 s without an answer
/// (`tcp_user_timeout`), and a busy machine adds to that. Past it, the desk
/// is taken to hang, and the test fails rather than waiting on.
const GIVES_UP_WITHIN: Duration = Duration::from_secs(30);

/// How long a desk may take to answer once the network is back: to notice,
/// connect again and do what it was asked.
const ANSWERS_WITHIN: Duration = Duration::from_secs(10);

/// How long a desk may take to hear a change another desk made.
const HEARS_WITHIN: Duration = Duration::from_secs(5);

/// One agent's desk across the link. Once the network is cut its calls run
/// on a thread of their own, so that a call the network holds fails the
/// test instead of stalling it.
struct Seat {
    who: &'static str,
    me: AgentId,
    store: Option<Store>,
    seen: ChangeToken,
}

/// A call under way on a desk's thread.
struct Pending<T> {
    who: &'static str,
    answer: mpsc::Receiver<(Store, T, Duration)>,
}

impl Seat {
    fn new(who: &'static str, store: Store) -> Seat {
        let me = store.signed_in().expect("signed in").id;
        let mut seat = Seat {
            who,
            me,
            store: Some(store),
            seen: ChangeToken::default(),
        };
        assert!(!seat.look_now(), "a fresh token has seen nothing yet");
        seat
    }

    /// The desk's store, for calls made while the network is whole.
    fn store(&mut self) -> &mut Store {
        self.store.as_mut().expect("the desk's store is back")
    }

    /// Whether anyone else changed anything since its last look, asked
    /// while the network is whole.
    fn look_now(&mut self) -> bool {
        let mut seen = self.seen;
        let heard = self
            .store()
            .changes_since(&mut seen)
            .unwrap_or_else(|e| panic!("{} looks for changes: {e}", self.who));
        self.seen = seen;
        heard
    }

    /// Starts `call` on the desk's store, on a thread of its own.
    fn start<T: Send + 'static>(
        &mut self,
        call: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Pending<T> {
        let mut store = self.store.take().expect("one call at a time");
        let (tell, answer) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("desk-{}", self.who))
            .spawn(move || {
                let started = Instant::now();
                let said = call(&mut store);
                let _ = tell.send((store, said, started.elapsed()));
            })
            .expect("a thread for the desk");
        Pending {
            who: self.who,
            answer,
        }
    }

    /// `call`'s answer, given within `limit`, and how long it took.
    fn within<T: Send + 'static>(
        &mut self,
        limit: Duration,
        call: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> (T, Duration) {
        let pending = self.start(call);
        pending.answer(self, limit)
    }

    /// A look for changes (as the window's worker looks every 0.7 s),
    /// answered within `limit`.
    fn look(&mut self, limit: Duration) -> (Result<bool, StoreError>, Duration) {
        let mut seen = self.seen;
        let ((heard, seen), took) = self.within(limit, move |s| {
            let heard = s.changes_since(&mut seen);
            (heard, seen)
        });
        self.seen = seen;
        (heard, took)
    }

    /// Looks until the desk hears a change, each look answered.
    fn hears(&mut self, what: &str) {
        let until = Instant::now() + HEARS_WITHIN;
        loop {
            match self.look(ANSWERS_WITHIN).0 {
                Ok(true) => return,
                Ok(false) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Ok(false) => panic!("{} did not hear {what} within {HEARS_WITHIN:?}", self.who),
                Err(e) => panic!("{} looks for {what}: {e:?}", self.who),
            }
        }
    }
}

impl<T> Pending<T> {
    /// The call's answer, the store given back to `seat`; fails the test
    /// if none comes within `limit`.
    fn answer(self, seat: &mut Seat, limit: Duration) -> (T, Duration) {
        let (store, said, took) = self.answer.recv_timeout(limit).unwrap_or_else(|e| {
            panic!(
                "{}'s desk gave no answer within {limit:?} ({e}): it hangs",
                self.who
            )
        });
        seat.store = Some(store);
        (said, took)
    }
}

/// Refused as a server that could not be reached: the sentence the window
/// shows for a change it did not save, and the offline line for a look.
fn unreachable<T: std::fmt::Debug>(who: &str, what: &str, said: Result<T, StoreError>) {
    match said {
        Err(StoreError::ServerUnreachable { detail, .. }) => {
            eprintln!("{who}'s {what} during the cut: server unreachable ({detail})");
        }
        other => panic!(
            "{who}'s {what} during the cut: expected it refused as the server unreachable, got {other:?}"
        ),
    }
}

/// The subjects of every ticket, newest first, as a desk lists them.
fn subjects(store: &Store) -> Vec<String> {
    store
        .list_tickets(&ListRequest {
            limit: 100,
            ..Default::default()
        })
        .expect("list the tickets")
        .rows
        .into_iter()
        .map(|r| r.subject)
        .collect()
}

/// A team on `server`, set up by its owner, Olu, with two agents, Dana
/// (login `dana`) and Sam (`sam`); the owner's URL over the server's
/// socket, on its side of the link, which the cut never touches: the
/// office, which goes on while the desks are cut off.
fn team(server: &TestServer) -> String {
    let owner_url = server.create_database("help");
    let mut admin = TeamAdmin::connect(&owner_url).expect("connect as the owner");
    admin.init("Olu Owner", "", t0()).expect("set the team up");
    for (name, login) in [("Dana Ortiz", "dana"), ("Sam Okafor", "sam")] {
        admin
            .add_agent(
                &NewAgentLogin {
                    name: name.to_owned(),
                    email: String::new(),
                    login: login.to_owned(),
                    password: None,
                    admin: false,
                },
                t0(),
            )
            .expect("add an agent");
    }
    owner_url
}

/// A desk signed in as `login`, across the link.
fn across(server: &TestServer, login: &str, clock: &Arc<FixedClock>) -> Store {
    Store::connect(&server.url_over_link(login, "help"), clock.clone())
        .unwrap_or_else(|e| panic!("{login} connects across the link: {e}"))
}

/// Waits up to 10 s for `sql` (one row, one text column) to say `Some`.
fn wait_for(
    psql: &mut postgres::Client,
    what: &str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> String {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let row = psql.query_opt(sql, params).expect(what);
        if let Some(said) = row.and_then(|r| r.get::<_, Option<String>>(0)) {
            return said;
        }
        assert!(Instant::now() < until, "waited 10 s for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Dana and Sam change tickets across the link while Olu's desk watches;
/// the link is cut, and each of them tries a change (or looks) while the
/// office, on the server's side, raises a ticket; the link is mended.
#[test]
fn a_network_cut_loses_nothing_saved_saves_nothing_refused_and_desks_reconnect_by_themselves() {
    let Some(server) = TestServer::start_behind_a_link() else {
        return;
    };
    let owner_url = team(&server);
    let clock = fixed_clock();
    let desk_of = |login: &str| across(&server, login, &clock);
    // Dana and Sam make changes; Olu's own desk, across the link too, watches.
    let mut dana = Seat::new("Dana", desk_of("dana"));
    let mut sam = Seat::new("Sam", desk_of("sam"));
    let mut olu = Seat::new("Olu", desk_of(SUPERUSER));
    let mut office = Store::connect(&owner_url, clock.clone()).expect("the office's desk");
    let office_me = office.signed_in().expect("signed in").id;
    let mut psql = postgres::Client::connect(&owner_url, postgres::NoTls).expect("psql");
    let across_link: i64 = psql
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE host(client_addr) = $1",
            &[&server.link().desks_address().to_string()],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        across_link, 3,
        "the three desks are connected across the link"
    );

    // Before the cut: each change acknowledged, and heard by the others.
    let (d, s) = (dana.me, sam.me);
    let printer = dana
        .store()
        .create_ticket(d, &new_ticket("Printer jams"))
        .unwrap();
    let vpn = dana
        .store()
        .create_ticket(d, &new_ticket("VPN drops"))
        .unwrap();
    sam.hears("Dana's tickets");
    sam.store()
        .set_status(s, printer, 1, Status::InProgress)
        .unwrap();
    let note = sam
        .store()
        .add_note(s, printer, "Ordered a new fuser")
        .unwrap();
    dana.hears("Sam's changes");
    olu.hears("Dana's and Sam's changes");

    // The cut. The office, on the server's side, carries on.
    server.link().cut();
    let office_ticket = office
        .create_ticket(office_me, &new_ticket("Meanwhile at the office"))
        .expect("the office is not cut off");
    // Dana and Sam each try a change, and Olu's desk looks, all at once.
    let dana_tries =
        dana.start(move |store| store.create_ticket(d, &new_ticket("Written during the cut")));
    let sam_tries = sam.start(move |store| store.set_priority(s, printer, 2, Priority::Urgent));
    let mut olu_seen = olu.seen;
    let olu_looks = olu.start(move |store| store.changes_since(&mut olu_seen));
    let (said, dana_took) = dana_tries.answer(&mut dana, GIVES_UP_WITHIN);
    unreachable("Dana", "new ticket", said);
    let (said, sam_took) = sam_tries.answer(&mut sam, GIVES_UP_WITHIN);
    unreachable("Sam", "priority change", said);
    let (said, olu_took) = olu_looks.answer(&mut olu, GIVES_UP_WITHIN);
    unreachable("Olu", "look for changes", said);
    eprintln!("refused after {dana_took:?} (Dana), {sam_took:?} (Sam), {olu_took:?} (Olu)");
    // Trying again while still cut, Dana's desk tries to connect again,
    // fails, and refuses that change too.
    let (said, took) = dana.within(GIVES_UP_WITHIN, move |store| {
        store.create_ticket(d, &new_ticket("Written during the cut, again"))
    });
    unreachable("Dana", "second new ticket", said);
    eprintln!("refused again after {took:?}");
    // Refused, and not saved either: the server never had them.
    let during: i64 = psql
        .query_one(
            "SELECT count(*) FROM tickets.tickets WHERE subject LIKE 'Written during the cut%'
                 OR priority <> 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(during, 0, "a change refused during the cut was saved");

    // The network comes back: each desk's next call connects again by
    // itself and is answered, with no error in between.
    server.link().mend();
    let mended = Instant::now();
    let (said, dana_took) = dana.within(ANSWERS_WITHIN, move |store| {
        store.create_ticket(d, &new_ticket("Written after the cut"))
    });
    let after = said.expect("Dana's first change after the cut is saved");
    assert_eq!(
        after.0,
        office_ticket.0 + 1,
        "a ticket refused during the cut took a number: it was saved after all"
    );
    let (said, sam_took) = sam.look(ANSWERS_WITHIN);
    assert!(
        said.expect("Sam's first look after the cut is answered"),
        "Sam's desk, connected again, does not say to read everything again"
    );
    let (said, olu_took) = olu.look(ANSWERS_WITHIN);
    assert!(
        said.expect("Olu's first look after the cut is answered"),
        "Olu's desk, connected again, does not say to read everything again"
    );
    eprintln!(
        "answered after the cut in {dana_took:?} (Dana), {sam_took:?} (Sam), {olu_took:?} (Olu); \
         all within {:?}",
        mended.elapsed()
    );
    assert!(
        dana.look_now(),
        "Dana's desk, connected again, does not say to read everything again"
    );
    // Sam reads the ticket again: his refused change is not there, and he
    // makes it again, against the version he reads.
    let seen = sam.store().load_ticket(printer).unwrap();
    assert_eq!((seen.priority, seen.version), (Priority::Medium, 2));
    sam.store()
        .set_priority(s, printer, seen.version, Priority::Urgent)
        .expect("Sam's change, made again");
    // The desks that connected again listen again: they hear it.
    dana.hears("Sam's priority change after the cut");
    olu.hears("Sam's priority change after the cut");

    // Every desk, and the server itself, hold every acknowledged change
    // and none of the refused ones.
    let everything = [
        "Written after the cut",
        "Meanwhile at the office",
        "VPN drops",
        "Printer jams",
    ];
    for seat in [&mut dana, &mut sam, &mut olu] {
        let who = seat.who;
        let store = seat.store();
        assert_eq!(subjects(store), everything, "{who}'s list");
        let t = store.load_ticket(printer).unwrap();
        assert_eq!(
            (t.status, t.priority, t.version),
            (Status::InProgress, Priority::Urgent, 3),
            "{who}'s printer ticket"
        );
        assert_eq!(t.notes.iter().map(|n| n.id).collect::<Vec<_>>(), [note]);
        let trail: Vec<(Option<AgentId>, &str)> = t
            .activity
            .iter()
            .map(|a| {
                let kind = match &a.kind {
                    ActivityKind::Created => "created",
                    ActivityKind::StatusChanged { .. } => "status",
                    ActivityKind::NoteAdded { .. } => "note",
                    ActivityKind::PriorityChanged { .. } => "priority",
                    other => panic!("{who}: unexpected {other:?}"),
                };
                (a.actor, kind)
            })
            .collect();
        assert_eq!(
            trail,
            [
                (Some(s), "priority"),
                (Some(s), "note"),
                (Some(s), "status"),
                (Some(d), "created"),
            ],
            "{who}'s printer trail, newest first"
        );
        assert_eq!(store.load_ticket(vpn).unwrap().version, 1);
        assert_eq!(store.load_ticket(after).unwrap().subject, everything[0]);
    }
    let rows: Vec<(i64, String)> = psql
        .query("SELECT id, subject FROM tickets.tickets ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let numbers = [printer, vpn, office_ticket, after].map(|TicketNumber(n)| n);
    let expected: Vec<(i64, String)> = numbers
        .into_iter()
        .zip(everything.iter().rev().map(|subject| (*subject).to_owned()))
        .collect();
    assert_eq!(rows, expected, "the server's tickets");
    let entries: i64 = psql
        .query_one("SELECT count(*) FROM tickets.activity", &[])
        .unwrap()
        .get(0);
    assert_eq!(entries, 4 + 3, "four tickets created, three changes to one");
}

/// A change whose answer the cut swallows: the server had it, and saved it,
/// but the desk never heard back. The desk cannot know more than that the
/// server could not be reached, and says so within the same time as for any
/// other call the cut holds; it does not make the change again by itself,
/// and once connected again it reads the change as saved, once (the
/// contract of `ServerStore::conn`: "it may or may not have been committed,
/// and the read after reconnecting shows which").
#[test]
fn a_change_whose_answer_the_cut_swallows_is_saved_once_and_read_back_after() {
    let Some(server) = TestServer::start_behind_a_link() else {
        return;
    };
    let owner_url = team(&server);
    let clock = fixed_clock();
    let mut dana = Seat::new("Dana", across(&server, "dana", &clock));
    let mut sam = Seat::new("Sam", across(&server, "sam", &clock));
    let d = dana.me;
    let printer = dana
        .store()
        .create_ticket(d, &new_ticket("Printer jams"))
        .unwrap();
    sam.hears("Dana's ticket");

    // The office holds the ticket's row, so that Dana's change reaches the
    // server and waits there, delivered but not done.
    let mut psql = postgres::Client::connect(&owner_url, postgres::NoTls).expect("psql");
    let mut holder = postgres::Client::connect(&owner_url, postgres::NoTls).expect("psql");
    let mut hold = holder.transaction().unwrap();
    hold.execute(
        "SELECT 1 FROM tickets.tickets WHERE id = $1 FOR UPDATE",
        &[&printer.0],
    )
    .unwrap();
    let dana_tries = dana.start(move |store| store.set_status(d, printer, 1, Status::Resolved));
    let backend = wait_for(
        &mut psql,
        "Dana's change to wait on the server",
        "SELECT pid::text FROM pg_stat_activity WHERE usename = 'dana' AND wait_event_type = 'Lock'",
        &[],
    );
    // It waits a second, as a slow call does: long enough for the server to
    // have acknowledged every byte of it (Linux delays an acknowledgement
    // by 200 ms at most), so that only the answer is outstanding. (Cut
    // sooner, the request itself may still be unacknowledged, and the
    // desk gives up as it does on a change sent into the cut.)
    std::thread::sleep(Duration::from_secs(1));
    // The cut, and only then the change is done: the server saves it, and
    // its answer has no way back.
    server.link().cut();
    let cut = Instant::now();
    hold.commit().unwrap();
    // Sam's desk looks meanwhile, as the window's worker looks every 0.7 s.
    let mut sam_seen = sam.seen;
    let sam_looks = sam.start(move |store| store.changes_since(&mut sam_seen));
    wait_for(
        &mut psql,
        "Dana's change to be done on the server",
        "SELECT state FROM pg_stat_activity WHERE pid = $1::text::int AND state = 'idle'",
        &[&backend],
    );
    let saved: i16 = psql
        .query_one(
            "SELECT status FROM tickets.tickets WHERE id = $1",
            &[&printer.0],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        i64::from(saved),
        Status::Resolved.code(),
        "the server saved it"
    );
    let (said, _) = dana_tries.answer(&mut dana, GIVES_UP_WITHIN);
    let dana_gave_up = cut.elapsed();
    unreachable("Dana", "status change, its answer lost,", said);
    let (said, sam_took) = sam_looks.answer(&mut sam, GIVES_UP_WITHIN);
    unreachable("Sam", "look for changes", said);
    eprintln!("given up {dana_gave_up:?} after the cut (Dana), {sam_took:?} (Sam)");

    server.link().mend();
    // Connected again, each desk says to read everything again, and reads
    // Dana's change as saved: once, not made again.
    for seat in [&mut dana, &mut sam] {
        let who = seat.who;
        let (heard, _) = seat.look(ANSWERS_WITHIN);
        assert!(
            heard.unwrap_or_else(|e| panic!("{who}'s first look after the cut: {e:?}")),
            "{who}'s desk, connected again, does not say to read everything again"
        );
        let t = seat.store().load_ticket(printer).unwrap();
        assert_eq!(
            (t.status, t.version),
            (Status::Resolved, 2),
            "{who} reads the change as saved"
        );
        let changes = t
            .activity
            .iter()
            .filter(|a| matches!(a.kind, ActivityKind::StatusChanged { .. }))
            .map(|a| a.actor)
            .collect::<Vec<_>>();
        assert_eq!(changes, [Some(d)], "{who}: the change is in the trail once");
    }
}
