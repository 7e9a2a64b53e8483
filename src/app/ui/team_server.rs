//! File → Team server → Set up… and Move this database to the team
//! server…: what `tickets server init`, `add-agent`, `give-login`,
//! `make-admin`, `deactivate-agent` and `import` do, from the window.
//!
//! Each talks to the server on a named thread of its own (the window never
//! waits on the network), shows that it is working, with the rows copied
//! so far when moving a desk, and says how it ended in a sentence; what was
//! typed stays in the form whatever the answer.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Ui};

use super::super::commands::Action;
use super::dialogs::{ConnectForm, FORM_LABEL_WIDTH, labelled_box, server_fields};
use super::widgets::{field_error, thousands};
use crate::clock::Clock;
use crate::store::server::{NewAgentLogin, TEAM_SCHEMA_VERSION, TeamAdmin, TeamAgent, name_of};
use crate::store::{Location, Store, StoreError};

/// Which of the two the dialog does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Set a team up (or upgrade it), then manage its agents.
    SetUp,
    /// Copy this desk's file into an empty team database.
    Move(PathBuf),
}

/// An agent to add, or a login to give to an agent who has none.
#[derive(Debug, Default)]
pub struct AgentForm {
    /// Their name (not asked when giving a login).
    pub name: String,
    /// Their email.
    pub email: String,
    /// The PostgreSQL login they will sign in with.
    pub login: String,
    /// Its password (empty: none; the server signs them in otherwise).
    pub password: String,
    /// Whether they manage agents and erase customers' data.
    pub admin: bool,
    /// The agent being given a login, when that is what the form does.
    pub giving: Option<(i64, String)>,
}

/// The dialog's state.
pub struct TeamForm {
    /// What it does.
    pub purpose: Purpose,
    /// Where the server is, and the owner's (or an admin's) login.
    pub server: ConnectForm,
    /// The first agent's name (setting up).
    pub name: String,
    /// The first agent's email (setting up).
    pub email: String,
    /// The team's agents, once set up.
    pub agents: Option<Vec<TeamAgent>>,
    /// The agent form, once set up.
    pub agent: AgentForm,
    /// The job under way, if any.
    job: Option<Job>,
    /// How the last job ended.
    pub said: Option<Result<String, String>>,
    /// Where the last job succeeded, and as whom: Connect uses it.
    pub ready: Option<Ready>,
    /// Why the form cannot be used as it is.
    pub error: Option<String>,
}

/// A server a job succeeded on: its URL (password included, in memory
/// only) and the form's boxes as they were when it started.
#[derive(Clone, Debug)]
pub struct Ready {
    /// The URL the job connected with.
    pub url: String,
    /// The boxes it was made from (the password left out).
    pub server: crate::app::settings::TeamServer,
}

/// A job on its own thread: its answer comes through `answer`.
struct Job {
    /// Where it runs, for Connect once it succeeded.
    ready: Ready,
    /// Whether the agent form is emptied when it succeeds (it added an
    /// agent or gave a login; other jobs leave what is typed there).
    clears_agent_form: bool,
    /// "Setting the team up…".
    what: &'static str,
    /// Rows copied and rows in all, while moving a desk.
    progress: Arc<(AtomicU64, AtomicU64)>,
    answer: Receiver<Answer>,
}

/// How a job ended, and the agents as they are after it.
struct Answer {
    said: Result<String, String>,
    agents: Option<Vec<TeamAgent>>,
}

impl TeamForm {
    /// The form for `purpose`, filled with the server last used.
    pub fn new(purpose: Purpose, server: ConnectForm) -> TeamForm {
        TeamForm {
            purpose,
            server,
            name: String::new(),
            email: String::new(),
            agents: None,
            agent: AgentForm::default(),
            job: None,
            said: None,
            ready: None,
            error: None,
        }
    }

    /// Whether a job is under way.
    pub fn working(&self) -> bool {
        self.job.is_some()
    }
}

/// What the dialog asks of the window.
pub enum TeamChoice {
    /// Switch to the team server (as the login of the form).
    Connect(String),
}

/// What a job does, with the owner's connection.
type Work = Box<dyn FnOnce(&mut TeamAdmin, &dyn Fn(u64, u64)) -> Result<String, StoreError> + Send>;

