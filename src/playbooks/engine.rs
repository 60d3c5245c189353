//! Running the playbooks for a batch of events (a bulk import's chunk, or one event),
//! inside the caller's transaction.
//!
//! The events are decided one after another in their order and, for each, every enabled
//! playbook of the trigger in order: a playbook that met this event already is skipped (a
//! replayed event changes nothing); then its conditions must all hold; a snooze for the
//! account or its frequency bound can still hold it back (the run is recorded as such);
//! otherwise its actions run in order and the run is recorded with what they made.
//! What they look at is read once for the batch ([`batch`](super::batch)) and what they
//! make is written at the end ([`writes`](super::writes)), so a batch costs a fixed number
//! of statements however many events it has. Any failure is returned to the caller, whose
//! transaction then rolls back the events and every effect together.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::batch::{self, Known, Loaded, State};
use super::{actions, conditions, runs, writes};
use crate::accounts::service as accounts;
use crate::contacts::service as contacts;
use crate::db::bulk::by_ids;
use crate::entities::enums::{PlaybookRunOutcome, PlaybookTrigger};
use crate::entities::{account, contact, nps_response, project, task};
use crate::error::{AppError, AppResult};
use crate::projects::service as projects;
use crate::surveys::service as surveys;

/// What the playbooks did about one event: the rows they wrote, for the caller to report
/// and to publish once the transaction has committed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Effects {
    pub projects_started: Vec<Uuid>,
    /// Which playbook started each project of `projects_started`, for live updates.
    pub started_by: Vec<StartedProject>,
    pub tasks_created: Vec<Uuid>,
    pub emails_queued: Vec<Uuid>,
    pub members_notified: Vec<Uuid>,
    /// An open project the response was attached to instead of starting another.
    pub attached_to_project: Option<Uuid>,
    /// The playbooks whose actions ran, in order.
    pub playbooks_fired: Vec<Uuid>,
}

/// A project a playbook started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartedProject {
    pub project_id: Uuid,
    pub playbook_id: Uuid,
}

impl Effects {
    /// Adds what another run did to this one.
    pub fn absorb(&mut self, other: Effects) {
        self.projects_started.extend(other.projects_started);
        self.started_by.extend(other.started_by);
        self.tasks_created.extend(other.tasks_created);
        self.emails_queued.extend(other.emails_queued);
        self.members_notified.extend(other.members_notified);
        self.attached_to_project = other.attached_to_project.or(self.attached_to_project);
        self.playbooks_fired.extend(other.playbooks_fired);
    }
}

/// Everything the conditions and actions may look at for one event. The response is the
/// event's own, or the one that started the project behind a project or task event; the
/// contact is that response's.
#[derive(Debug, Clone)]
pub struct Event {
    pub trigger: PlaybookTrigger,
    /// The NPS response, project or task the event is about.
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub account: account::Model,
    pub contact: Option<contact::Model>,
    pub response: Option<nps_response::Model>,
    pub project: Option<project::Model>,
}

/// Runs the workspace's enabled `NPS_RESPONSE_RECORDED` playbooks for responses that were
/// just stored, in their order, as if one after another; returns what they did for each
/// response, in the same order. Call it in the transaction that stored the responses,
/// which must all be of one workspace.
pub async fn on_responses_recorded(
    db: &impl ConnectionTrait,
    responses: &[nps_response::Model],
    now: DateTime<Utc>,
) -> AppResult<Vec<Effects>> {
    let Some(workspace_id) = responses.first().map(|r| r.workspace_id) else {
        return Ok(Vec::new());
    };
    if responses.iter().any(|r| r.workspace_id != workspace_id) {
        return Err(AppError::internal(anyhow::anyhow!(
            "a batch of responses spans workspaces"
        )));
    }
    let trigger = PlaybookTrigger::NpsResponseRecorded;
    let playbooks = batch::enabled(db, workspace_id, trigger).await?;
    if playbooks.is_empty() {
        return Ok(vec![Effects::default(); responses.len()]);
    }
    let events = response_events(db, workspace_id, responses).await?;
    run(db, playbooks, &events, now).await
}

/// Runs the playbooks for one response that was just stored: a batch of one.
pub async fn on_response_recorded(
    db: &impl ConnectionTrait,
    response: &nps_response::Model,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let mut effects = on_responses_recorded(db, std::slice::from_ref(response), now).await?;
    Ok(effects.pop().unwrap_or_default())
}

/// The events of responses: their accounts and contacts read in two queries.
async fn response_events(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    responses: &[nps_response::Model],
) -> AppResult<Vec<Event>> {
    let columns = (account::Column::WorkspaceId, account::Column::Id);
    let accounts = by_ids::<account::Entity>(
        db,
        columns,
        workspace_id,
        responses.iter().map(|r| r.account_id),
        |a| a.id,
    )
    .await?;
    let columns = (contact::Column::WorkspaceId, contact::Column::Id);
    let contacts = by_ids::<contact::Entity>(
        db,
        columns,
        workspace_id,
        responses.iter().map(|r| r.contact_id),
        |c| c.id,
    )
    .await?;
    responses
        .iter()
        .map(|response| {
            Ok(Event {
                trigger: PlaybookTrigger::NpsResponseRecorded,
                id: response.id,
                workspace_id,
                account: accounts
                    .get(&response.account_id)
                    .cloned()
                    .ok_or(AppError::NotFound("account"))?,
                contact: Some(
                    contacts
                        .get(&response.contact_id)
                        .cloned()
                        .ok_or(AppError::NotFound("contact"))?,
                ),
                response: Some(response.clone()),
                project: None,
            })
        })
        .collect()
}

