//! Running the playbooks for one event, inside the caller's transaction.
//!
//! For each enabled playbook of the event's trigger, in order: a playbook that met this
//! event already is skipped (a replayed event changes nothing); then its conditions must
//! all hold; a snooze for the account or its frequency bound can still hold it back (the
//! run is recorded as such); otherwise its actions run in order and the run is recorded
//! with what they made. Any failure is returned to the caller, whose transaction then
//! rolls back the event and every effect together.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::model::parse_stored;
use super::{actions, conditions, runs, snoozes};
use crate::accounts::service as accounts;
use crate::contacts::service as contacts;
use crate::entities::enums::{PlaybookRunOutcome, PlaybookTrigger};
use crate::entities::{account, contact, nps_response, playbook, project, task};
use crate::error::AppResult;
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

/// Runs the workspace's enabled `NPS_RESPONSE_RECORDED` playbooks, in order, for a response
/// that was just stored. Call it in the transaction that stored the response.
pub async fn on_response_recorded(
    db: &impl ConnectionTrait,
    response: &nps_response::Model,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let workspace_id = response.workspace_id;
    let event = Event {
        trigger: PlaybookTrigger::NpsResponseRecorded,
        id: response.id,
        workspace_id,
        account: accounts::find(db, workspace_id, response.account_id).await?,
        contact: Some(contacts::find(db, workspace_id, response.contact_id).await?),
        response: Some(response.clone()),
        project: None,
    };
    run(db, &event, now).await
}

/// Runs the `PROJECT_COMPLETED` playbooks for a project that was just completed, in the
/// transaction that completed it.
pub async fn on_project_completed(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    let event = project_event(db, PlaybookTrigger::ProjectCompleted, project.id, project).await?;
    run(db, &event, now).await
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
    run(db, &event, now).await
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

async fn run(db: &impl ConnectionTrait, event: &Event, now: DateTime<Utc>) -> AppResult<Effects> {
    let mut effects = Effects::default();
    for playbook in enabled(db, event.workspace_id, event.trigger).await? {
        effects.absorb(run_one(db, &playbook, event, now).await?);
    }
    Ok(effects)
}

async fn enabled(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    trigger: PlaybookTrigger,
) -> AppResult<Vec<playbook::Model>> {
    Ok(playbook::Entity::find()
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook::Column::Trigger.eq(trigger))
        .filter(playbook::Column::Enabled.eq(true))
        .order_by_asc(playbook::Column::Position)
        .order_by_asc(playbook::Column::Id)
        .all(db)
        .await?)
}

async fn run_one(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    now: DateTime<Utc>,
) -> AppResult<Effects> {
    if runs::exists(db, playbook, event.id).await? {
        return Ok(Effects::default());
    }
    let (conditions, actions) = parse_stored(playbook)?;
    if !conditions::hold(db, &conditions, event).await? {
        return Ok(Effects::default());
    }
    if let Some(outcome) = held_back(db, playbook, &conditions, event, now).await? {
        runs::record(db, playbook, event, outcome, json!({}), now).await?;
        tracing::info!(playbook.id = %playbook.id, event.id = %event.id, outcome = ?outcome, "playbook held back");
        return Ok(Effects::default());
    }

    let mut effects = Effects::default();
    for action in &actions {
        actions::run(db, playbook, event, action, &mut effects, now).await?;
    }
    effects.playbooks_fired.push(playbook.id);
    let details = super::model::to_json(&effects)?;
    runs::record(db, playbook, event, PlaybookRunOutcome::Fired, details, now).await?;
    tracing::info!(playbook.id = %playbook.id, event.id = %event.id, account.id = %event.account.id, "playbook fired");
    Ok(effects)
}

/// Why a playbook whose conditions hold does not fire now, if it does not.
async fn held_back(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    conditions: &super::model::Conditions,
    event: &Event,
    now: DateTime<Utc>,
) -> AppResult<Option<PlaybookRunOutcome>> {
    if snoozes::is_snoozed(db, event.workspace_id, playbook.id, event.account.id, now).await? {
        return Ok(Some(PlaybookRunOutcome::Snoozed));
    }
    if let Some(frequency) = conditions.frequency
        && runs::too_recent(db, playbook, frequency, event, now).await?
    {
        return Ok(Some(PlaybookRunOutcome::RateLimited));
    }
    Ok(None)
}
