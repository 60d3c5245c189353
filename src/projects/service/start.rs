//! Starting a project: the blueprint's milestones and task templates become the project's
//! own milestones and tasks, dated from the project's start and assigned by their rules.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{record, shift};
use crate::accounts::service as accounts;
use crate::clock;
use crate::entities::enums::{ProjectStatus, Severity, TaskStatus};
use crate::entities::{account, milestone, nps_response, project, task};
use crate::error::{AppError, AppResult};
use crate::members::service as members;
use crate::tasks::service::RuleAssignees;
use crate::templates::service::{Blueprint, BlueprintMilestone, blueprint};
use crate::values::Name;

/// What to start: a template for an account.
#[derive(Debug, Clone)]
pub struct StartProject {
    pub account_id: Uuid,
    pub template_id: Uuid,
    /// Defaults to "<template>: <account>".
    pub name: Option<Name>,
    pub severity: Severity,
    /// Defaults to now; task due dates count from it.
    pub starts_at: Option<DateTime<Utc>>,
    /// Defaults to the account's owner.
    pub owner_id: Option<Uuid>,
    /// The NPS response that caused the project; it must be one of the account's.
    pub triggering_response_id: Option<Uuid>,
}

/// Starts a project from a template and records `project.started` with the number of
/// tasks made. Writes many rows: call it in a transaction, which it never opens itself,
/// so a playbook can start a project inside the transaction of the response behind it.
pub async fn start_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    start: StartProject,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let account = accounts::find(db, workspace_id, start.account_id).await?;
    let blueprint = blueprint(db, workspace_id, start.template_id).await?;
    if let Some(owner_id) = start.owner_id {
        members::find(db, workspace_id, owner_id).await?;
    }
    if let Some(response_id) = start.triggering_response_id {
        check_response(db, workspace_id, account.id, response_id).await?;
    }

    let project = insert_project(db, &account, &blueprint, start, now).await?;
    let assignees =
        RuleAssignees::for_owner(db, workspace_id, account.owner_id.or(project.owner_id)).await?;
    let task_count = copy_blueprint(db, &project, &blueprint, assignees, now).await?;
    crate::sla::clocks::start(db, &project, now).await?;

    let details = json!({
        "templateId": blueprint.template.id,
        "taskCount": task_count,
        "triggeringResponseId": project.triggering_response_id,
    });
    record(db, &project, actor_id, "project.started", details, now).await?;
    tracing::info!(
        project.id = %project.id,
        account.id = %account.id,
        template.id = %blueprint.template.id,
        project.task_count = task_count,
        "project started"
    );
    Ok(project)
}

async fn check_response(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account_id: Uuid,
    response_id: Uuid,
) -> AppResult<()> {
    let response = nps_response::Entity::find_by_id(response_id)
        .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("NPS response"))?;
    if response.account_id != account_id {
        return Err(AppError::bad_input(
            "triggeringResponseId",
            "the NPS response belongs to another account",
        ));
    }
    Ok(())
}

async fn insert_project(
    db: &impl ConnectionTrait,
    account: &account::Model,
    blueprint: &Blueprint,
    start: StartProject,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let template = &blueprint.template;
    let name = match start.name {
        Some(name) => name.into_inner(),
        None => default_name(&template.name, &account.name),
    };
    let project = project::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(account.workspace_id),
        account_id: Set(account.id),
        template_id: Set(Some(template.id)),
        kind: Set(template.kind),
        name: Set(name),
        status: Set(ProjectStatus::Active),
        severity: Set(start.severity),
        owner_id: Set(start.owner_id.or(account.owner_id)),
        triggering_response_id: Set(start.triggering_response_id),
        starts_at: Set(clock::truncate(start.starts_at.unwrap_or(now))),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(project.insert(db).await?)
}

/// "<template>: <account>", or the template's name alone when that would be too long.
fn default_name(template: &str, account: &str) -> String {
    Name::parse("name", &format!("{template}: {account}"))
        .map(Name::into_inner)
        .unwrap_or_else(|_| template.to_owned())
}

/// Inserts the milestones and then the tasks, each in one statement; returns the number
/// of tasks made.
async fn copy_blueprint(
    db: &impl ConnectionTrait,
    project: &project::Model,
    blueprint: &Blueprint,
    assignees: RuleAssignees,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut milestones = Vec::with_capacity(blueprint.milestones.len());
    let mut tasks = Vec::new();
    for source in &blueprint.milestones {
        let milestone_id = Uuid::now_v7();
        milestones.push(new_milestone(project, milestone_id, source, now));
        tasks.extend(new_tasks(project, milestone_id, source, assignees, now)?);
    }

    let task_count = tasks.len();
    if !milestones.is_empty() {
        milestone::Entity::insert_many(milestones).exec(db).await?;
    }
    if !tasks.is_empty() {
        task::Entity::insert_many(tasks).exec(db).await?;
    }
    Ok(task_count)
}

fn new_milestone(
    project: &project::Model,
    id: Uuid,
    source: &BlueprintMilestone,
    now: DateTime<Utc>,
) -> milestone::ActiveModel {
    milestone::ActiveModel {
        id: Set(id),
        workspace_id: Set(project.workspace_id),
        project_id: Set(project.id),
        position: Set(source.milestone.position),
        title: Set(source.milestone.title.clone()),
        description: Set(source.milestone.description.clone()),
        completed_at: Set(None),
        created_at: Set(now),
    }
}

fn new_tasks(
    project: &project::Model,
    milestone_id: Uuid,
    source: &BlueprintMilestone,
    assignees: RuleAssignees,
    now: DateTime<Utc>,
) -> AppResult<Vec<task::ActiveModel>> {
    source
        .tasks
        .iter()
        .map(|template| {
            let due_at = shift(
                project.starts_at,
                Duration::days(i64::from(template.due_offset_days)),
            )?;
            Ok(task::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(project.workspace_id),
                account_id: Set(project.account_id),
                project_id: Set(Some(project.id)),
                milestone_id: Set(Some(milestone_id)),
                title: Set(template.title.clone()),
                description: Set(template.description.clone()),
                assignee_id: Set(
                    assignees.for_rule(template.assignee_rule, template.assignee_member_id)
                ),
                assignee_rule: Set(Some(template.assignee_rule)),
                status: Set(TaskStatus::Open),
                priority: Set(template.priority),
                due_at: Set(Some(due_at)),
                escalation_level: Set(0),
                completed_at: Set(None),
                position: Set(template.position),
                created_at: Set(now),
                updated_at: Set(now),
            })
        })
        .collect()
}
