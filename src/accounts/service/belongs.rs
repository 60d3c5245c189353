//! Checks that a record named alongside an account belongs to that account, for the notes
//! and conversations written on it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::project;
use crate::error::{AppError, AppResult};

/// A project of the workspace that is one of the account's: `NOT_FOUND` when the workspace
/// has no such project, `BAD_USER_INPUT` (naming `field`) when it is another account's.
pub async fn ensure_project_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account_id: Uuid,
    field: &'static str,
    project_id: Uuid,
) -> AppResult<()> {
    let project = project::Entity::find_by_id(project_id)
        .filter(project::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("project"))?;
    if project.account_id != account_id {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` is a project of another account"),
        ));
    }
    Ok(())
}

/// A contact of the workspace who is one of the account's, with the same refusals as
/// [`ensure_project_of`].
pub async fn ensure_contact_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account_id: Uuid,
    field: &'static str,
    contact_id: Uuid,
) -> AppResult<()> {
    let contact = crate::contacts::service::find(db, workspace_id, contact_id).await?;
    if contact.account_id != account_id {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` is a contact of another account"),
        ));
    }
    Ok(())
}
