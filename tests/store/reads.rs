//! Unread marks: a ticket changed by someone else since an agent last
//! opened it, on both engines.

use crate::on_both_engines;
use tickets::domain::{Direction, Status, TicketNumber};

on_both_engines! {
    fn a_ticket_changed_by_someone_else_since_it_was_opened_is_unread(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let dana = desk.dana;
        desk.at(0);
        let mine = desk.ticket("Mine");
        let theirs = desk.ticket("Not mine");
        desk.at(1);
        desk.act(dana).assign(dana, mine, dana).unwrap();
        let both = [mine, theirs];
        // Never opened: only the one assigned to Kim would count for Kim;
        // for Dana, nothing changed by anyone else yet.
        assert_eq!(desk.store.unread_among(dana, &both).unwrap(), Vec::<TicketNumber>::new());
        // Kim notes Dana's ticket and the other: Dana's is news to her,
        // the other she never opened and is not hers.
        desk.at(2);
        desk.act(kim).add_note(kim, mine, "Called the customer").unwrap();
        desk.act(kim).add_note(kim, theirs, "Also this").unwrap();
        assert_eq!(desk.store.unread_among(dana, &both).unwrap(), [mine]);
        // Opening it clears the mark; her own changes make none.
        desk.at(3);
        desk.act(dana).mark_read(dana, mine).unwrap();
        assert!(desk.store.unread_among(dana, &both).unwrap().is_empty());
        desk.at(4);
        let v = desk.version(mine);
        desk.act(dana).set_status(dana, mine, v, Status::Waiting).unwrap();
        assert!(desk.store.unread_among(dana, &both).unwrap().is_empty());
        // A customer message Kim records, and the other ticket once Dana
        // has opened it and Kim changes it again.
        desk.act(dana).mark_read(dana, theirs).unwrap();
        desk.at(5);
        desk.act(kim).add_message(kim, mine, Direction::Inbound, "Any news?").unwrap();
        desk.act(kim).add_tag(kim, theirs, "billing").unwrap();
        assert_eq!(desk.store.unread_among(dana, &both).unwrap(), [mine, theirs]);
        // Marks are each agent's own: Kim has nothing unread.
        // Kim never opened either, and neither is hers: nothing for Kim.
        assert!(desk.store.unread_among(kim, &both).unwrap().is_empty());
        // Opening again later keeps the later moment.
        desk.at(6);
        desk.act(dana).mark_read(dana, mine).unwrap();
        desk.act(dana).mark_read(dana, theirs).unwrap();
        assert!(desk.store.unread_among(dana, &both).unwrap().is_empty());
    }
}