/// Runs `work` on a thread named `tickets-team-server`, connected as the
/// form's login; the agents are read after it (when it succeeded and
/// `list_agents`), and the window is woken when it ends.
fn start(
    form: &mut TeamForm,
    what: &'static str,
    list_agents: bool,
    clears_agent_form: bool,
    work: Work,
    ctx: &egui::Context,
) {
    let url = match form.server.url() {
        Ok(url) => url,
        Err(why) => {
            form.error = Some(why);
            return;
        }
    };
    form.error = None;
    form.said = None;
    let (tell, answer) = channel();
    let progress = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let shared = progress.clone();
    let repaint = ctx.clone();
    let ready = Ready {
        url: url.clone(),
        server: crate::app::settings::TeamServer {
            host: form.server.host.trim().to_owned(),
            port: form.server.port.trim().to_owned(),
            database: form.server.database.trim().to_owned(),
            user: form.server.user.trim().to_owned(),
            options: form.server.options.clone(),
        },
    };
    let job_url = url;
    let started = std::thread::Builder::new()
        .name("tickets-team-server".to_owned())
        .spawn(move || {
            let report = |done: u64, total: u64| {
                shared.0.store(done, Ordering::Relaxed);
                shared.1.store(total, Ordering::Relaxed);
                repaint.request_repaint();
            };
            let mut agents = None;
            let said = TeamAdmin::connect(&job_url).and_then(|mut admin| {
                let said = work(&mut admin, &report)?;
                if list_agents {
                    agents = Some(admin.agents()?);
                }
                Ok(said)
            });
            let _ = tell.send(Answer {
                said: said.map_err(|e| e.to_string()),
                agents,
            });
            repaint.request_repaint();
        });
    match started {
        Ok(_) => {
            form.job = Some(Job {
                ready,
                clears_agent_form,
                what,
                progress,
                answer,
            });
            form.ready = None;
        }
        Err(e) => form.said = Some(Err(format!("the job could not start: {e}"))),
    }
}

/// Takes in the answer of the job under way, if it came.
fn receive(form: &mut TeamForm) {
    let Some(answer) = form.job.as_ref().and_then(|j| j.answer.try_recv().ok()) else {
        return;
    };
    let Some(job) = form.job.take() else {
        return;
    };
    if answer.said.is_ok() {
        form.ready = Some(job.ready);
        if let Some(agents) = answer.agents {
            form.agents = Some(agents);
        }
        if job.clears_agent_form {
            // The agent went in (or got their login): ready for the next one.
            form.agent = AgentForm::default();
        }
    }
    form.said = Some(answer.said);
}

/// The dialog. Returns what it asks of the window.
pub fn team_server_ui(
    ui: &mut Ui,
    form: &mut TeamForm,
    clock: &Arc<dyn Clock>,
    actions: &mut Vec<Action>,
) -> Option<TeamChoice> {
    receive(form);
    let mut choice = None;
    match form.purpose.clone() {
        Purpose::SetUp => set_up_ui(ui, form, clock),
        Purpose::Move(path) => move_ui(ui, form, &path, clock),
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if let Some(ready) = &form.ready {
            let who = &ready.server.user;
            if ui
                .add_enabled(
                    !form.working(),
                    egui::Button::new(format!("Connect as {who}")),
                )
                .clicked()
            {
                choice = Some(TeamChoice::Connect(ready.url.clone()));
            }
        }
        // A job runs to its answer: the dialog stays to show it.
        if ui
            .add_enabled(!form.working(), egui::Button::new("Close"))
            .clicked()
        {
            actions.push(Action::CloseModal);
        }
    });
    choice
}

/// The job under way (with the rows copied so far, when moving), or how
/// the last one ended.
fn status_ui(ui: &mut Ui, form: &TeamForm) {
    if let Some(job) = &form.job {
        ui.horizontal(|ui| {
            ui.spinner();
            let (done, total) = (
                job.progress.0.load(Ordering::Relaxed),
                job.progress.1.load(Ordering::Relaxed),
            );
            if total > 0 && done >= total {
                ui.label("Checking the copy: counting and summing every table on both sides…");
            } else if total > 0 {
                ui.label(format!(
                    "{} {} of {} rows",
                    job.what,
                    thousands(done),
                    thousands(total)
                ));
            } else {
                ui.label(job.what);
            }
        });
        if let Some(total) = Some(job.progress.1.load(Ordering::Relaxed)).filter(|t| *t > 0) {
            let done = job.progress.0.load(Ordering::Relaxed);
            ui.add(egui::ProgressBar::new(done as f32 / total as f32).show_percentage());
        }
    }
    match &form.said {
        Some(Ok(said)) => {
            ui.add(egui::Label::new(said.as_str()).wrap());
        }
        Some(Err(why)) => {
            ui.add(
                egui::Label::new(RichText::new(why.as_str()).color(ui.visuals().error_fg_color))
                    .wrap(),
            );
        }
        None => {}
    }
}

