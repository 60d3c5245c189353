//! One batch of one level, in the caller's transaction: the next tasks at that level that
//! have reached a higher one (see [`scan`](super::scan)), each moved straight to the highest
//! level it has reached with one conditional `UPDATE … WHERE id IN (…) AND escalation_level =
//! from` per level reached (and per new assignee, when a level hands tasks to managers);
//! then, for every level a task passed, its activity record and notices, as if the levels
//! had been applied one after the other. A task is written once per run, not once per level.
//!
//! The update only touches tasks still at the level they were read at, so a task reaches
//! each level once however many runs race for it. On PostgreSQL the scan locks the rows it
//! reads with `SKIP LOCKED`, so concurrent runs share the work instead of queueing behind
//! each other, and what the scan read (priority, assignee) is what the update changes; on
//! SQLite the write transaction serialises them. The ids are selected in a statement of
//! their own: inside the UPDATE, PostgreSQL may run a `LIMIT … SKIP LOCKED` subquery once
//! per row, skipping the rows the statement has just changed, and so take every row.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::policy::{Action, Level, MAX_LEVELS, Policy};
use super::scan::{self, Cursor, Due};
use crate::db::bulk::updated_ids;
use crate::entities::enums::TaskPriority;
use crate::entities::{activity, escalation_notice, task, team_member};
use crate::error::AppResult;

const PRIORITY_ORDER: [TaskPriority; 4] = [
    TaskPriority::Low,
    TaskPriority::Normal,
    TaskPriority::High,
    TaskPriority::Urgent,
];
/// Rows per INSERT: far below either engine's limit on bound values.
const INSERT_CHUNK: usize = 500;

/// A task a run moved up one level: what a live event for subscribers carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalated {
    pub task_id: Uuid,
    pub level: i32,
}

/// One batch's inputs.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub workspace_id: Uuid,
    pub policy: &'a Policy,
    /// The level the batch's tasks are at: 0 for tasks never escalated.
    pub from: i32,
    pub head_of_cs_id: Option<Uuid>,
    pub slot: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub batch_size: u64,
}

impl<'a> Step<'a> {
    /// The index in the policy of the first level above the step's.
    pub fn index(&self) -> usize {
        usize::try_from(self.from).unwrap_or(0)
    }

    /// The policy's levels from the step's up to `reached`, each with its number.
    fn passed(&self, reached: i32) -> impl Iterator<Item = (i32, &'a Level)> + use<'a> {
        let levels: &'a [Level] = self.policy.levels();
        let end = usize::try_from(reached).unwrap_or(0).min(levels.len());
        let start = self.index().min(end);
        levels[start..end]
            .iter()
            .zip(self.from + 1..)
            .map(|(level, number)| (number, level))
    }
}

/// A level a task passes, and the task as it leaves it.
#[derive(Debug, Clone, Copy)]
struct Passed<'a> {
    number: i32,
    level: &'a Level,
    priority: TaskPriority,
    assignee_id: Option<Uuid>,
}

/// A task the batch moves, as each level it passes leaves it.
type Moving<'a> = (Due, Vec<Passed<'a>>);

/// Escalates the next batch of the step's level and records it; returns a step per task
/// and level passed, which may be none even when the cursor is not done (another run took
/// them).
pub async fn batch(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    cursor: &mut Cursor,
) -> AppResult<Vec<Escalated>> {
    let due = scan::next_due(db, step, cursor).await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let managers = managers_of(db, step, &due).await?;
    let mut groups: BTreeMap<(i32, Option<Uuid>), Vec<Moving>> = BTreeMap::new();
    for task in due {
        let passed = pass(step, &task, &managers);
        let reassigned = reassigns(step, task.reached)
            .then(|| passed.last().map_or(task.assignee_id, |p| p.assignee_id));
        groups
            .entry((task.reached, reassigned.flatten()))
            .or_default()
            .push((task, passed));
    }
    let mut moved = Vec::new();
    for ((reached, reassigned), tasks) in groups {
        let ids = tasks.iter().map(|(task, _)| task.id).collect();
        let update = update(step, reached, reassigned, ids);
        let updated = updated_ids(db, update, task::Column::Id).await?;
        moved.extend(
            tasks
                .into_iter()
                .filter(|(task, _)| updated.contains(&task.id)),
        );
    }
    record_activity(db, step, &moved).await?;
    record_notices(db, step, &moved, &managers).await?;
    Ok(moved
        .iter()
        .flat_map(|(task, passed)| {
            passed.iter().map(|p| Escalated {
                task_id: task.id,
                level: p.number,
            })
        })
        .collect())
}

