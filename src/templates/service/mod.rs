//! Reading and editing project templates. Every structural change keeps the positions of
//! milestones (within a template) and task templates (within a milestone) contiguous from
//! 0, runs in one transaction and records a `template.*` activity.

mod milestones;
mod positions;
mod read;
mod tasks;
mod templates;

pub use milestones::{add_milestone, remove_milestone, reorder_milestones, update_milestone};
pub use read::{
    Blueprint, BlueprintMilestone, blueprint, blueprints, find, find_builtin, find_milestone,
    find_task, group_by, list, milestones_of, tasks_of,
};
pub use tasks::{add_task, remove_task, reorder_tasks, update_task};
pub use templates::{create, delete, insert_template, update};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::activity::service::{Change, Subject, record};
use crate::entities::enums::{AssigneeRule, ProjectKind, TaskPriority};
use crate::entities::project_template;
use crate::error::{AppError, AppResult};
use crate::values::{Name, Text};

/// Days from a project's start to a task's due date: 0 to 365, so a blueprint cannot
/// date work before the project starts or beyond a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueOffsetDays(i32);

impl DueOffsetDays {
    pub const MAX: i32 = 365;

    pub fn parse(field: &'static str, days: i32) -> AppResult<Self> {
        if (0..=Self::MAX).contains(&days) {
            Ok(DueOffsetDays(days))
        } else {
            Err(AppError::bad_input(
                field,
                format!("`{field}` must be between 0 and {}", Self::MAX),
            ))
        }
    }

    pub fn days(self) -> i32 {
        self.0
    }
}

/// Who a task made from the template is assigned to. A named member goes with the
/// MEMBER rule and only with it, so the rule alone says how the assignee is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    rule: AssigneeRule,
    member_id: Option<Uuid>,
}

impl Assignment {
    pub fn new(rule: AssigneeRule, member_id: Option<Uuid>) -> AppResult<Self> {
        match (rule, member_id) {
            (AssigneeRule::Member, None) => Err(AppError::bad_input(
                "assigneeMemberId",
                "`assigneeMemberId` is required when the assignee rule is MEMBER",
            )),
            (AssigneeRule::Member, Some(_)) | (_, None) => Ok(Assignment { rule, member_id }),
            (_, Some(_)) => Err(AppError::bad_input(
                "assigneeMemberId",
                "`assigneeMemberId` goes only with the MEMBER assignee rule",
            )),
        }
    }

    pub fn rule(self) -> AssigneeRule {
        self.rule
    }

    pub fn member_id(self) -> Option<Uuid> {
        self.member_id
    }
}

/// A template to create, with its milestones and their task templates in order.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub name: Name,
    pub kind: ProjectKind,
    pub description: Option<Text>,
    pub milestones: Vec<NewMilestone>,
}

#[derive(Debug, Clone)]
pub struct NewMilestone {
    pub title: Name,
    pub description: Option<Text>,
    pub tasks: Vec<NewTaskTemplate>,
}

#[derive(Debug, Clone)]
pub struct NewTaskTemplate {
    pub title: Name,
    pub description: Option<Text>,
    pub due_offset_days: DueOffsetDays,
    pub assignment: Assignment,
    pub priority: TaskPriority,
}

/// Changes to a template; `None` keeps a field, `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct TemplateChanges {
    pub name: Option<Name>,
    pub kind: Option<ProjectKind>,
    pub description: Option<Option<Text>>,
}

/// Changes to a milestone; `None` keeps a field, `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct MilestoneChanges {
    pub title: Option<Name>,
    pub description: Option<Option<Text>>,
}

/// Changes to a task template; `None` keeps a field. Changing the rule away from MEMBER
/// drops the named member.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<Name>,
    pub description: Option<Option<Text>>,
    pub due_offset_days: Option<DueOffsetDays>,
    pub assignee_rule: Option<AssigneeRule>,
    pub assignee_member_id: Option<Option<Uuid>>,
    pub priority: Option<TaskPriority>,
}

/// Records a change to a template, in the transaction that made it, and marks the
/// template changed (its milestones and task templates have no time stamps of their own).
async fn record_change(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Uuid,
    template_id: Uuid,
    action: &'static str,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let change = Change {
        workspace_id,
        actor_id: Some(actor_id),
        subject: Subject::Template(template_id),
        action,
        account_id: None,
        project_id: None,
        task_id: None,
        details,
    };
    record(db, change, now).await?;
    project_template::Entity::update_many()
        .col_expr(project_template::Column::UpdatedAt, Expr::value(now))
        .filter(project_template::Column::Id.eq(template_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The names of the fields a change sets, for the activity record.
fn changed(fields: &[(&'static str, bool)]) -> Vec<&'static str> {
    fields
        .iter()
        .filter_map(|(field, set)| set.then_some(*field))
        .collect()
}