/// Runs the `PROJECT_COMPLETED` playbooks for a project that was just completed, in the
/// transaction that completed it.
pub async fn on_project_completed(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let event = project_event(db, PlaybookTrigger::ProjectCompleted, project.id, project).await?;
    run_single(db, event, now).await
}

/// Runs the `TASK_OVERDUE` playbooks for a task found overdue, in the transaction of the
/// job that found it. A task of a project sees the project's triggering response.
pub async fn on_task_overdue(
    db: &impl ConnectionTrait,
    task: &task::Model,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let event = match task.project_id {
        Some(project_id) => {
            let project = projects::find(db, task.workspace_id, project_id).await?;
            project_event(db, PlaybookTrigger::TaskOverdue, task.id, &project).await?
        }
        None => Event {
            trigger: PlaybookTrigger::TaskOverdue,
            id: task.id,
            workspace_id: task.workspace_id,
            account: accounts::find(db, task.workspace_id, task.account_id).await?,
            contact: None,
            response: None,
            project: None,
        },
    };
    run_single(db, event, now).await
}

async fn project_event(
    db: &impl ConnectionTrait,
    trigger: PlaybookTrigger,
    id: Uuid,
    project: &project::Model,
) -> AppResult<Event> {
    let workspace_id = project.workspace_id;
    let response = match project.triggering_response_id {
        Some(response_id) => Some(surveys::find(db, workspace_id, response_id).await?),
        None => None,
    };
    let contact = match &response {
        Some(response) => Some(contacts::find(db, workspace_id, response.contact_id).await?),
        None => None,
    };
    Ok(Event {
        trigger,
        id,
        workspace_id,
        account: accounts::find(db, workspace_id, project.account_id).await?,
        contact,
        response,
        project: Some(project.clone()),
    })
}

/// Runs the playbooks of one event that is not a response: a batch of one.
async fn run_single(
    db: &impl ConnectionTrait,
    event: Event,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let playbooks = batch::enabled(db, event.workspace_id, event.trigger).await?;
    if playbooks.is_empty() {
        return Ok(Effects::default());
    }
    let mut effects = run(db, playbooks, std::slice::from_ref(&event), now).await?;
    Ok(effects.pop().unwrap_or_default())
}

/// Reads what the batch needs, decides every event in order, then writes what they made.
async fn run(
    db: &impl ConnectionTrait,
    playbooks: Vec<Loaded>,
    events: &[Event],
    now: DateTime<Utc>,
) -> AppResult<Vec<Effects>> {
    let Some(workspace_id) = events.first().map(|e| e.workspace_id) else {
        return Ok(Vec::new());
    };
    let known = Known::load(db, workspace_id, playbooks, events).await?;
    let mut state = State::load(db, &known, events, now).await?;
    let mut all = Vec::with_capacity(events.len());
    for event in events {
        let mut effects = Effects::default();
        for loaded in &known.playbooks {
            effects.absorb(run_one(&known, &mut state, loaded, event, now)?);
        }
        all.push(effects);
    }
    writes::write(db, state, now).await?;
    Ok(all)
}

fn run_one(
    known: &Known,
    state: &mut State,
    loaded: &Loaded,
    event: &Event,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let playbook = &loaded.playbook;
    if state.has_run(playbook.id, event.id) {
        return Ok(Effects::default());
    }
    if !conditions::hold(known, state, &loaded.conditions, event) {
        return Ok(Effects::default());
    }
    if let Some(outcome) = held_back(state, loaded, event, now) {
        runs::record(state, playbook, event, outcome, json!({}), now);
        tracing::info!(playbook.id = %playbook.id, event.id = %event.id, outcome = ?outcome, "playbook held back");
        return Ok(Effects::default());
    }

    let mut effects = Effects::default();
    for action in &loaded.actions {
        actions::run(known, state, playbook, event, action, &mut effects, now)?;
    }
    effects.playbooks_fired.push(playbook.id);
    let details = super::model::to_json(&effects)?;
    runs::record(
        state,
        playbook,
        event,
        PlaybookRunOutcome::Fired,
        details,
        now,
    );
    tracing::info!(playbook.id = %playbook.id, event.id = %event.id, account.id = %event.account.id, "playbook fired");
    Ok(effects)
}

/// Why a playbook whose conditions hold does not fire now, if it does not.
fn held_back(
    state: &State,
    loaded: &Loaded,
    event: &Event,
    now: DateTime<Utc>,
) -> Option<PlaybookRunOutcome> {
    let playbook = &loaded.playbook;
    if state.is_snoozed(playbook.id, event.account.id) {
        return Some(PlaybookRunOutcome::Snoozed);
    }
    let frequency = loaded.conditions.frequency?;
    state
        .too_recent(playbook.id, frequency, event, now)
        .then_some(PlaybookRunOutcome::RateLimited)
}
