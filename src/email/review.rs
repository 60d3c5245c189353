//! What people may do to email in the outbox: read it, edit a held draft, send it at once,
//! discard it before it goes, and (admins) retry one that failed. Each change is one
//! conditional update on the email's status, so it cannot race the delivery worker: an
//! email the worker already claimed is no longer held or pending, and the change is a
//! `CONFLICT`. Each change is recorded as activity on the email's account.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::templates::one_line;
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::email_outbox::{self, Column};
use crate::entities::enums::OutboxStatus;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::Text;

/// Which emails to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailFilter {
    pub status: Option<OutboxStatus>,
    pub contact_id: Option<Uuid>,
}

/// Emails in the order they were queued.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: EmailFilter,
    page: Page,
) -> AppResult<Vec<email_outbox::Model>> {
    let mut select = email_outbox::Entity::find().filter(Column::WorkspaceId.eq(workspace_id));
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    if let Some(contact_id) = filter.contact_id {
        select = select.filter(Column::ContactId.eq(contact_id));
    }
    Ok(paged(select, Column::Id, page).all(db).await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<email_outbox::Model> {
    email_outbox::Entity::find_by_id(id)
        .filter(Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("email"))
}

/// New text for a held draft; `None` keeps a part as it is.
#[derive(Debug, Clone, Default)]
pub struct DraftChanges {
    pub subject: Option<String>,
    pub body_text: Option<Text>,
    pub body_html: Option<Option<Text>>,
}

/// Who is acting, for the activity record.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub workspace_id: Uuid,
    pub member_id: Uuid,
}

pub async fn update_draft(
    db: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    changes: DraftChanges,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::Model> {
    let mut values: Vec<(Column, SimpleExpr)> = Vec::new();
    if let Some(subject) = changes.subject {
        let subject = one_line(&subject);
        if subject.is_empty() {
            return Err(AppError::bad_input(
                "subject",
                "`subject` must not be empty",
            ));
        }
        values.push((Column::Subject, Expr::value(subject)));
    }
    if let Some(text) = changes.body_text {
        values.push((Column::BodyText, Expr::value(text.into_inner())));
    }
    if let Some(html) = changes.body_html {
        values.push((Column::BodyHtml, Expr::value(html.map(Text::into_inner))));
    }
    transition(
        db,
        actor,
        id,
        &[OutboxStatus::Held],
        values,
        "email.draft_edited",
        now,
    )
    .await
}

/// A held draft goes out at the next delivery pass instead of at the end of its window.
pub async fn send_draft(
    db: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::Model> {
    let values = vec![
        (Column::Status, Expr::value(OutboxStatus::Pending)),
        (Column::NextAttemptAt, Expr::value(now)),
    ];
    transition(
        db,
        actor,
        id,
        &[OutboxStatus::Held],
        values,
        "email.draft_sent",
        now,
    )
    .await
}

pub async fn discard(
    db: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::Model> {
    let values = vec![(Column::Status, Expr::value(OutboxStatus::Discarded))];
    transition(
        db,
        actor,
        id,
        &[OutboxStatus::Held, OutboxStatus::Pending],
        values,
        "email.discarded",
        now,
    )
    .await
}

/// A failed email is tried again from scratch, with the same Message-ID.
pub async fn retry(
    db: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::Model> {
    let values = vec![
        (Column::Status, Expr::value(OutboxStatus::Pending)),
        (Column::Attempts, Expr::value(0)),
        (Column::NextAttemptAt, Expr::value(now)),
    ];
    transition(
        db,
        actor,
        id,
        &[OutboxStatus::Failed],
        values,
        "email.retried",
        now,
    )
    .await
}

/// Applies `values` if the email is in one of `from`; otherwise `NOT_FOUND` or `CONFLICT`.
async fn transition(
    db: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    from: &[OutboxStatus],
    values: Vec<(Column, SimpleExpr)>,
    action: &'static str,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::Model> {
    let mut update = email_outbox::Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::WorkspaceId.eq(actor.workspace_id))
        .filter(Column::Status.is_in(from.iter().copied()));
    for (column, value) in values {
        update = update.col_expr(column, value);
    }
    if update.exec(db).await?.rows_affected == 0 {
        let current = find(db, actor.workspace_id, id).await?;
        return Err(AppError::Conflict(format!(
            "this email is {} and can no longer be changed that way",
            status_word(current.status)
        )));
    }
    let email = find(db, actor.workspace_id, id).await?;
    let change = Change {
        workspace_id: actor.workspace_id,
        actor_id: Some(actor.member_id),
        subject: Subject::Email(email.id),
        action,
        account_id: email.account_id,
        project_id: None,
        task_id: None,
        details: json!({ "template": email.template_key }),
    };
    activity::record(db, change, now).await?;
    tracing::info!(outbox.id = %email.id, action, "outbox email changed");
    Ok(email)
}

fn status_word(status: OutboxStatus) -> &'static str {
    match status {
        OutboxStatus::Pending => "pending",
        OutboxStatus::Held => "held",
        OutboxStatus::Sending => "being sent",
        OutboxStatus::Sent => "sent",
        OutboxStatus::Failed => "failed",
        OutboxStatus::Discarded => "discarded",
    }
}
