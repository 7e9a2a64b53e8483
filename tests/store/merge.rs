//! Merging tickets and linking them, on both engines: what moves, what the
//! trails say, what is refused (nothing changed), search by a merged
//! ticket's number, and the links in the panel's detail and the export.

use crate::fixtures::Desk;
use crate::on_both_engines;
use tickets::domain::{
    ActivityKind, Direction, LinkKind, MergeCounts, NewCustomer, Status, TicketDetail, TicketNumber,
};
use tickets::store::{ListRequest, StoreError, TicketFilter};

/// The numbers the list shows for a search.
fn found(desk: &Desk, text: &str) -> Vec<TicketNumber> {
    let request = ListRequest {
        filter: TicketFilter {
            text: text.to_owned(),
            ..TicketFilter::default()
        },
        limit: 50,
        ..ListRequest::default()
    };
    let mut numbers: Vec<TicketNumber> = desk
        .store
        .list_tickets(&request)
        .expect("list")
        .rows
        .iter()
        .map(|r| r.number)
        .collect();
    numbers.sort();
    numbers
}

fn sentences(detail: &TicketDetail) -> Vec<String> {
    detail.activity.iter().map(|e| e.sentence()).collect()
}

/// Merges `others` into `keep` as Dana, at the versions there now.
fn merge(
    desk: &mut Desk,
    keep: TicketNumber,
    others: &[TicketNumber],
) -> Result<MergeCounts, StoreError> {
    let keep = (keep, desk.version(keep));
    let others: Vec<_> = others.iter().map(|n| (*n, desk.version(*n))).collect();
    let dana = desk.dana;
    desk.act(dana).merge(dana, keep, &others)
}

/// Everything a merge could move or change, for "nothing changed".
fn snapshot(desk: &Desk, numbers: &[TicketNumber]) -> Vec<TicketDetail> {
    numbers.iter().map(|n| desk.load(*n)).collect()
}

