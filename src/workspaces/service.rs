//! Creating workspaces (with their built-in blueprints), first-start bootstrap, settings.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::tokens::{self, IssuedToken};
use crate::db;
use crate::entities::enums::MemberRole;
use crate::entities::workspace;
use crate::error::{AppError, AppResult};
use crate::members::service::{self as members, NewMember};
use crate::values::{EmailAddress, Name, Timezone};

pub const DEFAULT_WORKSPACE_NAME: &str = "Default workspace";
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@closeloop.localhost";
/// A contact gets at most one customer-facing email from playbooks in this many days.
pub const DEFAULT_CONTACT_EMAIL_CAP_DAYS: i32 = 7;
/// How long an email held for review waits before it goes out by itself.
pub const DEFAULT_REVIEW_WINDOW_MINUTES: i32 = 60;
/// Days after a detractor project completes that its contact gets the follow-up email.
pub const DEFAULT_FOLLOW_UP_DELAY_DAYS: i32 = 7;

/// The escalation policy a new workspace starts with: remind the assignee at once, tell
/// their manager after two days, the head of CS after five.
pub fn default_escalation_policy() -> serde_json::Value {
    json!({
        "levels": [
            { "level": 1, "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE"] },
            { "level": 2, "daysOverdue": 2, "actions": ["RAISE_PRIORITY_HIGH", "NOTIFY_MANAGER"] },
            { "level": 3, "daysOverdue": 5, "actions": ["RAISE_PRIORITY_URGENT", "NOTIFY_HEAD_OF_CS"] }
        ],
        "highSeverityFactor": 0.5,
        "projectKinds": ["NPS_DETRACTOR"]
    })
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<workspace::Model> {
    workspace::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("workspace"))
}

pub async fn find_by_name(
    db: &impl ConnectionTrait,
    name: &Name,
) -> AppResult<Option<workspace::Model>> {
    Ok(workspace::Entity::find()
        .filter(workspace::Column::Name.eq(name.as_str()))
        .one(db)
        .await?)
}

/// Creates a workspace and installs what every workspace starts with.
pub async fn create(
    db: &impl ConnectionTrait,
    name: Name,
    timezone: Timezone,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    if find_by_name(db, &name).await?.is_some() {
        return Err(AppError::Conflict(
            "a workspace with this name already exists".into(),
        ));
    }
    let workspace = workspace::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.into_inner()),
        timezone: Set(timezone.name().to_owned()),
        nps_detractor_max: Set(6),
        nps_passive_max: Set(8),
        sender_email: Set(None),
        sender_name: Set(None),
        head_of_cs_id: Set(None),
        escalation_policy: Set(default_escalation_policy()),
        contact_email_cap_days: Set(DEFAULT_CONTACT_EMAIL_CAP_DAYS),
        review_window_minutes: Set(DEFAULT_REVIEW_WINDOW_MINUTES),
        follow_up_delay_days: Set(DEFAULT_FOLLOW_UP_DELAY_DAYS),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;

    crate::templates::builtin::install(db, workspace.id, now).await?;
    crate::playbooks::builtin::install(db, workspace.id, now).await?;
    tracing::info!(workspace.id = %workspace.id, "workspace created");
    Ok(workspace)
}

