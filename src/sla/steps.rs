//! One batch of warnings or of breaches, in the caller's transaction: select the ids of the
//! next clocks whose moment came (`LIMIT n`, `SKIP LOCKED` on PostgreSQL), stamp them with
//! one conditional `UPDATE … WHERE warned_at IS NULL` (or `breached_at IS NULL`) that also
//! re-checks they still run, then write their activity and queue their email. A clock is
//! therefore warned and breached once, ever, however many runs race for it.
//!
//! A warning is one email to the project's owner, keyed by project and clock. A breach is
//! escalated the way an overdue task is: the owner, the owner's manager and the head of CS
//! each get one email per batch listing every breach they hear of, keyed by the person and
//! the first clock of their list (a clock breaches once, so no second batch reuses a key).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::clocks::CONTACT;
use crate::activity::service::{self as activity, Change, Subject};
use crate::email::outbox::{self, OutgoingEmail, Recipient};
use crate::email::templates::TemplateKey;
use crate::entities::sla_clock::{self, Column};
use crate::entities::{account, activity as activity_entity, project, team_member};
use crate::error::AppResult;

/// What one batch works on.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    pub workspace_id: Uuid,
    pub head_of_cs_id: Option<Uuid>,
    pub zone: Tz,
    pub now: DateTime<Utc>,
    pub batch_size: u64,
    pub timezone: &'a str,
}

/// Warns the owners of the next clocks past their warning time and not yet due; returns
/// the activity written (empty when nothing was left to warn).
pub async fn warn(
    db: &impl ConnectionTrait,
    batch: &Batch<'_>,
) -> AppResult<Vec<activity_entity::Model>> {
    let ids = next_ids(db, batch, Column::WarnedAt, Column::DueAt.gt(batch.now)).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let clocks = stamp(Column::WarnedAt, batch.now)
        .col_expr(Column::NextCheckAt, Expr::col(Column::DueAt))
        .filter(Column::Id.is_in(ids))
        .filter(Column::WarnedAt.is_null())
        .filter(Column::BreachedAt.is_null())
        .exec_with_returning(db)
        .await?;
    let projects = projects_of(db, batch.workspace_id, &clocks).await?;
    let mut records = Vec::with_capacity(clocks.len());
    for clock in &clocks {
        let Some(project) = projects.get(&clock.project_id) else {
            continue;
        };
        records.push(record(db, batch, clock, "project.sla_warned").await?);
        if let Some(owner_id) = project.owner_id {
            let context = json!({ "sla": line(batch, clock, project, None) });
            let key = format!("sla-warning:{}:{}", project.id, clock.kind);
            let email = internal(batch, key, TemplateKey::SlaWarning, owner_id, context);
            outbox::enqueue(db, email, batch.now).await?;
        }
    }
    Ok(records)
}

/// Marks the next clocks past their due time breached and tells the people concerned;
/// returns the activity written.
pub async fn breach(
    db: &impl ConnectionTrait,
    batch: &Batch<'_>,
) -> AppResult<Vec<activity_entity::Model>> {
    let ids = next_ids(db, batch, Column::BreachedAt, Column::DueAt.lte(batch.now)).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let clocks = stamp(Column::BreachedAt, batch.now)
        .col_expr(
            Column::NextCheckAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.is_in(ids))
        .filter(Column::BreachedAt.is_null())
        .exec_with_returning(db)
        .await?;
    let projects = projects_of(db, batch.workspace_id, &clocks).await?;
    let mut records = Vec::with_capacity(clocks.len());
    for clock in &clocks {
        records.push(record(db, batch, clock, "project.sla_breached").await?);
    }
    tell_of_breaches(db, batch, &clocks, &projects).await?;
    Ok(records)
}

