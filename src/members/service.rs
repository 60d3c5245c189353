//! Creating, finding and changing team members.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::enums::MemberRole;
use crate::entities::team_member;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::{EmailAddress, Name};

/// A member to add to a workspace.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: EmailAddress,
    pub name: Name,
    pub role: MemberRole,
    pub manager_id: Option<Uuid>,
}

/// Changes to a member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MemberChanges {
    pub name: Option<Name>,
    pub role: Option<MemberRole>,
    /// `Some(None)` removes the manager.
    pub manager_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<team_member::Model> {
    team_member::Entity::find_by_id(id)
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("team member"))
}

/// The members of the workspace with these ids, by id, in one query; ids of no member of
/// the workspace are left out.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, team_member::Model>> {
    let columns = (team_member::Column::WorkspaceId, team_member::Column::Id);
    Ok(
        crate::db::bulk::by_ids::<team_member::Entity>(db, columns, workspace_id, ids, |m| m.id)
            .await?,
    )
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    email: &EmailAddress,
) -> AppResult<Option<team_member::Model>> {
    Ok(team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    page: Page,
) -> AppResult<Vec<team_member::Model>> {
    let select =
        team_member::Entity::find().filter(team_member::Column::WorkspaceId.eq(workspace_id));
    Ok(paged(select, team_member::Column::Id, page).all(db).await?)
}

pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    new: NewMember,
    now: DateTime<Utc>,
) -> AppResult<team_member::Model> {
    if let Some(manager_id) = new.manager_id {
        find(db, workspace_id, manager_id).await?;
    }
    if find_by_email(db, workspace_id, &new.email).await?.is_some() {
        return Err(AppError::Conflict(
            "a team member with this email already exists".into(),
        ));
    }

    let member = team_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        email: Set(new.email.into_inner()),
        name: Set(new.name.into_inner()),
        role: Set(new.role),
        manager_id: Set(new.manager_id),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;

    tracing::info!(member.id = %member.id, workspace.id = %workspace_id, member.role = ?member.role, "team member created");
    Ok(member)
}

pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
    changes: MemberChanges,
    now: DateTime<Utc>,
) -> AppResult<team_member::Model> {
    let member = find(db, workspace_id, id).await?;
    if let Some(Some(manager_id)) = changes.manager_id {
        check_manager(db, workspace_id, id, manager_id).await?;
    }

    let mut active: team_member::ActiveModel = member.into();
    if let Some(name) = changes.name {
        active.name = Set(name.into_inner());
    }
    if let Some(role) = changes.role {
        active.role = Set(role);
    }
    if let Some(manager_id) = changes.manager_id {
        active.manager_id = Set(manager_id);
    }
    if let Some(is_active) = changes.active {
        active.active = Set(is_active);
    }
    active.updated_at = Set(now);
    let member = active.update(db).await?;

    tracing::info!(member.id = %id, workspace.id = %workspace_id, "team member updated");
    Ok(member)
}

/// A manager must be another member of the same workspace, and the reporting line must not
/// loop back to the member (escalations climb it).
async fn check_manager(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    member_id: Uuid,
    manager_id: Uuid,
) -> AppResult<()> {
    let mut next = Some(manager_id);
    let mut steps = 0;
    while let Some(current) = next {
        if current == member_id {
            return Err(AppError::bad_input(
                "managerId",
                "a member cannot report to themselves, directly or through others",
            ));
        }
        steps += 1;
        if steps > 64 {
            return Err(AppError::bad_input(
                "managerId",
                "the reporting line is too deep",
            ));
        }
        next = find(db, workspace_id, current).await?.manager_id;
    }
    Ok(())
}
