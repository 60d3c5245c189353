//! Running one action of a playbook for an event, in memory: the rows it makes are built
//! by the domains' own functions (projects, tasks, notes, the outbox, each with its own
//! activity record) and gathered in the batch's writes, with one `playbook.action`
//! activity record naming the playbook, with the system (no member) as the actor.

mod messages;
mod project;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::batch::{Known, State};
use super::engine::{Effects, Event};
use super::model::Action;
use super::writes::PlannedFollowUp;
use crate::activity::service::{Change, Subject};
use crate::entities::playbook;
use crate::error::AppResult;
use crate::follow_ups::service::{Plan, SKIPPED_BY_PLAYBOOK};
use crate::tasks::service::{NewTask, Placement, created, task_row};
use crate::values::{Name, Text};

pub use messages::email_key;

pub fn run(
    known: &Known,
    state: &mut State,
    playbook: &playbook::Model,
    event: &Event,
    action: &Action,
    effects: &mut Effects,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let run = Run {
        known,
        playbook,
        event,
        now,
    };
    match action {
        Action::StartProject {
            template,
            severity,
            attach_to_open_project,
        } => {
            let start = project::Start {
                template,
                severity: *severity,
                attach: *attach_to_open_project,
            };
            project::run(&run, state, start, effects)
        }
        Action::SendEmail {
            template,
            hold_for_review,
        } => messages::send_email(&run, state, template, *hold_for_review, effects),
        Action::CreateTask { .. } => create_task(&run, state, action, effects),
        Action::NotifyMember { target, message } => {
            messages::notify_member(&run, state, *target, message.as_deref(), effects)
        }
        Action::ScheduleFollowUp { after_days } => {
            follow_up(&run, state, action, Plan::AfterDays(*after_days));
            Ok(())
        }
        Action::SkipFollowUp { reason } => {
            let reason = reason.as_deref().unwrap_or(SKIPPED_BY_PLAYBOOK);
            follow_up(&run, state, action, Plan::Skip(reason.to_owned()));
            Ok(())
        }
    }
}

/// Plans the follow-up of the event's completed project; it is set when the batch is
/// written. A project no response started has no contact to follow up with, and the
/// action does nothing.
fn follow_up(run: &Run<'_>, state: &mut State, action: &Action, plan: Plan) {
    let (Some(project), Some(contact)) = (&run.event.project, &run.event.contact) else {
        tracing::info!(playbook.id = %run.playbook.id, event.id = %run.event.id, "no project contact to follow up with");
        return;
    };
    let step = Step::new(run, action.kind(), json!({}));
    state.writes.follow_ups.push(PlannedFollowUp {
        project: project.clone(),
        contact_id: contact.id,
        plan,
        activity: change(step),
    });
}

/// What an action runs for.
struct Run<'a> {
    known: &'a Known,
    playbook: &'a playbook::Model,
    event: &'a Event,
    now: DateTime<Utc>,
}

fn create_task(
    run: &Run<'_>,
    state: &mut State,
    action: &Action,
    effects: &mut Effects,
) -> AppResult<()> {
    let Action::CreateTask {
        title,
        description,
        due_in_days,
        assignee,
        priority,
    } = action
    else {
        return Ok(());
    };
    let event = run.event;
    let new = NewTask {
        account_id: event.account.id,
        project_id: None,
        milestone_id: None,
        title: Name::parse("title", title)?,
        description: description
            .as_deref()
            .map(|d| Text::parse("description", d))
            .transpose()?,
        assignee_id: run.known.member_of(event, *assignee),
        due_at: Some(run.now + Duration::days(i64::from(*due_in_days))),
        priority: *priority,
    };
    let task = task_row(
        Uuid::now_v7(),
        event.workspace_id,
        event.account.id,
        Placement::default(),
        new,
        run.now,
    );
    state.writes.activity.push(created(&task, None));

    let details = json!({ "taskId": task.id, "assigneeId": task.assignee_id });
    let step = Step::new(run, "CREATE_TASK", details);
    record(
        state,
        Step {
            task_id: Some(task.id),
            ..step
        },
    );
    tracing::info!(task.id = %task.id, account.id = %task.account_id, "task created");
    effects.tasks_created.push(task.id);
    state.writes.tasks.push(task);
    Ok(())
}

/// One action's activity record.
struct Step {
    workspace_id: Uuid,
    playbook_id: Uuid,
    account_id: Uuid,
    project_id: Option<Uuid>,
    task_id: Option<Uuid>,
    details: Value,
}

impl Step {
    fn new(run: &Run<'_>, kind: &str, extra: Value) -> Step {
        let (playbook, event) = (run.playbook, run.event);
        let mut details = json!({
            "playbookId": playbook.id,
            "playbook": playbook.name,
            "action": kind,
            "eventId": event.id,
        });
        if let (Some(details), Value::Object(extra)) = (details.as_object_mut(), extra) {
            details.extend(extra);
        }
        Step {
            workspace_id: playbook.workspace_id,
            playbook_id: playbook.id,
            account_id: event.account.id,
            project_id: event.project.as_ref().map(|p| p.id),
            task_id: None,
            details,
        }
    }
}

fn record(state: &mut State, step: Step) {
    state.writes.activity.push(change(step));
}

fn change(step: Step) -> Change {
    Change {
        workspace_id: step.workspace_id,
        actor_id: None,
        subject: Subject::Playbook(step.playbook_id),
        action: "playbook.action",
        account_id: Some(step.account_id),
        project_id: step.project_id,
        task_id: step.task_id,
        details: step.details,
    }
}
