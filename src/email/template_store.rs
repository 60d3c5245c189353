//! A workspace's own versions of the email templates. Only changed templates have a row; every
//! other key reads as the built-in default, so improving a default reaches every workspace
//! that kept it, and resetting a template is deleting its row.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::defaults;
use super::templates::{self, TemplateKey, TemplateSource};
use crate::entities::email_template;
use crate::error::{AppError, AppResult};

const MAX_SUBJECT_CHARS: usize = 1_000;
const MAX_BODY_CHARS: usize = 100_000;

/// A template as a workspace uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub key: TemplateKey,
    pub source: TemplateSource,
    /// Emails from it wait as drafts for the workspace's review window.
    pub hold_for_review: bool,
    /// `None` while the workspace uses the built-in default.
    pub updated_at: Option<DateTime<Utc>>,
}

impl StoredTemplate {
    fn default_for(key: TemplateKey) -> Self {
        StoredTemplate {
            key,
            source: defaults::source(key),
            hold_for_review: false,
            updated_at: None,
        }
    }

    fn from_row(key: TemplateKey, row: email_template::Model) -> Self {
        StoredTemplate {
            key,
            source: TemplateSource {
                subject: row.subject,
                body_text: row.body_text,
                body_html: row.body_html,
            },
            hold_for_review: row.hold_for_review,
            updated_at: Some(row.updated_at),
        }
    }
}

/// The workspace's version of `key`, or the default.
async fn find_row(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: TemplateKey,
) -> AppResult<Option<email_template::Model>> {
    Ok(email_template::Entity::find()
        .filter(email_template::Column::WorkspaceId.eq(workspace_id))
        .filter(email_template::Column::Key.eq(key.as_str()))
        .one(db)
        .await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: TemplateKey,
) -> AppResult<StoredTemplate> {
    let row = find_row(db, workspace_id, key).await?;
    Ok(row.map_or_else(
        || StoredTemplate::default_for(key),
        |row| StoredTemplate::from_row(key, row),
    ))
}

/// Every template, in the order of [`TemplateKey::ALL`].
pub async fn list(db: &impl ConnectionTrait, workspace_id: Uuid) -> AppResult<Vec<StoredTemplate>> {
    let mut rows = email_template::Entity::find()
        .filter(email_template::Column::WorkspaceId.eq(workspace_id))
        .all(db)
        .await?;
    let templates = TemplateKey::ALL.into_iter().map(|key| {
        match rows.iter().position(|row| row.key == key.as_str()) {
            Some(index) => StoredTemplate::from_row(key, rows.swap_remove(index)),
            None => StoredTemplate::default_for(key),
        }
    });
    Ok(templates.collect())
}

/// Replaces the workspace's version of `key`; a template that does not compile is refused
/// with the part named.
pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: TemplateKey,
    source: TemplateSource,
    hold_for_review: bool,
    now: DateTime<Utc>,
) -> AppResult<StoredTemplate> {
    check_size(&source)?;
    templates::check(&source)?;
    // Update or insert rather than one upsert: see `unsubscribe::stored_secret` for why
    // `ON CONFLICT` is avoided on a fresh connection. Two first edits at the same moment
    // make the second a `CONFLICT`.
    let existing = find_row(db, workspace_id, key).await?;
    let is_new = existing.is_none();
    let mut row: email_template::ActiveModel = match existing {
        Some(existing) => existing.into(),
        None => email_template::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            key: Set(key.as_str().to_owned()),
            ..Default::default()
        },
    };
    row.subject = Set(source.subject);
    row.body_text = Set(source.body_text);
    row.body_html = Set(source.body_html);
    row.hold_for_review = Set(hold_for_review);
    row.updated_at = Set(now);
    if is_new {
        row.insert(db).await?;
    } else {
        row.update(db).await?;
    }
    tracing::info!(workspace.id = %workspace_id, email.template = key.as_str(), "email template updated");
    get(db, workspace_id, key).await
}

/// Goes back to the built-in default.
pub async fn reset(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: TemplateKey,
) -> AppResult<StoredTemplate> {
    email_template::Entity::delete_many()
        .filter(email_template::Column::WorkspaceId.eq(workspace_id))
        .filter(email_template::Column::Key.eq(key.as_str()))
        .exec(db)
        .await?;
    tracing::info!(workspace.id = %workspace_id, email.template = key.as_str(), "email template reset");
    Ok(StoredTemplate::default_for(key))
}

fn check_size(source: &TemplateSource) -> AppResult<()> {
    if source.subject.trim().is_empty() {
        return Err(AppError::bad_input(
            "subject",
            "`subject` must not be empty",
        ));
    }
    let parts = [
        ("subject", Some(&source.subject), MAX_SUBJECT_CHARS),
        ("bodyText", Some(&source.body_text), MAX_BODY_CHARS),
        ("bodyHtml", source.body_html.as_ref(), MAX_BODY_CHARS),
    ];
    for (field, part, max) in parts {
        if part.is_some_and(|text| text.chars().count() > max) {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must be at most {max} characters"),
            ));
        }
    }
    Ok(())
}
