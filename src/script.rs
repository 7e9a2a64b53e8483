//! Scripting the help desk from the command line (issue 16): `tickets new`,
//! `show`, `update`, `note` and `reply`, acting as an agent, through the
//! same store calls the window makes: the same validation, the same
//! conflicts (a ticket changed since it was read is refused, never
//! overwritten), the same activity entries, each change in its own
//! transaction. Output is a sentence, or JSON with `--json`.

use std::io::Read;

use crate::domain::{
    Agent, AgentId, Direction, NewCustomer, NewTicket, Priority, Status, TicketDetail, TicketNumber,
};
use crate::store::Store;

/// What a script asks of one ticket with `tickets update`.
#[derive(Debug, Default, clap::Args)]
pub struct Changes {
    /// open, in-progress, waiting, resolved or closed.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    /// low, medium, high or urgent.
    #[arg(long, value_parser = parse_priority)]
    pub priority: Option<Priority>,
    /// An agent to assign, by name or email (again for more).
    #[arg(long, value_name = "AGENT")]
    pub assign: Vec<String>,
    /// An agent to unassign (again for more).
    #[arg(long, value_name = "AGENT")]
    pub unassign: Vec<String>,
    /// A tag to add (again for more).
    #[arg(long)]
    pub tag: Vec<String>,
    /// A tag to remove (again for more).
    #[arg(long)]
    pub untag: Vec<String>,
}

/// A new ticket as `tickets new` is given it.
#[derive(Debug, Default, clap::Args)]
pub struct Raise {
    /// Its subject.
    #[arg(long)]
    pub subject: String,
    /// The customer's email (a new customer is added when none has it).
    #[arg(long, value_name = "EMAIL")]
    pub customer: Option<String>,
    /// low, medium, high or urgent (default medium).
    #[arg(long, value_parser = parse_priority)]
    pub priority: Option<Priority>,
    /// A tag to add (again for more).
    #[arg(long)]
    pub tag: Vec<String>,
    /// An agent to assign, by name or email (again for more).
    #[arg(long, value_name = "AGENT")]
    pub assign: Vec<String>,
    /// Its description; `-` reads it from standard input.
    #[arg(long)]
    pub description: Option<String>,
}

/// A status as a command line gives it.
pub fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        format!("“{s}” is not a status (open, in-progress, waiting, resolved, closed)")
    })
}

/// A priority as a command line gives it.
pub fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("“{s}” is not a priority (low, medium, high, urgent)"))
}

/// The agent a script acts as: on a team server the signed-in one (`--as`
/// must name them if given); on a file the one `--as` names.
pub fn actor(store: &Store, named: Option<&str>) -> Result<AgentId, String> {
    let agents = store.agents().map_err(|e| e.to_string())?;
    if let Some(me) = store.signed_in() {
        return match named {
            Some(name) if find_agent(&agents, name).map(|a| a.id) != Some(me.id) => Err(format!(
                "you are signed in to this server as {}, not as “{name}”; a server acts as the agent signed in",
                me.name
            )),
            _ => Ok(me.id),
        };
    }
    let Some(name) = named else {
        return Err("say who is acting with --as NAME (an agent's name or email)".to_owned());
    };
    find_agent(&agents, name)
        .filter(|a| a.active)
        .map(|a| a.id)
        .ok_or_else(|| format!("no active agent is called or has the email “{name}”"))
}

/// The agent with this name or email, ignoring case.
fn find_agent<'a>(agents: &'a [Agent], name: &str) -> Option<&'a Agent> {
    let name = name.trim();
    agents.iter().find(|a| {
        a.name.eq_ignore_ascii_case(name)
            || (!a.email.is_empty() && a.email.eq_ignore_ascii_case(name))
    })
}

/// The agents `names` name, all found or the first missing one named.
fn agents_named(store: &Store, names: &[String]) -> Result<Vec<AgentId>, String> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let agents = store.agents().map_err(|e| e.to_string())?;
    names
        .iter()
        .map(|name| {
            find_agent(&agents, name)
                .map(|a| a.id)
                .ok_or_else(|| format!("no agent is called or has the email “{name}”"))
        })
        .collect()
}

/// The ticket a script names: `TKT-13`, `#13` or `13`.
pub fn ticket(text: &str) -> Result<TicketNumber, String> {
    text.parse()
}

/// `text`, or standard input when it is `-`.
pub fn text_or_stdin(text: &str) -> Result<String, String> {
    if text != "-" {
        return Ok(text.to_owned());
    }
    let mut read = String::new();
    std::io::stdin()
        .read_to_string(&mut read)
        .map_err(|e| format!("standard input could not be read: {e}"))?;
    Ok(read.trim_end_matches(['\n', '\r']).to_owned())
}

