//! Reading and changing playbooks. Every change is validated before anything is written and
//! recorded as activity in the caller's transaction. Built-in playbooks can be edited and
//! disabled but not deleted, so the start-up install never brings back one a team removed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::checks::check;
use super::model::{self, Action, Conditions};
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::enums::PlaybookTrigger;
use crate::entities::playbook;
use crate::error::{AppError, AppResult};
use crate::values::Name;

/// A playbook as its author writes it (for a new one, or to replace an existing one).
#[derive(Debug, Clone)]
pub struct PlaybookSpec {
    pub name: Name,
    pub trigger: PlaybookTrigger,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
    pub enabled: bool,
}

/// The workspace's playbooks, by trigger and then in the order they run.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    trigger: Option<PlaybookTrigger>,
) -> AppResult<Vec<playbook::Model>> {
    let mut select =
        playbook::Entity::find().filter(playbook::Column::WorkspaceId.eq(workspace_id));
    if let Some(trigger) = trigger {
        select = select.filter(playbook::Column::Trigger.eq(trigger));
    }
    Ok(select
        .order_by_asc(playbook::Column::Trigger)
        .order_by_asc(playbook::Column::Position)
        .order_by_asc(playbook::Column::Id)
        .all(db)
        .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<playbook::Model> {
    playbook::Entity::find_by_id(id)
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("playbook"))
}

/// Adds a playbook after the others of its trigger.
pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    spec: PlaybookSpec,
    now: DateTime<Utc>,
) -> AppResult<playbook::Model> {
    check(db, workspace_id, &spec).await?;
    let playbook = insert(db, workspace_id, None, spec, now).await?;
    record(db, &playbook, actor_id, "playbook.created", json!({}), now).await?;
    tracing::info!(playbook.id = %playbook.id, workspace.id = %workspace_id, "playbook created");
    Ok(playbook)
}

/// Writes a checked playbook at the end of its trigger's list; no activity.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    builtin_key: Option<&str>,
    spec: PlaybookSpec,
    now: DateTime<Utc>,
) -> AppResult<playbook::Model> {
    let position = next_position(db, workspace_id, spec.trigger).await?;
    let row = playbook::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(spec.name.into_inner()),
        trigger: Set(spec.trigger),
        conditions: Set(model::to_json(&spec.conditions)?),
        actions: Set(model::to_json(&spec.actions)?),
        enabled: Set(spec.enabled),
        position: Set(position),
        builtin_key: Set(builtin_key.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(row.insert(db).await?)
}

/// Replaces a playbook's name, trigger, conditions, actions and state. A playbook moved to
/// another trigger goes to the end of that trigger's list.
pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    spec: PlaybookSpec,
    now: DateTime<Utc>,
) -> AppResult<playbook::Model> {
    let current = find(db, workspace_id, id).await?;
    check(db, workspace_id, &spec).await?;

    let position = if current.trigger == spec.trigger {
        current.position
    } else {
        next_position(db, workspace_id, spec.trigger).await?
    };
    let mut row: playbook::ActiveModel = current.into();
    row.name = Set(spec.name.into_inner());
    row.trigger = Set(spec.trigger);
    row.conditions = Set(model::to_json(&spec.conditions)?);
    row.actions = Set(model::to_json(&spec.actions)?);
    row.enabled = Set(spec.enabled);
    row.position = Set(position);
    row.updated_at = Set(now);
    let playbook = row.update(db).await?;

    record(db, &playbook, actor_id, "playbook.updated", json!({}), now).await?;
    tracing::info!(playbook.id = %id, "playbook updated");
    Ok(playbook)
}

pub async fn set_enabled(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    enabled: bool,
    now: DateTime<Utc>,
) -> AppResult<playbook::Model> {
    let mut row: playbook::ActiveModel = find(db, workspace_id, id).await?.into();
    row.enabled = Set(enabled);
    row.updated_at = Set(now);
    let playbook = row.update(db).await?;

    let action = if enabled {
        "playbook.enabled"
    } else {
        "playbook.disabled"
    };
    record(db, &playbook, actor_id, action, json!({}), now).await?;
    tracing::info!(playbook.id = %id, playbook.enabled = enabled, "playbook switched");
    Ok(playbook)
}

/// Deletes a playbook of the workspace's own, with its runs and snoozes.
pub async fn delete(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let playbook = find(db, workspace_id, id).await?;
    if playbook.builtin_key.is_some() {
        return Err(AppError::Conflict(
            "built-in playbooks cannot be deleted; disable them instead".into(),
        ));
    }

    playbook::Entity::delete_by_id(id).exec(db).await?;
    let details = json!({ "name": playbook.name });
    record(db, &playbook, actor_id, "playbook.deleted", details, now).await?;
    tracing::info!(playbook.id = %id, "playbook deleted");
    Ok(())
}

/// Sets the order of a trigger's playbooks: `ids` must name each of them exactly once.
pub async fn reorder(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    trigger: PlaybookTrigger,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<playbook::Model>> {
    let current = list(db, workspace_id, Some(trigger)).await?;
    let mut wanted = ids.to_vec();
    let mut existing: Vec<Uuid> = current.iter().map(|p| p.id).collect();
    wanted.sort();
    existing.sort();
    if wanted != existing {
        return Err(AppError::bad_input(
            "ids",
            "`ids` must list every playbook of the trigger exactly once",
        ));
    }

    for (position, id) in ids.iter().enumerate() {
        playbook::Entity::update_many()
            .col_expr(
                playbook::Column::Position,
                Expr::value(position_of(position)),
            )
            .col_expr(playbook::Column::UpdatedAt, Expr::value(now))
            .filter(playbook::Column::WorkspaceId.eq(workspace_id))
            .filter(playbook::Column::Id.eq(*id))
            .exec(db)
            .await?;
    }
    let details = json!({ "order": ids });
    for playbook in &current {
        record(
            db,
            playbook,
            actor_id,
            "playbook.reordered",
            details.clone(),
            now,
        )
        .await?;
    }
    tracing::info!(workspace.id = %workspace_id, playbook.count = ids.len(), "playbooks reordered");
    list(db, workspace_id, Some(trigger)).await
}

fn position_of(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

async fn next_position(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    trigger: PlaybookTrigger,
) -> AppResult<i32> {
    let last: Option<Option<i32>> = playbook::Entity::find()
        .select_only()
        .column_as(playbook::Column::Position.max(), "max")
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook::Column::Trigger.eq(trigger))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().map_or(0, |max| max.saturating_add(1)))
}

async fn record(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let change = Change {
        workspace_id: playbook.workspace_id,
        actor_id,
        subject: Subject::Playbook(playbook.id),
        action,
        account_id: None,
        project_id: None,
        task_id: None,
        details,
    };
    activity::record(db, change, now).await?;
    Ok(())
}