/// Whether any level from the step's up to `reached` hands the task to a manager.
fn reassigns(step: &Step<'_>, reached: i32) -> bool {
    step.passed(reached)
        .any(|(_, level)| level.has(Action::ReassignToManager))
}

/// The task after each level it passes: a level raises the priority (never lowers it) and
/// may hand the task to the assignee's manager, if they have one.
fn pass<'a>(
    step: &Step<'a>,
    task: &Due,
    managers: &HashMap<Uuid, Option<Uuid>>,
) -> Vec<Passed<'a>> {
    let mut priority = task.priority;
    let mut assignee_id = task.assignee_id;
    step.passed(task.reached)
        .map(|(number, level)| {
            if let Some(to) = level.raises_priority_to() {
                priority = higher(priority, to);
            }
            if level.has(Action::ReassignToManager) {
                assignee_id = assignee_id.map(|a| manager(managers, a).unwrap_or(a));
            }
            Passed {
                number,
                level,
                priority,
                assignee_id,
            }
        })
        .collect()
}

fn rank(priority: TaskPriority) -> usize {
    PRIORITY_ORDER
        .iter()
        .position(|p| *p == priority)
        .unwrap_or(0)
}

fn higher(a: TaskPriority, b: TaskPriority) -> TaskPriority {
    if rank(b) > rank(a) { b } else { a }
}

fn manager(managers: &HashMap<Uuid, Option<Uuid>>, member: Uuid) -> Option<Uuid> {
    managers.get(&member).copied().flatten()
}

fn update(
    step: &Step<'_>,
    reached: i32,
    reassigned: Option<Uuid>,
    ids: Vec<Uuid>,
) -> sea_orm::sea_query::UpdateStatement {
    let mut update = Query::update()
        .table(task::Entity)
        .value(task::Column::EscalationLevel, reached)
        .value(task::Column::UpdatedAt, step.now)
        .and_where(task::Column::Id.is_in(ids))
        .and_where(task::Column::EscalationLevel.eq(step.from))
        .to_owned();
    let raised = step
        .passed(reached)
        .filter_map(|(_, level)| level.raises_priority_to())
        .max_by_key(|p| rank(*p));
    if let Some(to) = raised {
        update.value(task::Column::Priority, raised_priority(to));
    }
    if reassigns(step, reached) {
        update.value(task::Column::AssigneeId, reassigned);
    }
    update
}

/// `to` if the task's priority is lower, its own otherwise: a level never lowers priority.
fn raised_priority(to: TaskPriority) -> SimpleExpr {
    let lower: Vec<String> = PRIORITY_ORDER
        .iter()
        .take_while(|p| **p != to)
        .map(|p| p.to_value())
        .collect();
    Expr::case(task::Column::Priority.is_in(lower), to.to_value())
        .finally(Expr::col((task::Entity, task::Column::Priority)))
        .into()
}