/// The ids of the next running clocks due for a look whose `stamp` column is still empty.
async fn next_ids(
    db: &impl ConnectionTrait,
    batch: &Batch<'_>,
    stamp: Column,
    moment: sea_orm::sea_query::SimpleExpr,
) -> AppResult<Vec<Uuid>> {
    Ok(sla_clock::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::WorkspaceId.eq(batch.workspace_id))
        .filter(Column::NextCheckAt.lte(batch.now))
        .filter(stamp.is_null())
        .filter(moment)
        .order_by_asc(Column::NextCheckAt)
        .limit(batch.batch_size)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// An update that sets `column` to `now` on clocks still running.
fn stamp(column: Column, now: DateTime<Utc>) -> sea_orm::UpdateMany<sla_clock::Entity> {
    sla_clock::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(Column::MetAt.is_null())
        .filter(Column::StoppedAt.is_null())
}

async fn record(
    db: &impl ConnectionTrait,
    batch: &Batch<'_>,
    clock: &sla_clock::Model,
    action: &'static str,
) -> AppResult<activity_entity::Model> {
    let change = Change {
        workspace_id: batch.workspace_id,
        actor_id: None,
        subject: Subject::Project(clock.project_id),
        action,
        account_id: Some(clock.account_id),
        project_id: Some(clock.project_id),
        task_id: None,
        details: json!({ "clock": clock.kind, "dueAt": clock.due_at }),
    };
    activity::record(db, change, batch.now).await
}

/// One email per person: the owner, the owner's manager and the head of CS of each
/// breached project; someone with more than one part hears of each breach once.
async fn tell_of_breaches(
    db: &impl ConnectionTrait,
    batch: &Batch<'_>,
    clocks: &[sla_clock::Model],
    projects: &HashMap<Uuid, project::Model>,
) -> AppResult<()> {
    let owners: Vec<Uuid> = projects.values().filter_map(|p| p.owner_id).collect();
    let people = members(db, batch.workspace_id, &owners).await?;
    let accounts = account_names(db, batch.workspace_id, projects).await?;
    for (person, list) in lists_by_person(batch, clocks, projects, &people) {
        let lines: Vec<Value> = list
            .iter()
            .filter_map(|clock| {
                let project = projects.get(&clock.project_id)?;
                let owner = project.owner_id.and_then(|id| people.get(&id));
                let mut line = line(batch, clock, project, owner);
                line["account"] = json!(accounts.get(&project.account_id));
                Some(line)
            })
            .collect();
        let first = list.iter().map(|c| c.id).min().unwrap_or_default();
        let key = format!("sla-breach:{person}:{first}");
        let context = json!({ "breaches": lines });
        let email = internal(batch, key, TemplateKey::SlaBreach, person, context);
        outbox::enqueue(db, email, batch.now).await?;
    }
    Ok(())
}

/// Who hears of which breaches: each clock once per person.
fn lists_by_person<'a>(
    batch: &Batch<'_>,
    clocks: &'a [sla_clock::Model],
    projects: &HashMap<Uuid, project::Model>,
    people: &HashMap<Uuid, team_member::Model>,
) -> BTreeMap<Uuid, Vec<&'a sla_clock::Model>> {
    let mut lists: BTreeMap<Uuid, Vec<&sla_clock::Model>> = BTreeMap::new();
    for clock in clocks {
        let Some(project) = projects.get(&clock.project_id) else {
            continue;
        };
        let manager = project
            .owner_id
            .and_then(|owner| people.get(&owner))
            .and_then(|owner| owner.manager_id);
        for person in [project.owner_id, manager, batch.head_of_cs_id]
            .into_iter()
            .flatten()
        {
            let list = lists.entry(person).or_default();
            if !list.iter().any(|c| c.id == clock.id) {
                list.push(clock);
            }
        }
    }
    lists
}

/// A clock as templates see it.
fn line(
    batch: &Batch<'_>,
    clock: &sla_clock::Model,
    project: &project::Model,
    owner: Option<&team_member::Model>,
) -> Value {
    let what = if clock.kind == CONTACT {
        "first contact"
    } else {
        "resolution"
    };
    json!({
        "project": project.name,
        "clock": what,
        "due_at": clock.due_at.with_timezone(&batch.zone).format("%Y-%m-%d %H:%M %Z").to_string(),
        "timezone": batch.timezone,
        "owner": owner.map(|o| o.name.clone()),
    })
}

fn internal(
    batch: &Batch<'_>,
    key: String,
    template: TemplateKey,
    member_id: Uuid,
    context: Value,
) -> OutgoingEmail {
    OutgoingEmail {
        workspace_id: batch.workspace_id,
        idempotency_key: key,
        template,
        recipient: Recipient::Member(member_id),
        sender_member_id: None,
        account_id: None,
        context,
        hold_for_review: false,
    }
}

async fn projects_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    clocks: &[sla_clock::Model],
) -> AppResult<HashMap<Uuid, project::Model>> {
    let ids: Vec<Uuid> = clocks.iter().map(|c| c.project_id).collect();
    let projects = project::Entity::find()
        .filter(project::Column::WorkspaceId.eq(workspace_id))
        .filter(project::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(projects.into_iter().map(|p| (p.id, p)).collect())
}

async fn members(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, team_member::Model>> {
    let members = team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(members.into_iter().map(|m| (m.id, m)).collect())
}

async fn account_names(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    projects: &HashMap<Uuid, project::Model>,
) -> AppResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = projects.values().map(|p| p.account_id).collect();
    let accounts = account::Entity::find()
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(accounts.into_iter().map(|a| (a.id, a.name)).collect())
}