/// Raises a ticket; returns its number.
pub fn new_ticket(store: &mut Store, actor: AgentId, new: &Raise) -> Result<TicketNumber, String> {
    let customer = match new.customer.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => {
            let found = store
                .find_customers(email, 20)
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|c| c.email.eq_ignore_ascii_case(email));
            Some(match found {
                Some(c) => c.id,
                None => store
                    .add_customer(&NewCustomer {
                        name: email.to_owned(),
                        email: email.to_owned(),
                        company: String::new(),
                    })
                    .map_err(|e| e.to_string())?,
            })
        }
    };
    let description = match &new.description {
        Some(text) => text_or_stdin(text)?,
        None => String::new(),
    };
    // Every agent named is checked before anything is written.
    let assign = agents_named(store, &new.assign)?;
    let number = store
        .create_ticket(
            actor,
            &NewTicket {
                subject: new.subject.clone(),
                description,
                priority: new.priority.unwrap_or_default(),
                customer,
            },
        )
        .map_err(|e| e.to_string())?;
    for agent in assign {
        store
            .assign(actor, number, agent)
            .map_err(|e| e.to_string())?;
    }
    for tag in &new.tag {
        store
            .add_tag(actor, number, tag)
            .map_err(|e| e.to_string())?;
    }
    Ok(number)
}

/// Applies `update` to `number`, one change at a time, each against the
/// version it read; returns how many changes were made.
pub fn update(
    store: &mut Store,
    actor: AgentId,
    number: TicketNumber,
    update: &Changes,
) -> Result<usize, String> {
    let ticket = store.load_ticket(number).map_err(|e| e.to_string())?;
    let assign = agents_named(store, &update.assign)?;
    let unassign = agents_named(store, &update.unassign)?;
    let mut untag = Vec::new();
    for name in &update.untag {
        match ticket
            .tags
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
        {
            Some(tag) => untag.push(tag.id),
            None => return Err(format!("{number} has no tag “{name}”")),
        }
    }
    let mut changes = 0;
    let version = |store: &Store| {
        store
            .load_ticket(number)
            .map(|t| t.version)
            .map_err(|e| e.to_string())
    };
    if let Some(status) = update.status.filter(|s| *s != ticket.status) {
        let v = version(store)?;
        store
            .set_status(actor, number, v, status)
            .map_err(|e| e.to_string())?;
        changes += 1;
    }
    if let Some(priority) = update.priority.filter(|p| *p != ticket.priority) {
        let v = version(store)?;
        store
            .set_priority(actor, number, v, priority)
            .map_err(|e| e.to_string())?;
        changes += 1;
    }
    for agent in assign {
        if !ticket.assignees.iter().any(|a| a.id == agent) {
            store
                .assign(actor, number, agent)
                .map_err(|e| e.to_string())?;
            changes += 1;
        }
    }
    for agent in unassign {
        if ticket.assignees.iter().any(|a| a.id == agent) {
            store
                .unassign(actor, number, agent)
                .map_err(|e| e.to_string())?;
            changes += 1;
        }
    }
    for tag in &update.tag {
        if !ticket.tags.iter().any(|t| t.name.eq_ignore_ascii_case(tag)) {
            store
                .add_tag(actor, number, tag)
                .map_err(|e| e.to_string())?;
            changes += 1;
        }
    }
    for tag in untag {
        store
            .remove_tag(actor, number, tag)
            .map_err(|e| e.to_string())?;
        changes += 1;
    }
    Ok(changes)
}

/// Adds an internal note (`reply` false) or a reply to the customer.
pub fn write(
    store: &mut Store,
    actor: AgentId,
    number: TicketNumber,
    text: &str,
    reply: bool,
) -> Result<(), String> {
    let body = text_or_stdin(text)?;
    if reply {
        store
            .add_message(actor, number, Direction::Outbound, &body)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        store
            .add_note(actor, number, &body)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// A ticket as `tickets show` prints it without `--json`.
pub fn describe(t: &TicketDetail) -> String {
    let mut out = format!(
        "{} {}\nStatus: {}\nPriority: {}\n",
        t.number,
        t.subject,
        t.status.label(),
        t.priority.label()
    );
    if let Some(customer) = &t.customer {
        out.push_str(&format!(
            "Customer: {} <{}>\n",
            customer.name, customer.email
        ));
    }
    let names: Vec<&str> = t.assignees.iter().map(|a| a.name.as_str()).collect();
    out.push_str(&format!(
        "Assignees: {}\n",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    ));
    let tags: Vec<&str> = t.tags.iter().map(|t| t.name.as_str()).collect();
    out.push_str(&format!("Tags: {}\n", tags.join(", ")));
    if !t.description.is_empty() {
        out.push_str(&format!("\n{}\n", t.description));
    }
    out.push_str(&format!(
        "\n{} messages, {} notes",
        t.messages.len(),
        t.notes.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_read_as_people_write_them() {
        assert_eq!(ticket("TKT-13"), Ok(TicketNumber(13)));
        assert_eq!(ticket("#7"), Ok(TicketNumber(7)));
        assert!(
            ticket("thirteen")
                .unwrap_err()
                .contains("is not a ticket number")
        );
    }
}