async fn record_activity(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    moved: &[Moving<'_>],
) -> AppResult<()> {
    let rows: Vec<activity::ActiveModel> = moved
        .iter()
        .flat_map(|(task, passed)| passed.iter().map(move |p| (task, p)))
        .map(|(task, passed)| activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(step.workspace_id),
            actor_id: Set(None),
            subject_type: Set("task".to_owned()),
            subject_id: Set(task.id),
            account_id: Set(Some(task.account_id)),
            project_id: Set(task.project_id),
            task_id: Set(Some(task.id)),
            action: Set("task.escalated".to_owned()),
            details: Set(json!({
                "level": passed.number,
                "priority": passed.priority.to_value(),
                "assigneeId": passed.assignee_id,
                "slot": step.slot,
            })),
            created_at: Set(step.now),
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        activity::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Who hears of each task at each level it passed: its assignee (reminded, or handed the
/// task), the assignee's manager, the head of CS, as the level's actions say. A digest
/// lists at most [`LISTED`](super::digest::LISTED) tasks, so a person's notices of one run
/// stop there (more would be written only to be deleted unread): past it, a batch writes
/// one notice per person and part saying how many more tasks it stands for. Every part a
/// person plays in the run is noted, as it chooses their digest.
async fn record_notices(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    moved: &[Moving<'_>],
    managers: &HashMap<Uuid, Option<Uuid>>,
) -> AppResult<()> {
    let mut wanted = Vec::new();
    for (task, passed) in moved {
        for p in passed {
            let level = p.level;
            let mut add = |recipient: Option<Uuid>, role: &'static str| {
                if let Some(recipient) = recipient {
                    wanted.push((recipient, role, task.id, p.number));
                }
            };
            if level.has(Action::RemindAssignee) || level.has(Action::ReassignToManager) {
                add(p.assignee_id, "assignee");
            }
            if level.has(Action::NotifyManager) {
                add(p.assignee_id.and_then(|a| manager(managers, a)), "manager");
            }
            if level.has(Action::NotifyHeadOfCs) {
                add(step.head_of_cs_id, "head_of_cs");
            }
        }
    }
    let recipients: Vec<Uuid> = wanted.iter().map(|(recipient, ..)| *recipient).collect();
    let mut noted = noted(db, step, recipients).await?;
    let mut rows = Vec::new();
    let mut beyond: BTreeMap<(Uuid, &'static str), (Uuid, i32, i32)> = BTreeMap::new();
    for (recipient, role, task_id, level) in wanted {
        if noted.keep(recipient, role) {
            rows.push(notice(step, task_id, recipient, role, level));
        } else {
            beyond
                .entry((recipient, role))
                .or_insert((task_id, level, -1))
                .2 += 1;
        }
    }
    for ((recipient, role), (task_id, level, more)) in beyond {
        let mut row = notice(step, task_id, recipient, role, level);
        row.more_tasks = Set(more);
        rows.push(row);
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        escalation_notice::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The notices of the run so far, per person and per part they play.
struct Noted {
    per_person: HashMap<Uuid, usize>,
    parts: HashSet<(Uuid, String)>,
}

impl Noted {
    /// Whether a notice to `recipient` as `role` is to be written, counting it if so.
    fn keep(&mut self, recipient: Uuid, role: &str) -> bool {
        let count = self.per_person.entry(recipient).or_default();
        let part = (recipient, role.to_owned());
        if *count >= super::digest::LISTED && self.parts.contains(&part) {
            return false;
        }
        *count += 1;
        self.parts.insert(part);
        true
    }
}

async fn noted(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    mut recipients: Vec<Uuid>,
) -> AppResult<Noted> {
    recipients.sort_unstable();
    recipients.dedup();
    let mut noted = Noted {
        per_person: HashMap::new(),
        parts: HashSet::new(),
    };
    if recipients.is_empty() {
        return Ok(noted);
    }
    let rows: Vec<(Uuid, String, i64)> = escalation_notice::Entity::find()
        .select_only()
        .column(escalation_notice::Column::RecipientId)
        .column(escalation_notice::Column::Role)
        .column_as(escalation_notice::Column::Id.count(), "notices")
        .filter(escalation_notice::Column::WorkspaceId.eq(step.workspace_id))
        .filter(escalation_notice::Column::Slot.eq(step.slot))
        .filter(escalation_notice::Column::RecipientId.is_in(recipients))
        .group_by(escalation_notice::Column::RecipientId)
        .group_by(escalation_notice::Column::Role)
        .into_tuple()
        .all(db)
        .await?;
    for (recipient, role, count) in rows {
        *noted.per_person.entry(recipient).or_default() += usize::try_from(count).unwrap_or(0);
        noted.parts.insert((recipient, role));
    }
    Ok(noted)
}

fn notice(
    step: &Step<'_>,
    task_id: Uuid,
    recipient: Uuid,
    role: &str,
    level: i32,
) -> escalation_notice::ActiveModel {
    escalation_notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(step.workspace_id),
        slot: Set(step.slot),
        recipient_id: Set(recipient),
        role: Set(role.to_owned()),
        task_id: Set(task_id),
        level: Set(level),
        created_at: Set(step.now),
        more_tasks: Set(0),
    }
}

/// The managers of the batch's assignees, and of their managers as far as the levels
/// hand tasks up, when a level hands tasks to managers or tells them.
async fn managers_of(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    due: &[Due],
) -> AppResult<HashMap<Uuid, Option<Uuid>>> {
    let mut managers = HashMap::new();
    let involved = step
        .policy
        .levels()
        .iter()
        .any(|level| level.has(Action::NotifyManager) || level.has(Action::ReassignToManager));
    if !involved {
        return Ok(managers);
    }
    let mut wanted: Vec<Uuid> = due.iter().filter_map(|t| t.assignee_id).collect();
    for _ in 0..=MAX_LEVELS {
        wanted.sort_unstable();
        wanted.dedup();
        wanted.retain(|id| !managers.contains_key(id));
        if wanted.is_empty() {
            break;
        }
        let members = team_member::Entity::find()
            .filter(team_member::Column::WorkspaceId.eq(step.workspace_id))
            .filter(team_member::Column::Id.is_in(wanted.clone()))
            .all(db)
            .await?;
        for id in &wanted {
            managers.insert(*id, None);
        }
        wanted = members.iter().filter_map(|m| m.manager_id).collect();
        managers.extend(members.into_iter().map(|m| (m.id, m.manager_id)));
    }
    Ok(managers)
}