/// On a database with no workspace at all, creates the default workspace, its first
/// admin and a token for them, so the quick start needs no other command. Returns the
/// token when it made one.
pub async fn bootstrap(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<Option<IssuedToken>> {
    let txn = db::begin_write(db).await?;
    if workspace::Entity::find().count(&txn).await? > 0 {
        return Ok(None);
    }

    let name = Name::parse("name", DEFAULT_WORKSPACE_NAME)?;
    let workspace = create(&txn, name, Timezone::parse("timezone", "UTC")?, now).await?;
    let admin = NewMember {
        email: EmailAddress::parse("email", DEFAULT_ADMIN_EMAIL)?,
        name: Name::parse("name", "Admin")?,
        role: MemberRole::Admin,
        manager_id: None,
    };
    let admin = members::create(&txn, workspace.id, admin, now).await?;
    let token = tokens::issue(&txn, &admin, "bootstrap", now).await?;
    txn.commit().await?;
    Ok(Some(token))
}

/// Finds the workspace and member named, creating either if missing, and issues a token:
/// what `closeloop token create` does.
pub async fn issue_token_for(
    db: &DatabaseConnection,
    workspace_name: Name,
    email: EmailAddress,
    role: MemberRole,
    now: DateTime<Utc>,
) -> AppResult<IssuedToken> {
    let txn = db::begin_write(db).await?;
    let workspace = match find_by_name(&txn, &workspace_name).await? {
        Some(found) => found,
        None => {
            create(
                &txn,
                workspace_name,
                Timezone::parse("timezone", "UTC")?,
                now,
            )
            .await?
        }
    };
    let member = match members::find_by_email(&txn, workspace.id, &email).await? {
        Some(found) => found,
        None => {
            let name = Name::parse("name", email.as_str().split('@').next().unwrap_or("member"))?;
            let new = NewMember {
                email,
                name,
                role,
                manager_id: None,
            };
            members::create(&txn, workspace.id, new, now).await?
        }
    };
    let token = tokens::issue(&txn, &member, "cli", now).await?;
    txn.commit().await?;
    Ok(token)
}

/// Settings an admin may change; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct SettingsChanges {
    pub name: Option<Name>,
    pub timezone: Option<Timezone>,
    pub sender_email: Option<Option<EmailAddress>>,
    pub sender_name: Option<Option<Name>>,
    pub head_of_cs_id: Option<Option<Uuid>>,
    /// 0 (no cap) to 365 days.
    pub contact_email_cap_days: Option<i32>,
    /// 0 (held emails go at the next delivery) to 10,080 minutes (a week).
    pub review_window_minutes: Option<i32>,
    /// 1 to 365 days.
    pub follow_up_delay_days: Option<i32>,
}

fn check_range(
    field: &'static str,
    value: Option<i32>,
    range: std::ops::RangeInclusive<i32>,
) -> AppResult<()> {
    match value {
        Some(v) if !range.contains(&v) => Err(AppError::bad_input(
            field,
            format!(
                "`{field}` must be between {} and {}",
                range.start(),
                range.end()
            ),
        )),
        _ => Ok(()),
    }
}

pub async fn update_settings(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    changes: SettingsChanges,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    check_range(
        "contactEmailCapDays",
        changes.contact_email_cap_days,
        0..=365,
    )?;
    check_range(
        "reviewWindowMinutes",
        changes.review_window_minutes,
        0..=10_080,
    )?;
    check_range("followUpDelayDays", changes.follow_up_delay_days, 1..=365)?;
    let current = find(db, workspace_id).await?;
    if let Some(Some(head)) = changes.head_of_cs_id {
        members::find(db, workspace_id, head).await?;
    }
    if let Some(name) = &changes.name
        && name.as_str() != current.name
        && find_by_name(db, name).await?.is_some()
    {
        return Err(AppError::Conflict(
            "a workspace with this name already exists".into(),
        ));
    }

    let mut active: workspace::ActiveModel = current.into();
    if let Some(name) = changes.name {
        active.name = Set(name.into_inner());
    }
    if let Some(timezone) = changes.timezone {
        active.timezone = Set(timezone.name().to_owned());
    }
    if let Some(email) = changes.sender_email {
        active.sender_email = Set(email.map(EmailAddress::into_inner));
    }
    if let Some(name) = changes.sender_name {
        active.sender_name = Set(name.map(Name::into_inner));
    }
    if let Some(head) = changes.head_of_cs_id {
        active.head_of_cs_id = Set(head);
    }
    if let Some(days) = changes.contact_email_cap_days {
        active.contact_email_cap_days = Set(days);
    }
    if let Some(minutes) = changes.review_window_minutes {
        active.review_window_minutes = Set(minutes);
    }
    if let Some(days) = changes.follow_up_delay_days {
        active.follow_up_delay_days = Set(days);
    }
    active.updated_at = Set(now);
    let workspace = active.update(db).await?;
    tracing::info!(workspace.id = %workspace_id, "workspace settings updated");
    Ok(workspace)
}
