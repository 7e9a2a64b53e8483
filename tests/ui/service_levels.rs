//! Service levels in the window (issue 15): File → Service levels… keeps
//! what was typed when it is refused and saves the policy when it is
//! right; the list's Due column, the panel's targets line and the view
//! "Breaching soon" follow the policy, and a priority changed in the window
//! moves the ticket's due time.

use crate::common::{
    Window, desk_on, field_value, open, open_ticket, press_keys, run_from_palette, step_until,
    store_of, text_containing, type_into,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use tickets::domain::sla::{SlaPolicy, Targets};
use tickets::domain::{Priority, TicketNumber};

/// Medium: a first reply within 30 minutes, in calendar time.
fn half_hour_policy() -> SlaPolicy {
    let mut policy = SlaPolicy::default();
    policy.targets[1] = Targets {
        first_reply_minutes: Some(30),
        resolution_minutes: None,
    };
    policy
}

/// Whether the list shows a row's Due cell with this text.
fn due_shown(h: &Window, text: &str) -> bool {
    h.query_by_label(text).is_some()
}

on_both_engines_with! {
    fn the_policy_dialog_keeps_a_wrong_length_and_saves_a_right_one(engine: Engine) {
        let desk = desk_on(engine, &["Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        run_from_palette(&mut harness, "Service levels");
        step_until(&mut harness, "the dialog", |h| {
            h.query_by_label("Medium first reply target").is_some()
        });
        type_into(&mut harness, "Medium first reply target", "soon");
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the refusal", |h| {
            text_containing(h, "Medium first reply: “soon” is not a length").is_some()
        });
        assert_eq!(
            field_value(&harness, "Medium first reply target").as_deref(),
            Some("soon"),
            "what was typed stays"
        );
        assert_eq!(store_of(&desk).sla_policy().unwrap(), SlaPolicy::default());

        // Mend it: select what is there and type over it.
        harness
            .get_by_role_and_label(Role::TextInput, "Medium first reply target")
            .focus();
        harness.run_steps(1);
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness
            .get_by_role_and_label(Role::TextInput, "Medium first reply target")
            .type_text("30 m");
        harness.run_steps(1);
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the dialog to close", |h| {
            h.query_by_label("Medium first reply target").is_none()
        });
        assert_eq!(store_of(&desk).sla_policy().unwrap(), half_hour_policy());
        // The ticket raised five minutes ago is due in twenty-five (the
        // column's short form at this width).
        step_until(&mut harness, "the Due column", |h| due_shown(h, "25 m"));
    }

    fn due_times_show_in_the_list_the_panel_and_breaching_soon(engine: Engine) {
        let desk = desk_on(engine, &["Late", "Soon", "Calm"]);
        {
            let mut store = store_of(&desk);
            store.set_sla_policy(desk.dana, &half_hour_policy()).unwrap();
            let version = store.load_ticket(TicketNumber(3)).unwrap().version;
            store
                .set_priority(desk.dana, TicketNumber(3), version, Priority::Low)
                .unwrap();
            while store.refresh_due().unwrap() > 0 {}
        }
        // Raised at 15:05, 15:10 and 15:15; it is now 15:38. Late was due at
        // 15:35, Soon is due at 15:40 (under a quarter of its half hour
        // left: at risk), and Calm, Low, has no target.
        desk.clock.advance(chrono::Duration::minutes(18));
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the due times", |h| {
            due_shown(h, "-3 m") && due_shown(h, "2 m")
        });
        open_ticket(&mut harness, "Late");
        step_until(&mut harness, "the panel's targets", |h| {
            text_containing(h, "First reply: breached by 3 m").is_some()
        });

        // G then B: open tickets overdue or due within the hour.
        press_keys(&mut harness, "gb");
        step_until(&mut harness, "Breaching soon", |h| {
            h.query_by_label("2 tickets").is_some() && h.query_by_label("Calm").is_none()
        });
        assert!(harness.query_by_label("Breaching soon 2").is_some());

        // Calm made Medium: its target counts from when it was raised.
        run_from_palette(&mut harness, "View: All tickets");
        open_ticket(&mut harness, "Calm");
        run_from_palette(&mut harness, "priority medium");
        step_until(&mut harness, "Calm's due time", |h| due_shown(h, "7 m"));
        step_until(&mut harness, "Calm in Breaching soon", |h| {
            h.query_by_label("Breaching soon 3").is_some()
        });
    }
}

on_both_engines_with! {
    fn a_ticket_merged_away_has_nothing_due(engine: Engine) {
        let desk = desk_on(engine, &["Late", "Soon"]);
        {
            let mut store = store_of(&desk);
            store.set_sla_policy(desk.dana, &half_hour_policy()).unwrap();
            while store.refresh_due().unwrap() > 0 {}
        }
        // 15:33: Late (15:05) is due in 2 minutes, Soon (15:10) in 7.
        desk.clock.advance(chrono::Duration::minutes(18));
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the due times", |h| {
            due_shown(h, "2 m") && due_shown(h, "7 m")
        });
        // Soon merged into Late: closed, it promises nothing any more.
        open_ticket(&mut harness, "Soon");
        run_from_palette(&mut harness, "Merge into another");
        step_until(&mut harness, "the merge dialog", |h| {
            h.query_by_label("Add a ticket").is_some()
        });
        type_into(&mut harness, "Add a ticket", "1");
        harness.get_by_role_and_label(Role::Button, "Add").click();
        step_until(&mut harness, "what will move", |h| {
            text_containing(h, "A merge cannot be undone").is_some()
        });
        harness.get_by_role_and_label(Role::Button, "Merge").click();
        step_until(&mut harness, "Soon's due time gone", |h| {
            !due_shown(h, "7 m") && due_shown(h, "2 m")
        });
        step_until(&mut harness, "Breaching soon to count one", |h| {
            h.query_by_label("Breaching soon 1").is_some()
        });
    }
}
