//! Agents, customers and the tag vocabulary.

use rusqlite::{OptionalExtension, params};

use super::tickets::{agent, refresh_assignee_key, row_to_agent, tag_by_name};
use super::{FileStore, StoreError, fts_query};
use crate::domain::validate;
use crate::domain::{Agent, AgentId, Customer, CustomerId, NewCustomer, Tag, TagId, TicketNumber};
use crate::store::search::{customer_filter, email_patterns};

pub(crate) use crate::domain::sort_key;

impl FileStore {
    /// Adds an agent. Returns the new agent's id.
    pub fn add_agent(&mut self, name: &str, email: &str) -> Result<AgentId, StoreError> {
        let name = validate::name(name)?;
        let email = validate::email(email)?;
        self.transact(|tx, now| {
            tx.prepare_cached(
                "INSERT INTO agents (name, sort_key, email, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
            )?
            .execute(params![name, sort_key(&name), email, now])?;
            Ok(AgentId(tx.last_insert_rowid()))
        })
    }

    /// Renames an agent or changes their email. Their history keeps the old
    /// name where it was written; the list and panel show the new one.
    pub fn update_agent(&mut self, id: AgentId, name: &str, email: &str) -> Result<(), StoreError> {
        let name = validate::name(name)?;
        let email = validate::email(email)?;
        self.transact(|tx, _| {
            agent(tx, id)?;
            tx.prepare_cached(
                "UPDATE agents SET name = ?2, sort_key = ?3, email = ?4 WHERE id = ?1",
            )?
            .execute(params![id, name, sort_key(&name), email])?;
            let tickets: Vec<TicketNumber> = tx
                .prepare_cached("SELECT ticket_id FROM ticket_assignees WHERE agent_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for ticket in tickets {
                refresh_assignee_key(tx, ticket)?;
            }
            Ok(())
        })
    }

    /// Deactivates (or reactivates) an agent. Inactive agents keep their history
    /// and current assignments but cannot be newly assigned.
    pub fn set_agent_active(&mut self, id: AgentId, active: bool) -> Result<(), StoreError> {
        self.transact(|tx, _| {
            agent(tx, id)?;
            tx.prepare_cached("UPDATE agents SET active = ?2 WHERE id = ?1")?
                .execute(params![id, active])?;
            Ok(())
        })
    }

    /// One agent.
    pub fn agent(&self, id: AgentId) -> Result<Agent, StoreError> {
        agent(&self.conn, id)
    }

    /// Every agent, active or not, by name.
    pub fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name, email, active FROM agents ORDER BY sort_key, id")?
            .query_map([], row_to_agent)?
            .collect::<Result<_, _>>()?)
    }

    /// Adds a customer. Returns the new customer's id.
    pub fn add_customer(&mut self, new: &NewCustomer) -> Result<CustomerId, StoreError> {
        let (name, email, company) = validate_customer(new)?;
        self.transact(|tx, now| {
            tx.prepare_cached(
                "INSERT INTO customers (name, sort_key, email, company, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![name, sort_key(&name), email, company, now])?;
            Ok(CustomerId(tx.last_insert_rowid()))
        })
    }

    /// Changes a customer's name, email or company; their tickets sort by the new name.
    pub fn update_customer(
        &mut self,
        id: CustomerId,
        changed: &NewCustomer,
    ) -> Result<(), StoreError> {
        let (name, email, company) = validate_customer(changed)?;
        self.transact(|tx, now| {
            let updated = tx
                .prepare_cached(
                    "UPDATE customers SET name = ?2, sort_key = ?3, email = ?4, company = ?5, updated_at = ?6
                     WHERE id = ?1",
                )?
                .execute(params![id, name, sort_key(&name), email, company, now])?;
            if updated == 0 {
                return Err(StoreError::NotFound { what: "customer", id: id.0 });
            }
            tx.prepare_cached("UPDATE tickets SET customer_key = ?2 WHERE customer_id = ?1")?
                .execute(params![id, sort_key(&name)])?;
            Ok(())
        })
    }

    /// Tags a customer, creating the tag if it is new.
    pub fn add_customer_tag(&mut self, id: CustomerId, tag: &str) -> Result<Tag, StoreError> {
        self.transact(|tx, _| {
            ensure_customer(tx, id)?;
            let tag = tag_by_name(tx, tag)?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES (?1, ?2)",
            )?
            .execute(params![id, tag.id])?;
            Ok(tag)
        })
    }

    /// Removes a tag from a customer.
    pub fn remove_customer_tag(&mut self, id: CustomerId, tag: TagId) -> Result<(), StoreError> {
        self.transact(|tx, _| {
            ensure_customer(tx, id)?;
            tx.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1 AND tag_id = ?2")?
                .execute(params![id, tag])?;
            Ok(())
        })
    }

    /// Customers whose name, email or company matches every word of `text`
    /// (as words and word beginnings; an email address from its start), or
    /// whose id it is; by name, at most `limit`.
    pub fn find_customers(&self, text: &str, limit: usize) -> Result<Vec<Customer>, StoreError> {
        self.reading(|_| {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut conds = Vec::new();
            let mut values: Vec<rusqlite::types::Value> = Vec::new();
            if let Some(query) = fts_query(text) {
                values.push(query.into());
                conds.push(format!(
                    "c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?{})",
                    values.len()
                ));
            }
            for pattern in email_patterns(text) {
                values.push(pattern.into());
                conds.push(format!("c.email LIKE ?{} ESCAPE '\\'", values.len()));
            }
            let Some(filter) = customer_filter(&conds, text) else {
                return Ok(Vec::new());
            };
            values.push(limit.into());
            let ids: Vec<CustomerId> = self
                .conn
                .prepare(&format!(
                    "SELECT c.id FROM customers c {filter} ORDER BY c.sort_key, c.id LIMIT ?{}",
                    values.len()
                ))?
                .query_map(rusqlite::params_from_iter(values), |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.into_iter().map(|id| self.customer(id)).collect()
        })
    }

    /// Every tag, by name.
    pub fn tags(&self) -> Result<Vec<Tag>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name FROM tags ORDER BY name COLLATE NOCASE")?
            .query_map([], |r| {
                Ok(Tag {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// A tag by name, ignoring case, if it exists.
    pub fn tag_named(&self, name: &str) -> Result<Option<Tag>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name FROM tags WHERE name = ?1")?
            .query_row([name.trim()], |r| {
                Ok(Tag {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })
            .optional()?)
    }
}

fn ensure_customer(conn: &rusqlite::Connection, id: CustomerId) -> Result<(), StoreError> {
    if conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .exists([id])?
    {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: "customer",
            id: id.0,
        })
    }
}

fn validate_customer(new: &NewCustomer) -> Result<(String, String, String), StoreError> {
    Ok((
        validate::name(&new.name)?,
        validate::email(&new.email)?,
        validate::company(&new.company)?,
    ))
}
