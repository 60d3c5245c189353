//! Running one action of a playbook for an event. Each action writes its rows through the
//! domain's own services (which record their own activity) and one `playbook.action`
//! activity record naming the playbook, with the system (no member) as the actor.

mod messages;
mod project;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::engine::{Effects, Event};
use super::model::{Action, MemberRule, MemberTarget};
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::playbook;
use crate::error::AppResult;
use crate::follow_ups::service::{self as follow_ups, Plan, SKIPPED_BY_PLAYBOOK};
use crate::members::service as members;
use crate::tasks::service::{self as tasks, NewTask, RuleAssignees};
use crate::values::{Name, Text};

pub async fn run(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    action: &Action,
    effects: &mut Effects,
    now: DateTime<Utc>,
) -> AppResult<()> {
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
            project::run(db, playbook, event, start, effects, now).await
        }
        Action::SendEmail {
            template,
            hold_for_review,
        } => {
            messages::send_email(
                db,
                playbook,
                event,
                template,
                *hold_for_review,
                effects,
                now,
            )
            .await
        }
        Action::CreateTask { .. } => create_task(db, playbook, event, action, effects, now).await,
        Action::ScheduleFollowUp { after_days } => {
            let plan = Plan::AfterDays(*after_days);
            follow_up(db, playbook, event, action, &plan, now).await
        }
        Action::SkipFollowUp { reason } => {
            let reason = reason.as_deref().unwrap_or(SKIPPED_BY_PLAYBOOK);
            let plan = Plan::Skip(reason.to_owned());
            follow_up(db, playbook, event, action, &plan, now).await
        }
        Action::NotifyMember { target, message } => {
            messages::notify_member(
                db,
                playbook,
                event,
                *target,
                message.as_deref(),
                effects,
                now,
            )
            .await
        }
    }
}

async fn create_task(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    action: &Action,
    effects: &mut Effects,
    now: DateTime<Utc>,
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
    let new = NewTask {
        account_id: event.account.id,
        project_id: None,
        milestone_id: None,
        title: Name::parse("title", title)?,
        description: description
            .as_deref()
            .map(|d| Text::parse("description", d))
            .transpose()?,
        assignee_id: member_of(db, event, *assignee).await?,
        due_at: Some(now + Duration::days(i64::from(*due_in_days))),
        priority: *priority,
    };
    let task = tasks::create_task(db, event.workspace_id, None, new, now).await?;

    let details = json!({ "taskId": task.id, "assigneeId": task.assignee_id });
    let step = Step::new(playbook, event, "CREATE_TASK", details);
    record(
        db,
        Step {
            task_id: Some(task.id),
            ..step
        },
        now,
    )
    .await?;
    effects.tasks_created.push(task.id);
    Ok(())
}

/// Sets the follow-up of the event's completed project. A project no response started has
/// no contact to follow up with, and the action does nothing.
async fn follow_up(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    action: &Action,
    plan: &Plan,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (Some(project), Some(contact)) = (&event.project, &event.contact) else {
        tracing::info!(playbook.id = %playbook.id, event.id = %event.id, "no project contact to follow up with");
        return Ok(());
    };
    let follow_up = follow_ups::apply_plan(db, project, contact.id, plan, now).await?;
    let details = json!({
        "followUpId": follow_up.as_ref().map(|f| f.id),
        "dueAt": follow_up.as_ref().map(|f| f.due_at),
        "status": follow_up.as_ref().map(|f| f.status.to_value()),
    });
    record(db, Step::new(playbook, event, action.kind(), details), now).await
}

/// The team member a rule means for the event's account, if there is one. A named member
/// who has left the workspace is replaced by the account owner, as in blueprints.
async fn member_of(
    db: &impl ConnectionTrait,
    event: &Event,
    target: MemberTarget,
) -> AppResult<Option<Uuid>> {
    let owner = event.account.owner_id;
    match (target.rule, target.member_id) {
        (MemberRule::AccountOwner, _) => Ok(owner),
        (MemberRule::OwnerManager, _) => {
            let rules = RuleAssignees::for_owner(db, event.workspace_id, owner).await?;
            Ok(rules.owner_manager)
        }
        (MemberRule::HeadOfCs, _) => {
            let workspace = crate::workspaces::service::find(db, event.workspace_id).await?;
            Ok(workspace.head_of_cs_id)
        }
        (MemberRule::Member, Some(id)) => match members::find(db, event.workspace_id, id).await {
            Ok(member) => Ok(Some(member.id)),
            Err(crate::error::AppError::NotFound(_)) => Ok(owner),
            Err(other) => Err(other),
        },
        (MemberRule::Member, None) => Ok(owner),
    }
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
    fn new(playbook: &playbook::Model, event: &Event, kind: &str, extra: Value) -> Step {
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

async fn record(db: &impl ConnectionTrait, step: Step, now: DateTime<Utc>) -> AppResult<()> {
    let change = Change {
        workspace_id: step.workspace_id,
        actor_id: None,
        subject: Subject::Playbook(step.playbook_id),
        action: "playbook.action",
        account_id: Some(step.account_id),
        project_id: step.project_id,
        task_id: step.task_id,
        details: step.details,
    };
    activity::record(db, change, now).await?;
    Ok(())
}
