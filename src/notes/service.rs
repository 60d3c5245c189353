//! Writing, changing, deleting and listing notes.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::accounts::service as accounts;
use crate::activity::service::{self as activity, Change, Subject};
use crate::auth::Viewer;
use crate::entities::enums::MemberRole;
use crate::entities::note;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::Text;

/// A note to write on an account, or on one of its projects.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub account_id: Uuid,
    pub project_id: Option<Uuid>,
    pub body: Text,
}

/// Which notes to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoteFilter {
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<note::Model> {
    note::Entity::find_by_id(id)
        .filter(note::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("note"))
}

/// Notes in the order they were written.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: NoteFilter,
    page: Page,
) -> AppResult<Vec<note::Model>> {
    let mut select = note::Entity::find().filter(note::Column::WorkspaceId.eq(workspace_id));
    if let Some(account_id) = filter.account_id {
        select = select.filter(note::Column::AccountId.eq(account_id));
    }
    if let Some(project_id) = filter.project_id {
        select = select.filter(note::Column::ProjectId.eq(project_id));
    }
    Ok(paged(select, note::Column::Id, page).all(db).await?)
}

/// Writes a note by `author_id` (`None` for the system, such as a playbook) and records
/// `note.added` on the account. Call it in a transaction.
pub async fn add(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    author_id: Option<Uuid>,
    new: NewNote,
    now: DateTime<Utc>,
) -> AppResult<note::Model> {
    accounts::find(db, workspace_id, new.account_id).await?;
    if let Some(project_id) = new.project_id {
        accounts::ensure_project_of(db, workspace_id, new.account_id, "projectId", project_id)
            .await?;
    }

    let (note, added) = note_row(Uuid::now_v7(), workspace_id, author_id, new, now);
    let note = note.into_active_model().insert(db).await?;
    activity::record(db, added, now).await?;
    tracing::info!(note.id = %note.id, account.id = %note.account_id, "note added");
    Ok(note)
}

/// A new note and its `note.added` record, for a caller that checked the account and
/// project already: writing a note by hand, or a playbook writing a batch of them.
pub fn note_row(
    id: Uuid,
    workspace_id: Uuid,
    author_id: Option<Uuid>,
    new: NewNote,
    now: DateTime<Utc>,
) -> (note::Model, Change) {
    let note = note::Model {
        id,
        workspace_id,
        account_id: new.account_id,
        project_id: new.project_id,
        author_id,
        body: new.body.into_inner(),
        created_at: now,
        updated_at: now,
    };
    let change = Change {
        project_id: note.project_id,
        ..accounts::account_activity(
            workspace_id,
            note.account_id,
            Subject::Account(note.account_id),
            author_id,
            "note.added",
            json!({ "noteId": note.id }),
        )
    };
    (note, change)
}

/// Replaces a note's body: its author may, and so may managers and admins.
pub async fn update(
    db: &impl ConnectionTrait,
    editor: &Viewer,
    id: Uuid,
    body: Text,
    now: DateTime<Utc>,
) -> AppResult<note::Model> {
    let note = find(db, editor.workspace_id, id).await?;
    ensure_may_edit(editor, &note)?;

    let mut active: note::ActiveModel = note.into();
    active.body = Set(body.into_inner());
    active.updated_at = Set(now);
    let note = active.update(db).await?;
    tracing::info!(note.id = %id, "note updated");
    Ok(note)
}

/// Deletes a note, with the same rule as [`update`].
pub async fn delete(db: &impl ConnectionTrait, editor: &Viewer, id: Uuid) -> AppResult<()> {
    let note = find(db, editor.workspace_id, id).await?;
    ensure_may_edit(editor, &note)?;

    note::Entity::delete_by_id(note.id).exec(db).await?;
    tracing::info!(note.id = %id, "note deleted");
    Ok(())
}

fn ensure_may_edit(editor: &Viewer, note: &note::Model) -> AppResult<()> {
    if note.author_id == Some(editor.member_id) {
        return editor.require_writer().map(|_| ());
    }
    editor
        .require(MemberRole::Manager)
        .map(|_| ())
        .map_err(|_| {
            AppError::Forbidden(
                "only the note's author, a manager or an admin may change it".into(),
            )
        })
}
