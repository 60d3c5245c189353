//! A workspace's escalation policy: ordered levels, each reached a number of days after a
//! task's due time and each with its actions; a factor that shortens those days for
//! high-severity projects; and the project kinds whose tasks escalate at all.
//!
//! The policy is stored as JSON on the workspace (see `default_escalation_policy`); a
//! [`Policy`] only exists validated, whether it came from an admin or from the database.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entities::enums::{ProjectKind, TaskPriority};
use crate::error::{AppError, AppResult};

/// More levels than this would be a policy nobody can follow.
pub const MAX_LEVELS: usize = 10;
/// A level reached later than this is never reached in practice.
pub const MAX_DAYS_OVERDUE: i32 = 365;

/// What reaching a level does to a task, or whom it tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    RemindAssignee,
    /// Raises the priority to this one; a higher priority is left alone.
    RaisePriority(TaskPriority),
    NotifyManager,
    NotifyHeadOfCs,
    /// Hands the task to the assignee's manager, who is told about it.
    ReassignToManager,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Days after the due time (0: as soon as it is overdue).
    pub days_overdue: i32,
    pub actions: Vec<Action>,
}

impl Level {
    pub fn raises_priority_to(&self) -> Option<TaskPriority> {
        self.actions.iter().find_map(|action| match action {
            Action::RaisePriority(to) => Some(*to),
            _ => None,
        })
    }

    pub fn has(&self, action: Action) -> bool {
        self.actions.contains(&action)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    levels: Vec<Level>,
    high_severity_factor: f64,
    project_kinds: Vec<ProjectKind>,
}

impl Policy {
    /// Checks a policy; each refusal names the input field at fault.
    pub fn new(
        levels: Vec<Level>,
        high_severity_factor: f64,
        project_kinds: Vec<ProjectKind>,
    ) -> AppResult<Policy> {
        check_levels(&levels)?;
        if !(high_severity_factor > 0.0 && high_severity_factor <= 1.0) {
            return Err(AppError::bad_input(
                "highSeverityFactor",
                "`highSeverityFactor` must be greater than 0 and at most 1",
            ));
        }
        if project_kinds.is_empty() {
            return Err(AppError::bad_input(
                "projectKinds",
                "`projectKinds` must name at least one project kind",
            ));
        }
        let mut kinds = project_kinds;
        kinds.dedup();
        Ok(Policy {
            levels,
            high_severity_factor,
            project_kinds: kinds,
        })
    }

    /// Reads the stored policy. A stored policy is validated on its way in, so one that no
    /// longer reads is a bug, reported as an internal error rather than guessed at.
    pub fn from_stored(value: &Value) -> AppResult<Policy> {
        let stored: StoredPolicy = serde_json::from_value(value.clone())
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored escalation policy: {e}")))?;
        let levels = stored
            .levels
            .into_iter()
            .map(StoredLevel::into_level)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("stored escalation policy: unknown action"))
            })?;
        let kinds = stored
            .project_kinds
            .iter()
            .map(|kind| kind_from_name(kind))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("stored escalation policy: unknown kind"))
            })?;
        Policy::new(levels, stored.high_severity_factor, kinds)
    }

    pub fn to_stored(&self) -> Value {
        let stored = StoredPolicy {
            levels: self
                .levels
                .iter()
                .zip(1..)
                .map(|(level, number)| StoredLevel::from_level(level, number))
                .collect(),
            high_severity_factor: self.high_severity_factor,
            project_kinds: self
                .project_kinds
                .iter()
                .map(|kind| kind_name(*kind).to_owned())
                .collect(),
        };
        serde_json::to_value(stored).unwrap_or(Value::Null)
    }

    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    pub fn high_severity_factor(&self) -> f64 {
        self.high_severity_factor
    }

    pub fn project_kinds(&self) -> &[ProjectKind] {
        &self.project_kinds
    }

    /// The due times before which a task has reached `level` at `now`: for ordinary
    /// projects, then for high-severity ones (later, as their thresholds are shorter).
    pub fn cutoffs(&self, level: &Level, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let days = f64::from(level.days_overdue);
        let seconds = |days: f64| Duration::seconds((days * 86_400.0).round() as i64);
        (
            now - seconds(days),
            now - seconds(days * self.high_severity_factor),
        )
    }
}

fn check_levels(levels: &[Level]) -> AppResult<()> {
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(AppError::bad_input(
            "levels",
            format!("`levels` must hold between 1 and {MAX_LEVELS} levels"),
        ));
    }
    for (index, level) in levels.iter().enumerate() {
        if !(0..=MAX_DAYS_OVERDUE).contains(&level.days_overdue) {
            return Err(AppError::bad_input(
                "daysOverdue",
                format!(
                    "level {}: `daysOverdue` must be between 0 and {MAX_DAYS_OVERDUE}",
                    index + 1
                ),
            ));
        }
        if index > 0 && level.days_overdue <= levels[index - 1].days_overdue {
            return Err(AppError::bad_input(
                "daysOverdue",
                format!(
                    "level {}: `daysOverdue` must be greater than the level before's",
                    index + 1
                ),
            ));
        }
        check_actions(index + 1, &level.actions)?;
    }
    Ok(())
}