fn set_up_ui(ui: &mut Ui, form: &mut TeamForm, clock: &Arc<dyn Clock>) {
    ui.heading("Set up a team server");
    ui.add(
        egui::Label::new(
            "Tickets keeps a team's tickets in a PostgreSQL database on your network (docs/TEAM.md). Sign in as the login that will own the team's data (it needs to be allowed to create roles), and name the first agent: you, an admin. A team set up before is brought up to this version of Tickets; then add your agents below, each with a login of their own.",
        )
        .wrap(),
    );
    ui.add_space(6.0);
    let mut entered = server_fields(ui, &mut form.server, "Owner's login");
    egui::Grid::new("team_first_agent")
        .num_columns(2)
        .min_col_width(FORM_LABEL_WIDTH)
        .show(ui, |ui| {
            let mut no_focus = false;
            entered |= labelled_box(ui, "Your name", &mut form.name, false, &mut no_focus);
            entered |= labelled_box(ui, "Your email", &mut form.email, false, &mut no_focus);
        });
    field_error(ui, form.error.as_deref());
    let set_up = ui
        .add_enabled(!form.working(), egui::Button::new("Set up"))
        .clicked();
    if (set_up || entered) && !form.working() {
        let (name, email, now) = (form.name.clone(), form.email.clone(), clock.now());
        let server = name_of(&form.server.url().unwrap_or_default());
        start(
            form,
            "Setting the team up…",
            true,
            false,
            Box::new(move |admin, _| {
                match admin.version()? {
                    Some(v) if v == TEAM_SCHEMA_VERSION => {
                        return Ok(format!(
                            "{server} is set up for a team already (schema version {v}): its agents are below."
                        ));
                    }
                    _ => {}
                }
                Ok(match admin.init(&name, &email, now)? {
                    None => format!(
                        "Set up a team on {server}, with {name} as its first agent and admin. Add the other agents below."
                    ),
                    Some(from) => format!(
                        "Upgraded the team on {server} from schema version {from} to {TEAM_SCHEMA_VERSION}; nothing else was changed."
                    ),
                })
            }),
            ui.ctx(),
        );
    }
    if form.agents.is_none() {
        status_ui(ui, form);
    } else {
        ui.separator();
        agents_ui(ui, form, clock);
    }
}

/// The team's agents, each with what an admin can do to them, and the form
/// that adds one (or gives one a login).
fn agents_ui(ui: &mut Ui, form: &mut TeamForm, clock: &Arc<dyn Clock>) {
    ui.label(RichText::new("Agents").strong());
    let mut job: Option<(&'static str, Work)> = None;
    // Whether the job comes from the agent form (which it empties once done).
    let mut from_the_form = false;
    let own_login = form.server.user.trim().to_owned();
    egui::ScrollArea::vertical()
        .max_height(180.0)
        .show(ui, |ui| {
            egui::Grid::new("team_agents")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    for agent in form.agents.iter().flatten() {
                        ui.label(&agent.name);
                        ui.label(agent.login.as_deref().unwrap_or("(no login)"));
                        ui.label(match (agent.active, agent.admin) {
                            (false, _) => "deactivated",
                            (true, true) => "admin",
                            (true, false) => "agent",
                        });
                        // Each row's buttons name their agent, for screen readers.
                        let button = |ui: &mut Ui, text: &str, spoken: String| {
                            let response = ui.button(text);
                            response.widget_info(|| {
                                egui::WidgetInfo::labeled(egui::Role::Button, true, &spoken)
                            });
                            response.clicked()
                        };
                        ui.horizontal(|ui| match (&agent.login, agent.active) {
                            (None, _) => {
                                if button(
                                    ui,
                                    "Give login…",
                                    format!("Give {} a login…", agent.name),
                                ) {
                                    form.agent.giving = Some((agent.id, agent.name.clone()));
                                }
                            }
                            (Some(login), true) if *login == own_login => {
                                ui.label("(you)");
                            }
                            (Some(login), true) => {
                                if !agent.admin
                                    && button(
                                        ui,
                                        "Make admin",
                                        format!("Make {} an admin", agent.name),
                                    )
                                {
                                    let login = login.clone();
                                    let name = agent.name.clone();
                                    job = Some((
                                        "Making an admin…",
                                        Box::new(move |admin, _| {
                                            admin.make_admin(&login)?;
                                            Ok(format!("{name} is now an admin."))
                                        }),
                                    ));
                                }
                                if button(ui, "Deactivate", format!("Deactivate {}", agent.name)) {
                                    let login = login.clone();
                                    let name = agent.name.clone();
                                    job = Some((
                                        "Deactivating…",
                                        Box::new(move |admin, _| {
                                            admin.deactivate_agent(&login)?;
                                            Ok(format!(
                                                "{name} can no longer sign in; their history stays."
                                            ))
                                        }),
                                    ));
                                }
                            }
                            (Some(_), false) => {}
                        });
                        ui.end_row();
                    }
                });
        });
    ui.add_space(4.0);
    let giving = form.agent.giving.clone();
    ui.label(
        RichText::new(match &giving {
            Some((_, name)) => format!("A login for {name}"),
            None => "Add an agent".to_owned(),
        })
        .strong(),
    );
    let mut entered = false;
    egui::Grid::new("team_new_agent")
        .num_columns(2)
        .min_col_width(FORM_LABEL_WIDTH)
        .show(ui, |ui| {
            let mut no_focus = false;
            let a = &mut form.agent;
            if giving.is_none() {
                entered |= labelled_box(ui, "Name", &mut a.name, false, &mut no_focus);
                entered |= labelled_box(ui, "Email", &mut a.email, false, &mut no_focus);
            }
            entered |= labelled_box(ui, "Their login", &mut a.login, false, &mut no_focus);
            entered |= labelled_box(ui, "Their password", &mut a.password, true, &mut no_focus);
            ui.label("");
            ui.checkbox(&mut a.admin, "Admin (adds agents, erases customers' data)");
            ui.end_row();
        });
    ui.horizontal(|ui| {
        let label = if giving.is_some() {
            "Give login"
        } else {
            "Add agent"
        };
        if ui
            .add_enabled(!form.working(), egui::Button::new(label))
            .clicked()
            || entered
        {
            let a = &form.agent;
            let password = (!a.password.is_empty()).then(|| a.password.clone());
            let (login, admin_too) = (a.login.trim().to_owned(), a.admin);
            from_the_form = true;
            job = Some(match giving.clone() {
                Some((id, name)) => (
                    "Giving a login…",
                    Box::new(move |admin: &mut TeamAdmin, _: &dyn Fn(u64, u64)| {
                        admin.give_login(id, &login, password.as_deref(), admin_too)?;
                        Ok(format!("{name} now signs in as {login}."))
                    }) as Work,
                ),
                None => {
                    let agent = NewAgentLogin {
                        name: a.name.trim().to_owned(),
                        email: a.email.trim().to_owned(),
                        login: login.clone(),
                        password,
                        admin: admin_too,
                    };
                    let now = clock.now();
                    (
                        "Adding an agent…",
                        Box::new(move |admin: &mut TeamAdmin, _: &dyn Fn(u64, u64)| {
                            admin.add_agent(&agent, now)?;
                            Ok(format!("Added {}, signing in as {login}.", agent.name))
                        }) as Work,
                    )
                }
            });
        }
        if giving.is_some() && ui.button("Cancel").clicked() {
            form.agent.giving = None;
        }
    });
    if let Some((what, work)) = job
        && !form.working()
    {
        start(form, what, true, from_the_form, work, ui.ctx());
    }
    status_ui(ui, form);
}

