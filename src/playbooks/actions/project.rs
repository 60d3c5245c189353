//! `START_PROJECT`: start a project from a template for the event's account, or attach the
//! event's response to the account's open project from that template.

use serde_json::json;
use uuid::Uuid;

use super::{Run, Step, record};
use crate::activity::service::{Change, Subject};
use crate::entities::enums::{ContactRole, Severity};
use crate::entities::playbook;
use crate::error::{AppError, AppResult};
use crate::notes::service::{NewNote, note_row};
use crate::playbooks::batch::State;
use crate::playbooks::engine::{Effects, Event, StartedProject};
use crate::playbooks::model::{SeverityRule, TemplateRef};
use crate::projects::service::{StartProject, plan_project};
use crate::tasks::service::label;
use crate::values::Text;

/// How much of a comment a note quotes; the note links to nothing else, so it stays short.
const QUOTE_CHARS: usize = 2000;

pub(super) struct Start<'a> {
    pub template: &'a TemplateRef,
    pub severity: SeverityRule,
    pub attach: bool,
}

pub(super) fn run(
    run: &Run<'_>,
    state: &mut State,
    start: Start<'_>,
    effects: &mut Effects,
) -> AppResult<()> {
    let event = run.event;
    let template_id = run
        .known
        .template_id(start.template)
        .ok_or(AppError::NotFound("project template"))?;
    if start.attach
        && let Some(open) = state.open_project(event.account.id, template_id)
    {
        attach(run, state, open)?;
        effects.attached_to_project = Some(open);
        return Ok(());
    }

    let blueprint = run
        .known
        .blueprints
        .get(&template_id)
        .ok_or(AppError::NotFound("project template"))?;
    let new = StartProject {
        account_id: event.account.id,
        template_id,
        name: None,
        severity: severity(start.severity, event),
        starts_at: None,
        owner_id: None,
        triggering_response_id: event.response.as_ref().map(|r| r.id),
    };
    let assignees = run.known.assignees(event.account.owner_id);
    let planned = plan_project(
        Uuid::now_v7(),
        &event.account,
        blueprint,
        new,
        assignees,
        None,
        run.now,
    )?;
    let project = &planned.project;
    state.started(
        project.account_id,
        template_id,
        project.starts_at,
        project.id,
    );

    let details = json!({ "projectId": project.id, "severity": label(project.severity) });
    let step = Step::new(run, "START_PROJECT", details);
    record(
        state,
        Step {
            project_id: Some(project.id),
            ..step
        },
    );
    effects.projects_started.push(project.id);
    effects.started_by.push(StartedProject {
        project_id: project.id,
        playbook_id: run.playbook.id,
    });
    state.writes.projects.push(planned);
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

/// Records the response on the open project (activity) and quotes it in a note there, so
/// the people working the project see the new answer.
fn attach(run: &Run<'_>, state: &mut State, open: Uuid) -> AppResult<()> {
    let (playbook, event) = (run.playbook, run.event);
    let response = event.response.as_ref();
    let details = json!({
        "playbookId": playbook.id,
        "playbook": playbook.name,
        "responseId": response.map(|r| r.id),
        "score": response.map(|r| r.score),
    });
    state.writes.activity.push(Change {
        workspace_id: event.workspace_id,
        actor_id: None,
        subject: Subject::Project(open),
        action: "project.response_attached",
        account_id: Some(event.account.id),
        project_id: Some(open),
        task_id: None,
        details,
    });
    let note = NewNote {
        account_id: event.account.id,
        project_id: Some(open),
        body: Text::parse("body", &note_body(playbook, event))?,
    };
    let (note, added) = note_row(Uuid::now_v7(), event.workspace_id, None, note, run.now);
    state.writes.activity.push(added);
    tracing::info!(note.id = %note.id, account.id = %note.account_id, "note added");
    state.writes.notes.push(note);

    let step = Step::new(run, "START_PROJECT", json!({ "attachedToProjectId": open }));
    record(
        state,
        Step {
            project_id: Some(open),
            ..step
        },
    );
    tracing::info!(project.id = %open, event.id = %event.id, "response attached to open project");
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