on_both_engines! {
    fn a_merge_moves_messages_notes_tags_and_assignees_and_both_trails_say_so(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let dana = desk.dana;
        desk.at(0);
        let keep = desk.ticket("Printer on fire");
        desk.at(1);
        let other = desk.ticket("Printer still smoking");
        desk.at(2);
        desk.act(dana).add_message(dana, keep, Direction::Inbound, "It is on fire").unwrap();
        desk.at(3);
        desk.act(dana).add_note(dana, keep, "Called facilities").unwrap();
        desk.act(dana).add_tag(dana, keep, "hardware").unwrap();
        desk.act(dana).assign(dana, keep, dana).unwrap();
        desk.at(4);
        desk.act(kim).add_message(kim, other, Direction::Inbound, "Still smoking").unwrap();
        desk.at(5);
        desk.act(kim).add_message(kim, other, Direction::Outbound, "Unplug it, please").unwrap();
        desk.at(6);
        desk.act(kim).add_note(kim, other, "Same printer as the other ticket").unwrap();
        desk.act(kim).add_tag(kim, other, "fire").unwrap();
        desk.act(kim).add_tag(kim, other, "hardware").unwrap();
        desk.act(kim).assign(kim, other, kim).unwrap();

        desk.at(10);
        let (kv, ov) = (desk.version(keep), desk.version(other));
        let counts = desk.act(dana).merge(dana, (keep, kv), &[(other, ov)]).unwrap();
        assert_eq!(
            counts,
            MergeCounts { messages: 2, notes: 1, tags: 1, assignees: 1 }
        );

        let kept = desk.load(keep);
        let bodies: Vec<(&str, Option<&str>)> = kept
            .messages
            .iter()
            .map(|m| (m.body.as_str(), m.author.as_ref().map(|a| a.name.as_str())))
            .collect();
        // In time order, each with its own author and time.
        assert_eq!(
            bodies,
            [
                ("It is on fire", Some("Dana")),
                ("Still smoking", Some("Kim")),
                ("Unplug it, please", Some("Kim")),
            ]
        );
        assert_eq!(kept.messages[2].at, crate::fixtures::at(5));
        let notes: Vec<&str> = kept.notes.iter().map(|n| n.body.as_str()).collect();
        assert_eq!(notes, ["Called facilities", "Same printer as the other ticket"]);
        assert_eq!(kept.notes[1].author.as_ref().map(|a| a.id), Some(kim));
        let tags: Vec<&str> = kept.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tags, ["fire", "hardware"]);
        let assignees: Vec<&str> = kept.assignees.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(assignees, ["Dana", "Kim"]);
        assert_eq!(kept.merged_in(), [other]);
        assert_eq!(kept.merged_into(), None);
        assert_eq!(kept.status, Status::Open);
        // Kim's reply moved in, sent after the kept ticket was raised: its first reply now.
        assert_eq!(kept.first_reply, Some(crate::fixtures::at(5)));
        assert!(
            sentences(&kept).contains(&"Dana merged TKT-000002 into this ticket".to_owned()),
            "{:?}",
            sentences(&kept)
        );

        let merged = desk.load(other);
        assert_eq!(merged.status, Status::Closed);
        assert!(merged.messages.is_empty());
        assert!(merged.notes.is_empty());
        assert_eq!(merged.merged_into(), Some(keep));
        assert_eq!(merged.first_reply, None, "its replies are the kept ticket's now");
        assert_eq!(merged.closed, Some(crate::fixtures::at(10)));
        assert_eq!(merged.links[0].label(), "Merged into TKT-000001");
        assert_eq!(kept.links[0].label(), "TKT-000002 merged into this");
        let said = sentences(&merged);
        assert!(said.contains(&"Dana merged this ticket into TKT-000001".to_owned()), "{said:?}");
        assert!(said.contains(&"Dana changed status from Open to Closed".to_owned()), "{said:?}");
        // Its own history stays: Kim's entries are still in its trail.
        assert!(said.contains(&"Kim replied to the customer".to_owned()), "{said:?}");
        assert_eq!(desk.store.merged_into(other).unwrap(), Some(keep));
        assert_eq!(desk.store.merged_into(keep).unwrap(), None);
    }

    fn a_ticket_changed_meanwhile_refuses_the_whole_merge_and_nothing_changes(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let dana = desk.dana;
        desk.at(0);
        let keep = desk.ticket("Keep me");
        let a = desk.ticket("Merge me");
        let b = desk.ticket("Merge me too");
        desk.act(dana).add_message(dana, a, Direction::Inbound, "Hello").unwrap();
        desk.act(dana).add_note(dana, b, "A note").unwrap();
        let (kv, av, bv) = (desk.version(keep), desk.version(a), desk.version(b));
        // Kim changes B's priority while Dana has the merge dialog open.
        desk.at(1);
        desk.act(kim)
            .set_priority(kim, b, bv, tickets::domain::Priority::High)
            .unwrap();
        let before = snapshot(&desk, &[keep, a, b]);
        desk.at(2);
        let refused = desk
            .act(dana)
            .merge(dana, (keep, kv), &[(a, av), (b, bv)])
            .unwrap_err();
        assert!(
            matches!(refused, StoreError::Conflict { ticket, .. } if ticket == b),
            "{refused:?}"
        );
        assert!(refused.to_string().starts_with("TKT-000003 was changed by someone else"), "{refused}");
        assert_eq!(snapshot(&desk, &[keep, a, b]), before, "nothing changed");
        // The kept ticket changed meanwhile: refused too, naming it.
        desk.act(kim).add_tag(kim, keep, "x").unwrap();
        desk.act(kim)
            .set_status(kim, keep, kv, Status::Waiting)
            .unwrap();
        let bv = desk.version(b);
        let refused = desk
            .act(dana)
            .merge(dana, (keep, kv), &[(a, av), (b, bv)])
            .unwrap_err();
        assert!(
            matches!(refused, StoreError::Conflict { ticket, .. } if ticket == keep),
            "{refused:?}"
        );
        assert!(desk.load(a).merged_into().is_none());
        assert_eq!(desk.load(a).messages.len(), 1);
    }

    fn merging_into_itself_into_a_merged_ticket_or_a_merged_one_again_is_refused(desk: Desk) {
        desk.at(0);
        let keep = desk.ticket("Keep");
        let other = desk.ticket("Other");
        let third = desk.ticket("Third");
        let refused = merge(&mut desk, keep, &[keep]).unwrap_err();
        assert_eq!(refused.to_string(), "a ticket cannot be merged into itself");
        let refused = merge(&mut desk, keep, &[]).unwrap_err();
        assert_eq!(refused.to_string(), "choose at least one ticket to merge");
        desk.at(1);
        merge(&mut desk, keep, &[other]).unwrap();
        let before = snapshot(&desk, &[keep, other, third]);
        let refused = merge(&mut desk, other, &[third]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "TKT-000002 was merged into TKT-000001 already, so nothing can be merged into it; merge into TKT-000001 instead"
        );
        let refused = merge(&mut desk, third, &[other]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "TKT-000002 was merged into TKT-000001 already, and a ticket is merged only once"
        );
        assert_eq!(snapshot(&desk, &[keep, other, third]), before, "nothing changed");
    }

    fn a_customers_ticket_merges_only_into_theirs_and_erasing_them_finds_it_all(desk: Desk) {
        let dana = desk.dana;
        desk.at(0);
        let customer = |desk: &mut Desk, name: &str| {
            desk.store
                .add_customer(&NewCustomer {
                    name: name.to_owned(),
                    email: format!("{}@example.com", name.to_lowercase()),
                    company: String::new(),
                })
                .unwrap()
        };
        let (ann, bob) = (customer(&mut desk, "Ann"), customer(&mut desk, "Bob"));
        let bobs = desk.ticket("Printer on fire");
        let anns = desk.ticket("Printer smoking");
        let nobodys = desk.ticket("Printer noise");
        let v = desk.version(bobs);
        desk.act(dana).set_customer(dana, bobs, v, Some(bob)).unwrap();
        let v = desk.version(anns);
        desk.act(dana).set_customer(dana, anns, v, Some(ann)).unwrap();
        desk.act(dana)
            .add_message(dana, anns, Direction::Inbound, "I live at 1 Elm Street")
            .unwrap();
        let before = snapshot(&desk, &[bobs, anns]);
        let refused = merge(&mut desk, bobs, &[anns]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "TKT-000002 belongs to Ann but TKT-000001 does not: only a customer's own tickets are merged, so that erasing their data still finds all of it; set TKT-000001's customer first if it is theirs"
        );
        assert_eq!(snapshot(&desk, &[bobs, anns]), before, "nothing changed");
        // A ticket without a customer goes into anyone's; Ann's into hers.
        let v = desk.version(bobs);
        desk.act(dana).set_customer(dana, bobs, v, Some(ann)).unwrap();
        merge(&mut desk, bobs, &[anns, nobodys]).unwrap();
        desk.store.erase_customer(dana, ann).unwrap();
        let bodies: Vec<String> = desk.load(bobs).messages.iter().map(|m| m.body.clone()).collect();
        assert_eq!(bodies, [tickets::store::erase::ERASED]);
    }

    fn a_merged_tickets_number_finds_the_ticket_kept(desk: Desk) {
        let dana = desk.dana;
        desk.at(0);
        let keep = desk.ticket("Invoice in the wrong currency");
        let other = desk.ticket("Euros not pounds");
        let third = desk.ticket("Unrelated");
        assert_eq!(found(&desk, "TKT-2"), [other]);
        desk.at(1);
        let (kv, ov) = (desk.version(keep), desk.version(other));
        desk.act(dana).merge(dana, (keep, kv), &[(other, ov)]).unwrap();
        for typed in ["TKT-2", "2", "tkt-000002", "#2"] {
            assert_eq!(found(&desk, typed), [keep, other], "{typed}");
        }
        // The kept ticket's own number finds only itself.
        assert_eq!(found(&desk, "1"), [keep]);
        // Merged again further on: the first number finds the last ticket kept.
        desk.at(2);
        let (tv, kv) = (desk.version(third), desk.version(keep));
        desk.act(dana).merge(dana, (third, tv), &[(keep, kv)]).unwrap();
        assert_eq!(desk.store.merged_into(other).unwrap(), Some(third));
        assert_eq!(found(&desk, "TKT-2"), [other, third]);
    }

    fn links_are_both_ways_in_both_trails_and_removable(desk: Desk) {
        let dana = desk.dana;
        desk.at(0);
        let a = desk.ticket("Login fails");
        let b = desk.ticket("Password reset email missing");
        let c = desk.ticket("Login fails again");
        desk.at(1);
        desk.act(dana).link(dana, b, a, LinkKind::Related).unwrap();
        desk.act(dana).link(dana, c, a, LinkKind::Duplicate).unwrap();
        // Again: nothing new.
        desk.act(dana).link(dana, a, b, LinkKind::Related).unwrap();
        let labels = |desk: &Desk, n| -> Vec<String> {
            desk.load(n).links.iter().map(|l| l.label()).collect()
        };
        assert_eq!(
            labels(&desk, a),
            ["Related to TKT-000002", "TKT-000003 is a duplicate of this"]
        );
        assert_eq!(labels(&desk, b), ["Related to TKT-000001"]);
        assert_eq!(labels(&desk, c), ["Duplicate of TKT-000001"]);
        assert_eq!(desk.load(b).links[0].subject, "Login fails");
        let said_a = sentences(&desk.load(a));
        assert!(said_a.contains(&"Dana linked TKT-000002 as related".to_owned()), "{said_a:?}");
        assert!(said_a.contains(&"Dana marked TKT-000003 as a duplicate of this".to_owned()), "{said_a:?}");
        assert_eq!(
            said_a.iter().filter(|s| s.contains("linked TKT-000002")).count(),
            1,
            "linking again records nothing"
        );
        let said_c = sentences(&desk.load(c));
        assert!(said_c.contains(&"Dana marked this as a duplicate of TKT-000001".to_owned()), "{said_c:?}");
        assert!(matches!(
            desk.load(b).activity[0].kind,
            ActivityKind::Linked { other, kind: LinkKind::Related, .. } if other == a
        ));

        desk.at(2);
        desk.act(dana).unlink(dana, a, b, LinkKind::Related).unwrap();
        desk.act(dana).unlink(dana, c, a, LinkKind::Duplicate).unwrap();
        assert!(desk.load(a).links.is_empty());
        assert!(desk.load(c).links.is_empty());
        assert!(
            sentences(&desk.load(b)).contains(&"Dana removed the related link to TKT-000001".to_owned())
        );
        assert!(
            sentences(&desk.load(c)).contains(&"Dana unmarked this as a duplicate of TKT-000001".to_owned())
        );
        let refused = desk.act(dana).link(dana, a, a, LinkKind::Related).unwrap_err();
        assert_eq!(refused.to_string(), "a ticket cannot be linked to itself");
        let refused = desk.act(dana).link(dana, a, b, LinkKind::Merged).unwrap_err();
        assert_eq!(refused.to_string(), "a ticket is marked as merged only by merging it");
        assert!(matches!(
            desk.act(dana).link(dana, a, TicketNumber(99), LinkKind::Related),
            Err(StoreError::NoSuchTicket(TicketNumber(99)))
        ));
    }

    fn the_ticket_export_lists_each_tickets_links(desk: Desk) {
        let dana = desk.dana;
        desk.at(0);
        let a = desk.ticket("Login fails");
        let b = desk.ticket("Login fails too");
        let c = desk.ticket("Password reset");
        let d = desk.ticket("Nothing to do with it");
        desk.at(1);
        desk.act(dana).link(dana, a, c, LinkKind::Related).unwrap();
        let (av, bv) = (desk.version(a), desk.version(b));
        desk.act(dana).merge(dana, (a, av), &[(b, bv)]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tickets.csv");
        tickets::export::export_tickets(
            &desk.store,
            &TicketFilter::default(),
            tickets::store::Sort::default(),
            false,
            &chrono::Utc,
            &out,
            &mut |_, _| true,
        )
        .unwrap();
        let mut reader = csv::Reader::from_path(&out).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (ticket, links) = (at("ticket"), at("links"));
        let mut rows: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[ticket].to_owned(), r[links].to_owned())
            })
            .collect();
        rows.sort();
        assert_eq!(
            rows,
            [
                (a.to_string(), "TKT-000002 merged into this; Related to TKT-000003".to_owned()),
                (b.to_string(), "Merged into TKT-000001".to_owned()),
                (c.to_string(), "Related to TKT-000001".to_owned()),
                (d.to_string(), String::new()),
            ]
        );
    }
}

/// A desk's merges and links move into a team server with everything else:
/// the same links, and the merged number still finds the ticket kept there.
#[test]
fn a_desk_moved_into_a_team_server_keeps_its_merges_and_links() {
    let Some(server_desk) = Desk::on(crate::fixtures::Engine::Server) else {
        return;
    };
    let mut desk = Desk::new();
    let dana = desk.dana;
    desk.at(0);
    let keep = desk.ticket("Keep");
    let other = desk.ticket("Merged");
    let related = desk.ticket("Related");
    desk.at(1);
    desk.store
        .link(dana, related, keep, LinkKind::Related)
        .unwrap();
    merge(&mut desk, keep, &[other]).unwrap();
    let before: Vec<TicketDetail> = snapshot(&desk, &[keep, other, related]);

    let url = server_desk.url.clone().expect("a server desk");
    let moved = tickets::store::server::TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");
    assert!(moved.tables.contains(&("ticket_links", 2)), "{moved:?}");
    let team =
        tickets::store::Store::connect(&url, desk.clock.clone()).expect("connect as the owner");
    for detail in &before {
        assert_eq!(team.load_ticket(detail.number).unwrap().links, detail.links);
    }
    assert_eq!(team.merged_into(other).unwrap(), Some(keep));
}