fn check_actions(number: usize, actions: &[Action]) -> AppResult<()> {
    if actions.is_empty() {
        return Err(AppError::bad_input(
            "actions",
            format!("level {number}: `actions` must name at least one action"),
        ));
    }
    let mut seen = actions.to_vec();
    seen.sort_by_key(|action| action_name(*action));
    seen.dedup_by_key(|action| std::mem::discriminant(action));
    if seen.len() != actions.len() {
        return Err(AppError::bad_input(
            "actions",
            format!("level {number}: `actions` names an action twice"),
        ));
    }
    Ok(())
}

/// The stored form, the same shape as the GraphQL type, with a raised priority folded into
/// the action's name (`RAISE_PRIORITY_HIGH`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredPolicy {
    levels: Vec<StoredLevel>,
    high_severity_factor: f64,
    project_kinds: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredLevel {
    level: i32,
    days_overdue: i32,
    actions: Vec<String>,
}

impl StoredLevel {
    fn from_level(level: &Level, number: i32) -> StoredLevel {
        StoredLevel {
            level: number,
            days_overdue: level.days_overdue,
            actions: level.actions.iter().map(|a| action_name(*a)).collect(),
        }
    }

    fn into_level(self) -> Option<Level> {
        let actions = self
            .actions
            .iter()
            .map(|name| action_from_name(name))
            .collect::<Option<Vec<_>>>()?;
        Some(Level {
            days_overdue: self.days_overdue,
            actions,
        })
    }
}

const PRIORITIES: [(TaskPriority, &str); 4] = [
    (TaskPriority::Low, "LOW"),
    (TaskPriority::Normal, "NORMAL"),
    (TaskPriority::High, "HIGH"),
    (TaskPriority::Urgent, "URGENT"),
];

const KINDS: [(ProjectKind, &str); 3] = [
    (ProjectKind::NpsDetractor, "NPS_DETRACTOR"),
    (ProjectKind::NpsPromoter, "NPS_PROMOTER"),
    (ProjectKind::Custom, "CUSTOM"),
];

fn action_name(action: Action) -> String {
    match action {
        Action::RemindAssignee => "REMIND_ASSIGNEE".into(),
        Action::RaisePriority(to) => {
            let name = PRIORITIES
                .iter()
                .find(|(p, _)| *p == to)
                .map_or("HIGH", |(_, n)| n);
            format!("RAISE_PRIORITY_{name}")
        }
        Action::NotifyManager => "NOTIFY_MANAGER".into(),
        Action::NotifyHeadOfCs => "NOTIFY_HEAD_OF_CS".into(),
        Action::ReassignToManager => "REASSIGN_TO_MANAGER".into(),
    }
}

fn action_from_name(name: &str) -> Option<Action> {
    if let Some(priority) = name.strip_prefix("RAISE_PRIORITY_") {
        let (to, _) = PRIORITIES.iter().find(|(_, n)| *n == priority)?;
        return Some(Action::RaisePriority(*to));
    }
    match name {
        "REMIND_ASSIGNEE" => Some(Action::RemindAssignee),
        "NOTIFY_MANAGER" => Some(Action::NotifyManager),
        "NOTIFY_HEAD_OF_CS" => Some(Action::NotifyHeadOfCs),
        "REASSIGN_TO_MANAGER" => Some(Action::ReassignToManager),
        _ => None,
    }
}

fn kind_name(kind: ProjectKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("CUSTOM", |(_, n)| n)
}

fn kind_from_name(name: &str) -> Option<ProjectKind> {
    KINDS.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspaces::service::default_escalation_policy;

    #[test]
    fn the_default_policy_reads_and_round_trips() {
        let policy = Policy::from_stored(&default_escalation_policy());

        let policy = policy.ok();
        assert_eq!(policy.as_ref().map(|p| p.levels().len()), Some(3));
        assert_eq!(
            policy
                .as_ref()
                .map(|p| Policy::from_stored(&p.to_stored()).ok()),
            Some(policy.clone())
        );
    }

    #[test]
    fn high_severity_cutoffs_are_later() {
        let policy = Policy::from_stored(&default_escalation_policy()).ok();
        let now = Utc::now();

        let cutoffs = policy.as_ref().map(|p| p.cutoffs(&p.levels()[1], now));

        assert_eq!(
            cutoffs,
            Some((now - Duration::days(2), now - Duration::days(1)))
        );
    }
}
