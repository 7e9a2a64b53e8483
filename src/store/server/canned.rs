//! The team's canned replies on the server (team migration 15): read from
//! the table, changed and used only through the team's functions.

use postgres::Row;

use super::desk::ServerStore;
use crate::analytics::{CannedUse, Period, canned::ordered};
use crate::domain::canned::{CannedReply, Written, checked, tags_from_text};
use crate::domain::{AgentId, Status, TicketNumber};
use crate::store::StoreError;

fn reply_of(r: &Row) -> CannedReply {
    CannedReply {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        tags: tags_from_text(r.get::<_, &str>(3)),
        status: r
            .get::<_, Option<i16>>(4)
            .and_then(|s| Status::from_code(i64::from(s))),
    }
}

fn status_code(status: Option<Status>) -> Option<i16> {
    status.and_then(|s| i16::try_from(s.code()).ok())
}

impl ServerStore {
    /// Every canned reply, by title.
    pub fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        Ok(self
            .call_rows(
                "SELECT id, title, body, tags, status FROM tickets.canned_replies
                 ORDER BY title_key, id",
                &[],
            )?
            .iter()
            .map(reply_of)
            .collect())
    }

    /// How often each canned reply was used in `period`.
    pub fn canned_usage(&self, period: &Period) -> Result<Vec<CannedUse>, StoreError> {
        let (start, end) = period.millis();
        let rows = self.call_rows(
            "SELECT a.ref_id, c.title, (array_agg(a.new_value #>> '{}' ORDER BY a.at DESC, a.id DESC))[1], count(*)
             FROM tickets.activity a LEFT JOIN tickets.canned_replies c ON c.id = a.ref_id
             WHERE a.kind = 'canned' AND a.at >= $1 AND a.at < $2
             GROUP BY a.ref_id, c.title",
            &[&start, &end],
        )?;
        Ok(ordered(
            rows.iter()
                .map(|r| {
                    let now: Option<String> = r.get(1);
                    CannedUse {
                        id: r.get::<_, Option<i64>>(0).unwrap_or_default(),
                        in_library: now.is_some(),
                        title: now.or(r.get(2)).unwrap_or_default(),
                        uses: u64::try_from(r.get::<_, i64>(3)).unwrap_or_default(),
                    }
                })
                .collect(),
        ))
    }

    /// Adds `reply` to the library as `actor`; returns its id.
    pub fn add_canned_reply(
        &mut self,
        actor: AgentId,
        reply: &CannedReply,
    ) -> Result<i64, StoreError> {
        self.save_canned_reply(actor, None, reply)
    }

    /// Replaces canned reply `id` with `reply`.
    pub fn update_canned_reply(
        &mut self,
        actor: AgentId,
        id: i64,
        reply: &CannedReply,
    ) -> Result<(), StoreError> {
        self.save_canned_reply(actor, Some(id), reply).map(|_| ())
    }

    /// Adds `reply` (`id` none) or replaces reply `id` with it, checked as
    /// a desk checks it; returns its id.
    fn save_canned_reply(
        &mut self,
        actor: AgentId,
        id: Option<i64>,
        reply: &CannedReply,
    ) -> Result<i64, StoreError> {
        self.as_me(actor)?;
        let reply = checked(reply)?;
        let (tags, status, now) = (reply.tags_text(), status_code(reply.status), self.now());
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            vec![&reply.title, &reply.body, &tags, &status, &now];
        let sql = match &id {
            None => "SELECT tickets.add_canned_reply($1, $2, $3, $4, $5)",
            Some(id) => {
                params.insert(0, id);
                "SELECT tickets.update_canned_reply($1, $2, $3, $4, $5, $6)::text"
            }
        };
        let row = self.call(None, sql, &params)?;
        Ok(match id {
            None => row.get(0),
            Some(id) => id,
        })
    }

    /// Deletes canned reply `id`.
    pub fn delete_canned_reply(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError> {
        self.as_me(actor)?;
        self.call(None, "SELECT tickets.delete_canned_reply($1)::text", &[&id])?;
        Ok(())
    }

    /// Sends `written` on `ticket`, records that it used canned reply
    /// `canned` and, where `apply`, applies the reply's status and tags, in
    /// one transaction on the server.
    pub fn use_canned_reply(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        canned: i64,
        apply: bool,
        written: &Written,
    ) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let text = written.checked()?;
        self.call(
            Some(ticket),
            "SELECT tickets.use_canned_reply($1, $2, $3, $4, $5, $6, $7)::text",
            &[
                &ticket.0,
                &expected_version,
                &canned,
                &apply,
                &written.is_note(),
                &text,
                &self.now(),
            ],
        )?;
        Ok(())
    }
}