fn move_ui(ui: &mut Ui, form: &mut TeamForm, path: &std::path::Path, clock: &Arc<dyn Clock>) {
    ui.heading("Move this database to the team server");
    ui.add(
        egui::Label::new(format!(
            "Copies everything in {} (tickets with their numbers, customers, agents, notes, messages, activity and analytics) into an empty team database, set up first with Team server → Set up…, then counts and checksums every table on both sides: if anything differs, nothing is moved. This file stays as it is. Sign in as the team database's owner.",
            path.display()
        ))
        .wrap(),
    );
    ui.add_space(6.0);
    let entered = server_fields(ui, &mut form.server, "Owner's login");
    field_error(ui, form.error.as_deref());
    let go = ui
        .add_enabled(
            !form.working() && form.ready.is_none(),
            egui::Button::new("Move"),
        )
        .clicked();
    if (go || entered) && !form.working() && form.ready.is_none() {
        let (path, clock) = (path.to_path_buf(), clock.clone());
        let server = name_of(&form.server.url().unwrap_or_default());
        start(
            form,
            "Copying…",
            false,
            false,
            Box::new(move |admin, progress| {
                if admin.version()?.is_none() {
                    return Err(StoreError::Unsupported(format!(
                        "{server} is not set up for a team yet: set it up first with File → Team server → Set up…, then move this database into it"
                    )));
                }
                let started = std::time::Instant::now();
                let desk = Store::open_existing(&Location::File(path.clone()), clock)?;
                let moved = admin.import(&desk, &mut |done, total| progress(done, total))?;
                let rows: Vec<String> = moved
                    .tables
                    .iter()
                    .map(|(table, n)| format!("{} {}", thousands(*n), table.replace('_', " ")))
                    .collect();
                Ok(format!(
                    "Moved {} into {server} in {:.1} s, every table counted and checked: {}. Each agent needs a login before they can connect: an admin gives them one with Team server → Set up….",
                    path.display(),
                    started.elapsed().as_secs_f64(),
                    rows.join(", ")
                ))
            }),
            ui.ctx(),
        );
    }
    status_ui(ui, form);
}
