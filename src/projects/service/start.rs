//! Starting a project: the blueprint's milestones and task templates become the project's
//! own milestones and tasks, dated from the project's start and assigned by their rules.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{change, shift};
use crate::activity::service::{self as activity, Change};
use crate::clock;
use crate::db::bulk::insert_all;
use crate::entities::enums::{ProjectStatus, Severity, TaskStatus};
use crate::entities::{account, milestone, nps_response, project, task, team_member};
use crate::error::{AppError, AppResult};
use crate::members::service as members;
use crate::tasks::service::RuleAssignees;
use crate::templates::service::{Blueprint, BlueprintMilestone, blueprints};
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
    start_projects(db, workspace_id, actor_id, vec![start], now)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a started project went missing")))
}

/// Starts many projects at once, in order, with a fixed number of statements whatever
/// their number: what they name is read in bulk, and each kind of row is written with
/// multi-row inserts.
pub async fn start_projects(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    starts: Vec<StartProject>,
    now: DateTime<Utc>,
) -> AppResult<Vec<project::Model>> {
    let named = Named::load(db, workspace_id, &starts).await?;
    let mut planned = Vec::with_capacity(starts.len());
    for start in starts {
        let account = named.account(start.account_id)?;
        let blueprint = named
            .blueprints
            .get(&start.template_id)
            .ok_or(AppError::NotFound("project template"))?;
        named.check(account, &start)?;
        let assignees = named.assignees(account.owner_id.or(start.owner_id));
        let id = Uuid::now_v7();
        planned.push(plan_project(
            id, account, blueprint, start, assignees, actor_id, now,
        )?);
    }
    write_projects(db, planned).await
}

/// What a batch of starts names, read once.
struct Named {
    accounts: HashMap<Uuid, account::Model>,
    blueprints: HashMap<Uuid, Blueprint>,
    members: HashMap<Uuid, team_member::Model>,
    responses: HashMap<Uuid, nps_response::Model>,
}

impl Named {
    async fn load(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        starts: &[StartProject],
    ) -> AppResult<Named> {
        use crate::db::bulk::by_ids;
        let accounts = by_ids::<account::Entity>(
            db,
            (account::Column::WorkspaceId, account::Column::Id),
            workspace_id,
            starts.iter().map(|s| s.account_id),
            |a| a.id,
        )
        .await?;
        let template_ids: Vec<Uuid> = starts.iter().map(|s| s.template_id).collect();
        let blueprints = blueprints(db, workspace_id, &template_ids).await?;
        let people = accounts
            .values()
            .filter_map(|a| a.owner_id)
            .chain(starts.iter().filter_map(|s| s.owner_id));
        let members = members::by_ids(db, workspace_id, people).await?;
        let responses = by_ids::<nps_response::Entity>(
            db,
            (nps_response::Column::WorkspaceId, nps_response::Column::Id),
            workspace_id,
            starts.iter().filter_map(|s| s.triggering_response_id),
            |r| r.id,
        )
        .await?;
        Ok(Named {
            accounts,
            blueprints,
            members,
            responses,
        })
    }

    fn account(&self, id: Uuid) -> AppResult<&account::Model> {
        self.accounts.get(&id).ok_or(AppError::NotFound("account"))
    }

    /// The owner asked for is a member of the workspace, and the triggering response is
    /// one of the account's.
    fn check(&self, account: &account::Model, start: &StartProject) -> AppResult<()> {
        if let Some(owner_id) = start.owner_id
            && !self.members.contains_key(&owner_id)
        {
            return Err(AppError::NotFound("team member"));
        }
        if let Some(response_id) = start.triggering_response_id {
            let response = self
                .responses
                .get(&response_id)
                .ok_or(AppError::NotFound("NPS response"))?;
            if response.account_id != account.id {
                return Err(AppError::bad_input(
                    "triggeringResponseId",
                    "the NPS response belongs to another account",
                ));
            }
        }
        Ok(())
    }

