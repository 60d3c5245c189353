//! `START_PROJECT`: start a project from a template for the event's account, or attach the
//! event's response to the account's open project from that template.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{Step, record};
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::enums::{ContactRole, ProjectStatus, Severity};
use crate::entities::{playbook, project};
use crate::error::{AppError, AppResult};
use crate::notes::service::{self as notes, NewNote};
use crate::playbooks::conditions::template_id;
use crate::playbooks::engine::{Effects, Event, StartedProject};
use crate::playbooks::model::{SeverityRule, TemplateRef};
use crate::projects::service::{StartProject, start_project};
use crate::tasks::service::label;
use crate::values::Text;

/// How much of a comment a note quotes; the note links to nothing else, so it stays short.
const QUOTE_CHARS: usize = 2000;

pub(super) struct Start<'a> {
    pub template: &'a TemplateRef,
    pub severity: SeverityRule,
    pub attach: bool,
}

pub(super) async fn run(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    start: Start<'_>,
    effects: &mut Effects,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let template_id = template_id(db, event.workspace_id, start.template)
        .await?
        .ok_or(AppError::NotFound("project template"))?;
    if start.attach
        && let Some(open) = open_project(db, event, template_id).await?
    {
        attach(db, playbook, event, &open, now).await?;
        effects.attached_to_project = Some(open.id);
        return Ok(());
    }

    let new = StartProject {
        account_id: event.account.id,
        template_id,
        name: None,
        severity: severity(start.severity, event),
        starts_at: None,
        owner_id: None,
        triggering_response_id: event.response.as_ref().map(|r| r.id),
    };
    let project = start_project(db, event.workspace_id, None, new, now).await?;

    let details = json!({ "projectId": project.id, "severity": label(project.severity) });
    let step = Step::new(playbook, event, "START_PROJECT", details);
    record(
        db,
        Step {
            project_id: Some(project.id),
            ..step
        },
        now,
    )
    .await?;
    effects.projects_started.push(project.id);
    effects.started_by.push(StartedProject {
        project_id: project.id,
        playbook_id: playbook.id,
    });
    Ok(())
}

fn severity(rule: SeverityRule, event: &Event) -> Severity {
    match rule {
        SeverityRule::Low => Severity::Low,
        SeverityRule::Normal => Severity::Normal,
        SeverityRule::High => Severity::High,
        SeverityRule::ByContactRole => {
            let role = event.contact.as_ref().map(|c| c.role);
            if matches!(role, Some(ContactRole::Admin | ContactRole::Champion)) {
                Severity::High
            } else {
                Severity::Normal
            }
        }
    }
}

/// The account's most recently started active project from the template.
async fn open_project(
    db: &impl ConnectionTrait,
    event: &Event,
    template_id: Uuid,
) -> AppResult<Option<project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::WorkspaceId.eq(event.workspace_id))
        .filter(project::Column::AccountId.eq(event.account.id))
        .filter(project::Column::TemplateId.eq(template_id))
        .filter(project::Column::Status.eq(ProjectStatus::Active))
        .order_by_desc(project::Column::StartsAt)
        .order_by_desc(project::Column::Id)
        .one(db)
        .await?)
}

/// Records the response on the open project (activity) and quotes it in a note there, so
/// the people working the project see the new answer.
async fn attach(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    open: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let response = event.response.as_ref();
    let details = json!({
        "playbookId": playbook.id,
        "playbook": playbook.name,
        "responseId": response.map(|r| r.id),
        "score": response.map(|r| r.score),
    });
    let change = Change {
        workspace_id: event.workspace_id,
        actor_id: None,
        subject: Subject::Project(open.id),
        action: "project.response_attached",
        account_id: Some(open.account_id),
        project_id: Some(open.id),
        task_id: None,
        details,
    };
    activity::record(db, change, now).await?;
    let note = NewNote {
        account_id: open.account_id,
        project_id: Some(open.id),
        body: Text::parse("body", &note_body(playbook, event))?,
    };
    notes::add(db, event.workspace_id, None, note, now).await?;

    let step = Step::new(
        playbook,
        event,
        "START_PROJECT",
        json!({ "attachedToProjectId": open.id }),
    );
    record(
        db,
        Step {
            project_id: Some(open.id),
            ..step
        },
        now,
    )
    .await?;
    tracing::info!(project.id = %open.id, event.id = %event.id, "response attached to open project");
    Ok(())
}

fn note_body(playbook: &playbook::Model, event: &Event) -> String {
    let who = event
        .contact
        .as_ref()
        .map(|c| c.name.clone().unwrap_or_else(|| c.email.clone()))
        .unwrap_or_else(|| "The contact".to_owned());
    let Some(response) = &event.response else {
        return format!(
            "Playbook \"{}\" attached a new event to this project.",
            playbook.name
        );
    };
    let mut body = format!(
        "{who} answered the NPS survey again: {} out of 10 (attached by the playbook \"{}\").",
        response.score, playbook.name
    );
    if let Some(comment) = &response.comment {
        let quoted: String = comment.chars().take(QUOTE_CHARS).collect();
        body.push_str(&format!("\n\n> {quoted}"));
    }
    body
}
