//! Everything a desk holds, exported as JSON lines and read back into an
//! empty database (issue 16): equal in every table, and exporting that
//! again gives the same bytes, on a file and on a team server; a file cut
//! short, changed by hand or not ours is refused and nothing is written.

use std::path::Path;

use crate::fixtures::{Engine, at, fixed_clock, new_ticket, open_store, pg, t0};
use crate::on_both_engines_with;
use tickets::domain::canned::Written;
use tickets::domain::sla::{Clocking, SlaPolicy, Targets};
use tickets::domain::{
    AgentId, BulkChange, BulkItem, CannedReply, Direction, LinkKind, NewCustomer, NewTicket,
    Priority, Status,
};
use tickets::export::everything::{EverythingFile, export_everything};
use tickets::seed::{SeedOptions, generate};
use tickets::store::server::TeamAdmin;
use tickets::store::transfer::Summer;
use tickets::store::views::SavedView;
use tickets::store::{ListRequest, Store, StoreError, TicketFilter};

/// Every table of `store` summed: (table, rows, checksum).
fn sums(store: &Store) -> Vec<(&'static str, u64, u128)> {
    let mut out: Vec<(&'static str, Summer)> = Vec::new();
    store
        .transfer_rows(&mut |table, cells| {
            if out.last().is_none_or(|(n, _)| *n != table.name) {
                out.push((table.name, Summer::default()));
            }
            out.last_mut().unwrap().1.add(cells);
            Ok(())
        })
        .unwrap();
    out.iter()
        .map(|(n, s)| (*n, s.finish().rows, s.finish().checksum))
        .collect()
}

/// What no ordinary ticket has: text that JSON, CSV and COPY each escape,
/// every kind of row the tables hold (links, a merge, a shared view, the
/// policy, a canned reply used then deleted, read marks, a bulk run and
/// its undo, an edited and a deleted note, an erased customer).
fn fill_edges(store: &mut Store, clock: &tickets::clock::FixedClock, dana: AgentId) {
    let odd = store
        .add_customer(&NewCustomer {
            name: "Zoë \"Q\" O'Brien \\ 東京".to_owned(),
            email: "ZOE@Example.COM".to_owned(),
            company: "=SUM(A1)+1".to_owned(),
        })
        .unwrap();
    let gone = store
        .add_customer(&NewCustomer {
            name: "Forget Me".to_owned(),
            email: "forget@example.com".to_owned(),
            company: String::new(),
        })
        .unwrap();
    store.add_customer_tag(odd, "vip ⭐").unwrap();
    let a = store
        .create_ticket(
            dana,
            &NewTicket {
                subject: "Printer 🖨 says \"PC LOAD LETTER\"\tagain".to_owned(),
                description: "Line one\r\nline two\\n (not a break)\n\n\u{0}-free, tab\there"
                    .replace('\u{0}', ""),
                priority: Priority::Urgent,
                customer: Some(odd),
            },
        )
        .unwrap();
    clock.set(at(5));
    let b = store
        .create_ticket(dana, &new_ticket("Same printer"))
        .unwrap();
    let c = store
        .create_ticket(
            dana,
            &NewTicket {
                customer: Some(gone),
                ..new_ticket("Please delete my data")
            },
        )
        .unwrap();
    clock.set(at(9));
    store
        .add_message(dana, a, Direction::Outbound, "Try turning it off — and on.")
        .unwrap();
    store
        .add_message(dana, a, Direction::Inbound, "{\"json\": [1, 2]} worked")
        .unwrap();
    let note = store.add_note(dana, a, "first draft").unwrap();
    let v = store.load_ticket(a).unwrap().notes[0].version;
    store
        .edit_note(dana, note, v, "second draft, “quoted”")
        .unwrap();
    let doomed = store.add_note(dana, b, "wrong ticket").unwrap();
    store.delete_note(dana, doomed).unwrap();
    let tag = store.add_tag(dana, a, "hardware").unwrap();
    store.add_tag(dana, b, "hardware").unwrap();
    store.remove_tag(dana, b, tag.id).unwrap();
    store.assign(dana, a, dana).unwrap();
    let v = store.load_ticket(a).unwrap().version;
    store.set_status(dana, a, v, Status::Resolved).unwrap();
    let v = store.load_ticket(a).unwrap().version;
    store.set_csat(dana, a, v, 5).unwrap();
    store.link(dana, a, b, LinkKind::Related).unwrap();
    clock.set(at(20));
    let keep = store.load_ticket(b).unwrap().version;
    let other = store
        .create_ticket(dana, &new_ticket("Printer again"))
        .unwrap();
    let other_v = store.load_ticket(other).unwrap().version;
    store.merge(dana, (b, keep), &[(other, other_v)]).unwrap();
    store
        .share_view(
            dana,
            &SavedView {
                name: "Urgent “printers”".to_owned(),
                filter: TicketFilter {
                    text: "printer".to_owned(),
                    ..TicketFilter::default()
                },
                sort: Default::default(),
            },
        )
        .unwrap();
    let mut policy = SlaPolicy {
        clocking: Clocking::BusinessHours,
        ..SlaPolicy::default()
    };
    policy.calendar.zone = "Europe/Berlin".to_owned();
    policy.targets[3] = Targets {
        first_reply_minutes: Some(60),
        resolution_minutes: Some(240),
    };
    store.set_sla_policy(dana, &policy).unwrap();
    store.refresh_due().unwrap();
    let canned = store
        .add_canned_reply(
            dana,
            &CannedReply {
                id: 0,
                title: "Refund done".to_owned(),
                body: "Hi {{customer.name}},\nrefunded.".to_owned(),
                tags: vec!["refund".to_owned()],
                status: Some(Status::Waiting),
            },
        )
        .unwrap();
    let v = store.load_ticket(b).unwrap().version;
    store
        .use_canned_reply(
            dana,
            b,
            v,
            canned,
            true,
            &Written::Reply("Hi, refunded.".to_owned()),
        )
        .unwrap();
    store.delete_canned_reply(dana, canned).unwrap();
    store
        .add_canned_reply(
            dana,
            &CannedReply {
                id: 0,
                title: "Kept, no status".to_owned(),
                body: "Tab\there, \\ and \"quotes\"".to_owned(),
                tags: Vec::new(),
                status: None,
            },
        )
        .unwrap();
    store.mark_read(dana, a).unwrap();
    clock.set(at(30));
    let stamps = store
        .list_stamps(&ListRequest::all(
            &TicketFilter::default(),
            Default::default(),
        ))
        .unwrap();
    let items = BulkItem::each(&stamps, &BulkChange::Priority(Priority::High));
    let done = store
        .bulk_apply(dana, "set priority to High", &items, &mut |_, _| true)
        .unwrap();
    store
        .bulk_undo(dana, &done, "undo: set priority to High", &mut |_, _| true)
        .unwrap();
    store.erase_customer(dana, gone).unwrap();
    // One ticket imported from another help desk, its id kept.
    clock.set(at(31));
    let imported = crate::fixtures::imported_ticket("ZD-9", 2, "From the old desk", at(31));
    store
        .import_batch(dana, "zendesk", ("edges", 2), &[imported])
        .unwrap();
    store.finish_import(dana, "edges").unwrap();
    let _ = c;
}

/// A desk on `engine` holding seeded tickets and every edge above, with
/// its agent; on a server through a move of a seeded file (its owner Dana).
fn full_desk(engine: Engine, dir: &Path) -> (Store, Option<String>) {
    let clock = fixed_clock();
    let seeded = dir.join("seeded.db");
    let mut file = open_store(&seeded, &clock);
    generate(
        &mut file,
        SeedOptions {
            tickets: 150,
            seed: 7,
        },
        |_, _| true,
    )
    .unwrap();
    clock.set(t0());
    match engine {
        Engine::File => {
            let dana = file.add_agent("Dana", "dana@example.com").unwrap();
            fill_edges(&mut file, &clock, dana);
            (file, None)
        }
        Engine::Server => {
            let server = pg::shared().expect("a server");
            let url = server.create_database(&pg::unique_name("full"));
            let mut admin = TeamAdmin::connect(&url).unwrap();
            admin.init("Dana", "dana@example.com", t0()).unwrap();
            admin.import(&file, &mut |_, _| {}).unwrap();
            let mut team = Store::connect(&url, clock.clone()).unwrap();
            let dana = team.signed_in().unwrap().id;
            fill_edges(&mut team, &clock, dana);
            (team, Some(url))
        }
    }
}

/// An empty database on `engine` that everything can be read into.
fn empty_on(engine: Engine, dir: &Path) -> (Store, Option<String>) {
    match engine {
        Engine::File => (open_store(&dir.join("empty.db"), &fixed_clock()), None),
        Engine::Server => {
            let url = pg::shared()
                .expect("a server")
                .create_database(&pg::unique_name("empty"));
            TeamAdmin::connect(&url)
                .unwrap()
                .init("Dana", "dana@example.com", t0())
                .unwrap();
            (Store::connect(&url, fixed_clock()).unwrap(), Some(url))
        }
    }
}

/// Reads `file` into `store` as `tickets import` does.
fn read_into(
    store: &mut Store,
    url: &Option<String>,
    file: &EverythingFile,
) -> Result<(), StoreError> {
    match url {
        None => store.restore(file, &mut |_, _| true).map(|_| ()),
        Some(url) => TeamAdmin::connect(url)?
            .import(file, &mut |_, _| {})
            .map(|_| ()),
    }
}

on_both_engines_with! {
    fn everything_read_back_is_equal_in_every_table_and_exports_the_same_bytes(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = full_desk(engine, dir.path());
        let first = dir.path().join("everything.jsonl");
        let written = export_everything(&store, &first, &mut |_, _| true).unwrap();
        assert_eq!(written.tickets(), 155, "150 seeded, 4 by hand, 1 imported");
        for (table, rows) in &written.tables {
            if *table != "ticket_reads" || engine == Engine::File {
                assert!(*rows > 0, "{table} is in the export, with rows: {:?}", written.tables);
            }
        }

        let (mut copy, url) = empty_on(engine, dir.path());
        read_into(&mut copy, &url, &EverythingFile::open(&first).unwrap()).unwrap();
        assert_eq!(sums(&copy), sums(&store), "every table equal");
        let second = dir.path().join("again.jsonl");
        export_everything(&copy, &second, &mut |_, _| true).unwrap();
        assert!(
            std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(),
            "exporting the copy gives the same bytes"
        );

        // What an agent sees in the copy is what they saw before: the odd
        // ticket, its conversation, its trail, search.
        let odd = store.load_ticket(tickets::domain::TicketNumber(151)).unwrap();
        let odd_copy = copy.load_ticket(tickets::domain::TicketNumber(151)).unwrap();
        assert_eq!(odd_copy.subject, odd.subject);
        assert_eq!(odd_copy.messages, odd.messages);
        assert_eq!(
            odd_copy.activity.iter().map(|e| e.sentence()).collect::<Vec<_>>(),
            odd.activity.iter().map(|e| e.sentence()).collect::<Vec<_>>()
        );
        let found = copy
            .count_tickets(&TicketFilter { text: "LOAD LETTER".to_owned(), ..TicketFilter::default() })
            .unwrap();
        assert_eq!(found, 1, "the copy's search index is built");
        // A team leaving its server takes it all to a desk's file, and back.
        if engine == Engine::Server {
            let (mut desk, _) = empty_on(Engine::File, dir.path());
            desk.restore(&EverythingFile::open(&first).unwrap(), &mut |_, _| true).unwrap();
            assert_eq!(sums(&desk), sums(&store), "the server's tables in a file");
            let odd_desk = desk.load_ticket(tickets::domain::TicketNumber(151)).unwrap();
            assert_eq!(odd_desk.activity.len(), odd.activity.len());
        }
        // New tickets carry on after the last number.
        let dana = match engine {
            Engine::Server => copy.signed_in().unwrap().id,
            Engine::File => copy.agents().unwrap().into_iter().find(|a| a.email == "dana@example.com").unwrap().id,
        };
        let next = copy.create_ticket(dana, &new_ticket("After the move")).unwrap();
        assert_eq!(next.0, 156);
    }

    fn a_database_that_holds_anything_is_not_filled(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let (store, url) = full_desk(engine, dir.path());
        let out = dir.path().join("everything.jsonl");
        export_everything(&store, &out, &mut |_, _| true).unwrap();
        let before = sums(&store);
        let mut store = store;
        let refused = read_into(&mut store, &url, &EverythingFile::open(&out).unwrap()).unwrap_err();
        assert!(refused.to_string().contains("nothing was"), "{refused}");
        assert_eq!(sums(&store), before);
    }

    fn a_file_cut_short_or_changed_is_refused_and_nothing_is_written(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = full_desk(engine, dir.path());
        let out = dir.path().join("everything.jsonl");
        export_everything(&store, &out, &mut |_, _| true).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();

        // Cut short: the trailer is gone.
        let cut = dir.path().join("cut.jsonl");
        std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
        let e = EverythingFile::open(&cut).err().expect("a cut file is refused");
        assert!(e.to_string().contains("cut short"), "{e}");

        // One subject changed by hand: the table's checksum no longer agrees,
        // found only once its rows were read, and nothing stays written.
        let changed = dir.path().join("changed.jsonl");
        std::fs::write(&changed, text.replacen("Same printer", "Same pointer", 1)).unwrap();
        let (mut copy, url) = empty_on(engine, dir.path());
        let empty = sums(&copy);
        let e = read_into(&mut copy, &url, &EverythingFile::open(&changed).unwrap()).unwrap_err();
        assert!(e.to_string().contains("tickets"), "{e}");
        assert_eq!(sums(&copy), empty, "nothing of it was written");

        // A row dropped from the middle.
        let dropped = dir.path().join("dropped.jsonl");
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(lines.len() / 2);
        std::fs::write(&dropped, lines.join("\n") + "\n").unwrap();
        let e = read_into(&mut copy, &url, &EverythingFile::open(&dropped).unwrap()).unwrap_err();
        assert!(e.to_string().contains("line "), "{e}");
        assert_eq!(sums(&copy), empty);
    }
}

#[test]
fn a_file_that_is_not_an_export_is_refused_in_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tickets.csv");
    std::fs::write(&csv, "Id,Subject\n1,Printer\n").unwrap();
    let e = EverythingFile::open(&csv).err().unwrap();
    assert!(
        e.to_string()
            .contains("is not a file of everything from Tickets"),
        "{e}"
    );
    let newer = dir.path().join("newer.jsonl");
    std::fs::write(
        &newer,
        "{\"format\":\"tickets-export\",\"version\":9,\"tables\":{}}\n{\"end\":{}}\n",
    )
    .unwrap();
    let e = EverythingFile::open(&newer).err().unwrap();
    assert!(e.to_string().contains("layout 9"), "{e}");
}

#[test]
fn a_cancelled_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = full_desk(Engine::File, dir.path());
    let out = dir.path().join("cancelled.jsonl");
    let e = export_everything(&store, &out, &mut |_, _| false).unwrap_err();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("tickets-export"))
            .count(),
        0,
        "no temporary file left"
    );
}