    fn assignees(&self, owner: Option<Uuid>) -> RuleAssignees {
        let manager = owner
            .and_then(|id| self.members.get(&id))
            .and_then(|m| m.manager_id);
        RuleAssignees::with_manager(owner, manager)
    }
}

/// A project ready to be written: its row, the milestones and tasks copied from its
/// blueprint, and its `project.started` record. Planning needs no database, so a caller
/// that has read what the project needs (a playbook run over a batch) can plan many and
/// refer to them before [`write_projects`] stores them together.
#[derive(Debug, Clone)]
pub struct PlannedProject {
    pub project: project::Model,
    milestones: Vec<milestone::ActiveModel>,
    tasks: Vec<task::ActiveModel>,
    started: Change,
}

/// Plans the project `id`: `account` and `blueprint` are the ones `start` names, checked
/// by the caller, and `assignees` resolve the blueprint's assignee rules.
pub fn plan_project(
    id: Uuid,
    account: &account::Model,
    blueprint: &Blueprint,
    start: StartProject,
    assignees: RuleAssignees,
    actor_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<PlannedProject> {
    let project = project_row(id, account, blueprint, start, now);
    let mut milestones = Vec::with_capacity(blueprint.milestones.len());
    let mut tasks = Vec::new();
    for source in &blueprint.milestones {
        let milestone_id = Uuid::now_v7();
        milestones.push(new_milestone(&project, milestone_id, source, now));
        tasks.extend(new_tasks(&project, milestone_id, source, assignees, now)?);
    }
    let details = json!({
        "templateId": blueprint.template.id,
        "taskCount": tasks.len(),
        "triggeringResponseId": project.triggering_response_id,
    });
    let started = change(&project, actor_id, "project.started", details);
    Ok(PlannedProject {
        project,
        milestones,
        tasks,
        started,
    })
}

/// Writes planned projects with their milestones, tasks and records, each kind of row in
/// multi-row inserts; returns the projects in order.
pub async fn write_projects(
    db: &impl ConnectionTrait,
    planned: Vec<PlannedProject>,
) -> AppResult<Vec<project::Model>> {
    let mut projects = Vec::with_capacity(planned.len());
    let mut milestones = Vec::new();
    let mut tasks = Vec::new();
    let mut started = Vec::with_capacity(planned.len());
    for plan in planned {
        projects.push(plan.project);
        milestones.extend(plan.milestones);
        tasks.extend(plan.tasks);
        started.push(plan.started);
    }
    let rows: Vec<project::ActiveModel> = projects.iter().cloned().map(Into::into).collect();
    insert_all(db, rows).await?;
    insert_all(db, milestones).await?;
    insert_all(db, tasks).await?;
    let now = projects.first().map(|p| p.created_at);
    if let Some(now) = now {
        activity::record_many(db, started, now).await?;
        crate::sla::clocks::start_many(db, &projects, now).await?;
    }
    for project in &projects {
        tracing::info!(
            project.id = %project.id,
            account.id = %project.account_id,
            template.id = ?project.template_id,
            "project started"
        );
    }
    Ok(projects)
}

fn project_row(
    id: Uuid,
    account: &account::Model,
    blueprint: &Blueprint,
    start: StartProject,
    now: DateTime<Utc>,
) -> project::Model {
    let template = &blueprint.template;
    let name = match start.name {
        Some(name) => name.into_inner(),
        None => default_name(&template.name, &account.name),
    };
    project::Model {
        id,
        workspace_id: account.workspace_id,
        account_id: account.id,
        template_id: Some(template.id),
        kind: template.kind,
        name,
        status: ProjectStatus::Active,
        severity: start.severity,
        owner_id: start.owner_id.or(account.owner_id),
        triggering_response_id: start.triggering_response_id,
        starts_at: clock::truncate(start.starts_at.unwrap_or(now)),
        completed_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// "<template>: <account>", or the template's name alone when that would be too long.
fn default_name(template: &str, account: &str) -> String {
    Name::parse("name", &format!("{template}: {account}"))
        .map(Name::into_inner)
        .unwrap_or_else(|_| template.to_owned())
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
