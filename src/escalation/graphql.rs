//! The escalation policy through the API, and running the escalation now.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};

use super::policy::{Action, Level, Policy};
use super::run::{self, RunOptions};
use super::service;
use crate::entities::enums::{MemberRole, ProjectKind, TaskPriority};
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::jobs::graphql::JobRun;

/// What reaching a level does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EscalationAction {
    RemindAssignee,
    /// Raises the task's priority to the level's `raisePriorityTo` (never lowers it).
    RaisePriority,
    NotifyManager,
    NotifyHeadOfCs,
    /// Hands the task to the assignee's manager.
    ReassignToManager,
}

/// How a workspace escalates overdue tasks.
#[derive(SimpleObject)]
pub struct EscalationPolicy {
    /// In order; each is reached a number of days after the due time.
    pub levels: Vec<EscalationLevel>,
    /// High-severity projects reach each level after this fraction of its days.
    pub high_severity_factor: f64,
    /// Only tasks of these project kinds escalate.
    pub project_kinds: Vec<ProjectKind>,
}

#[derive(SimpleObject)]
pub struct EscalationLevel {
    /// 1 for the first level.
    pub level: i32,
    pub days_overdue: i32,
    pub actions: Vec<EscalationAction>,
    /// The priority `RAISE_PRIORITY` raises to.
    pub raise_priority_to: Option<TaskPriority>,
}

impl From<Policy> for EscalationPolicy {
    fn from(policy: Policy) -> Self {
        EscalationPolicy {
            levels: policy
                .levels()
                .iter()
                .zip(1..)
                .map(|(level, number)| EscalationLevel {
                    level: number,
                    days_overdue: level.days_overdue,
                    actions: level.actions.iter().map(|a| to_graphql(*a)).collect(),
                    raise_priority_to: level.raises_priority_to(),
                })
                .collect(),
            high_severity_factor: policy.high_severity_factor(),
            project_kinds: policy.project_kinds().to_vec(),
        }
    }
}

fn to_graphql(action: Action) -> EscalationAction {
    match action {
        Action::RemindAssignee => EscalationAction::RemindAssignee,
        Action::RaisePriority(_) => EscalationAction::RaisePriority,
        Action::NotifyManager => EscalationAction::NotifyManager,
        Action::NotifyHeadOfCs => EscalationAction::NotifyHeadOfCs,
        Action::ReassignToManager => EscalationAction::ReassignToManager,
    }
}

#[derive(InputObject)]
pub struct EscalationPolicyInput {
    /// 1 to 10 levels, `daysOverdue` strictly increasing.
    pub levels: Vec<EscalationLevelInput>,
    /// Greater than 0, at most 1; keeps the current value when left out.
    pub high_severity_factor: Option<f64>,
    /// At least one; keeps the current kinds when left out.
    pub project_kinds: Option<Vec<ProjectKind>>,
}

#[derive(InputObject)]
pub struct EscalationLevelInput {
    /// 0 (as soon as the task is overdue) to 365.
    pub days_overdue: i32,
    pub actions: Vec<EscalationAction>,
    /// Required with `RAISE_PRIORITY`, refused without it.
    pub raise_priority_to: Option<TaskPriority>,
}

impl EscalationLevelInput {
    fn parse(self) -> Result<Level, AppError> {
        let raising = self.actions.contains(&EscalationAction::RaisePriority);
        let to = match (raising, self.raise_priority_to) {
            (true, Some(to)) => to,
            (false, None) => TaskPriority::High,
            (true, None) => {
                return Err(AppError::bad_input(
                    "raisePriorityTo",
                    "`raisePriorityTo` is required with RAISE_PRIORITY",
                ));
            }
            (false, Some(_)) => {
                return Err(AppError::bad_input(
                    "raisePriorityTo",
                    "`raisePriorityTo` only goes with RAISE_PRIORITY",
                ));
            }
        };
        let actions = self
            .actions
            .into_iter()
            .map(|action| match action {
                EscalationAction::RemindAssignee => Action::RemindAssignee,
                EscalationAction::RaisePriority => Action::RaisePriority(to),
                EscalationAction::NotifyManager => Action::NotifyManager,
                EscalationAction::NotifyHeadOfCs => Action::NotifyHeadOfCs,
                EscalationAction::ReassignToManager => Action::ReassignToManager,
            })
            .collect();
        Ok(Level {
            days_overdue: self.days_overdue,
            actions,
        })
    }
}

#[derive(Default)]
pub struct EscalationQuery;

#[Object]
impl EscalationQuery {
    /// The caller's workspace's escalation policy.
    async fn escalation_policy(&self, ctx: &Context<'_>) -> Result<EscalationPolicy> {
        let viewer = ctx.viewer()?;
        Ok(service::policy(ctx.db()?, viewer.workspace_id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct EscalationMutation;

#[Object]
impl EscalationMutation {
    /// Replaces the escalation policy (admins only).
    async fn update_escalation_policy(
        &self,
        ctx: &Context<'_>,
        input: EscalationPolicyInput,
    ) -> Result<EscalationPolicy> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let db = ctx.db()?;
        let current = service::policy(db, viewer.workspace_id).await?;
        let levels = input
            .levels
            .into_iter()
            .map(EscalationLevelInput::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let policy = Policy::new(
            levels,
            input
                .high_severity_factor
                .unwrap_or(current.high_severity_factor()),
            input
                .project_kinds
                .unwrap_or_else(|| current.project_kinds().to_vec()),
        )?;
        let now = ctx.clock()?.now();
        let updated =
            service::update_policy(db, viewer.workspace_id, viewer.member_id, policy, now).await?;
        Ok(updated.into())
    }

    /// Runs the escalation of the caller's workspace now, outside the schedule, and returns
    /// the finished run (admins only).
    async fn run_escalation_now(&self, ctx: &Context<'_>) -> Result<JobRun> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let mut options = ctx.data_opt::<RunOptions>().cloned().unwrap_or_default();
        if options.on_batch.is_none() {
            options.on_batch = Some(ctx.publisher()?.escalation_observer());
        }
        let run = run::run_now(ctx.db()?, ctx.clock()?, viewer.workspace_id, &options).await?;
        Ok(run.into())
    }
}
