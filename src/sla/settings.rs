//! A workspace's business calendar and response-time targets: validated on the way in,
//! stored in `sla_settings`, and the defaults for a workspace that never changed them.
//!
//! Both targets count business time. The contact target is in business hours; the
//! resolution target is in business days, each as long as the workspace's business hours
//! (14 days of 09:00–17:00 are 112 business hours).

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::calendar::BusinessCalendar;
use crate::activity::service::{self as activity, Change, Subject};
use crate::db;
use crate::entities::sla_setting::{self, Column};
use crate::error::{AppError, AppResult};

/// Monday to Friday.
pub const DEFAULT_BUSINESS_DAYS: u8 = 0b001_1111;
pub const DEFAULT_CONTACT_TARGET_HOURS: i32 = 48;
pub const DEFAULT_RESOLUTION_TARGET_DAYS: i32 = 14;
pub const DEFAULT_WARNING_PERCENT: i32 = 75;
const MAX_CONTACT_TARGET_HOURS: i32 = 2_000;
const MAX_RESOLUTION_TARGET_DAYS: i32 = 365;

/// Validated settings: every value here is one the calendar can count with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaSettings {
    business_days: u8,
    opens: NaiveTime,
    closes: NaiveTime,
    contact_target_hours: i32,
    resolution_target_days: i32,
    warning_percent: i32,
}

impl Default for SlaSettings {
    fn default() -> Self {
        SlaSettings {
            business_days: DEFAULT_BUSINESS_DAYS,
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            contact_target_hours: DEFAULT_CONTACT_TARGET_HOURS,
            resolution_target_days: DEFAULT_RESOLUTION_TARGET_DAYS,
            warning_percent: DEFAULT_WARNING_PERCENT,
        }
    }
}

/// Settings as an admin sends them; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SlaChanges {
    /// Days from Monday (0) to Sunday (6).
    pub business_days: Option<Vec<u32>>,
    /// `HH:MM`
    pub business_hours_start: Option<String>,
    pub business_hours_end: Option<String>,
    pub contact_target_hours: Option<i32>,
    pub resolution_target_days: Option<i32>,
    pub warning_percent: Option<i32>,
}

impl SlaSettings {
    /// `self` with `changes` applied, or the first field that is wrong.
    pub fn apply(self, changes: SlaChanges) -> AppResult<SlaSettings> {
        let mut next = self;
        if let Some(days) = changes.business_days {
            next.business_days = day_set(&days)?;
        }
        if let Some(start) = changes.business_hours_start {
            next.opens = clock_time("businessHoursStart", &start)?;
        }
        if let Some(end) = changes.business_hours_end {
            next.closes = clock_time("businessHoursEnd", &end)?;
        }
        if next.closes <= next.opens {
            return Err(AppError::bad_input(
                "businessHoursEnd",
                "business hours must end after they start, on the same day",
            ));
        }
        if let Some(hours) = changes.contact_target_hours {
            next.contact_target_hours =
                within("contactTargetHours", hours, MAX_CONTACT_TARGET_HOURS)?;
        }
        if let Some(days) = changes.resolution_target_days {
            next.resolution_target_days =
                within("resolutionTargetDays", days, MAX_RESOLUTION_TARGET_DAYS)?;
        }
        if let Some(percent) = changes.warning_percent {
            next.warning_percent = within("warningPercent", percent, 99)?;
        }
        Ok(next)
    }

    /// The calendar in `timezone` (an IANA name; UTC for one that is not).
    pub fn calendar(&self, timezone: &str) -> BusinessCalendar {
        let zone = Tz::from_str(timezone).unwrap_or(chrono_tz::UTC);
        BusinessCalendar::new(zone, self.business_days, self.opens, self.closes)
    }

    /// Days from Monday (0) to Sunday (6).
    pub fn business_days(&self) -> Vec<u32> {
        (0..7)
            .filter(|d| self.business_days & (1 << d) != 0)
            .collect()
    }

    pub fn business_hours(&self) -> (NaiveTime, NaiveTime) {
        (self.opens, self.closes)
    }

    pub fn contact_target_hours(&self) -> i32 {
        self.contact_target_hours
    }

    pub fn resolution_target_days(&self) -> i32 {
        self.resolution_target_days
    }

    pub fn warning_percent(&self) -> i32 {
        self.warning_percent
    }

    pub fn contact_target(&self) -> Duration {
        Duration::hours(i64::from(self.contact_target_hours))
    }

    /// Business days, each the length of the business hours.
    pub fn resolution_target(&self) -> Duration {
        (self.closes - self.opens) * self.resolution_target_days
    }

    /// How far into `target` the owner is warned.
    pub fn warning_after(&self, target: Duration) -> Duration {
        target * self.warning_percent / 100
    }

    fn from_row(row: &sla_setting::Model) -> SlaSettings {
        SlaSettings {
            business_days: u8::try_from(row.business_days & 0x7f).unwrap_or(DEFAULT_BUSINESS_DAYS),
            opens: minute_of_day(row.opens_at_minute),
            closes: minute_of_day(row.closes_at_minute),
            contact_target_hours: row.contact_target_hours,
            resolution_target_days: row.resolution_target_days,
            warning_percent: row.warning_percent,
        }
    }
}

/// The workspace's settings, or the defaults.
pub async fn load(db: &impl ConnectionTrait, workspace_id: Uuid) -> AppResult<SlaSettings> {
    let row = sla_setting::Entity::find()
        .filter(Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?;
    Ok(row.as_ref().map(SlaSettings::from_row).unwrap_or_default())
}

/// Applies `changes` to the workspace's settings, stores them and records who did it.
pub async fn update(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    changes: SlaChanges,
    now: DateTime<Utc>,
) -> AppResult<SlaSettings> {
    let txn = db::begin_write(db).await?;
    let updated = load(&txn, workspace_id).await?.apply(changes)?;
    save(&txn, workspace_id, updated, now).await?;
    let (opens, closes) = updated.business_hours();
    let change = Change {
        workspace_id,
        actor_id: Some(actor_id),
        subject: Subject::Workspace(workspace_id),
        action: "workspace.sla_settings_updated",
        account_id: None,
        project_id: None,
        task_id: None,
        details: json!({
            "businessDays": updated.business_days(),
            "businessHours": [opens.format("%H:%M").to_string(), closes.format("%H:%M").to_string()],
            "contactTargetHours": updated.contact_target_hours,
            "resolutionTargetDays": updated.resolution_target_days,
            "warningPercent": updated.warning_percent,
        }),
    };
    activity::record(&txn, change, now).await?;
    txn.commit().await?;
    tracing::info!(workspace.id = %workspace_id, "SLA settings updated");
    Ok(updated)
}

/// Stores the workspace's settings, replacing any before.
async fn save(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    settings: SlaSettings,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = sla_setting::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        business_days: Set(i32::from(settings.business_days)),
        opens_at_minute: Set(minutes(settings.opens)),
        closes_at_minute: Set(minutes(settings.closes)),
        contact_target_hours: Set(settings.contact_target_hours),
        resolution_target_days: Set(settings.resolution_target_days),
        warning_percent: Set(settings.warning_percent),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let upsert = OnConflict::column(Column::WorkspaceId)
        .update_columns([
            Column::BusinessDays,
            Column::OpensAtMinute,
            Column::ClosesAtMinute,
            Column::ContactTargetHours,
            Column::ResolutionTargetDays,
            Column::WarningPercent,
            Column::UpdatedAt,
        ])
        .to_owned();
    sla_setting::Entity::insert(row)
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn day_set(days: &[u32]) -> AppResult<u8> {
    if days.is_empty() {
        return Err(AppError::bad_input(
            "businessDays",
            "at least one business day is needed",
        ));
    }
    let mut set = 0u8;
    for &day in days {
        let bit = 1u8 << day.min(7);
        if day > 6 || set & bit != 0 {
            return Err(AppError::bad_input(
                "businessDays",
                "each day may be named once",
            ));
        }
        set |= bit;
    }
    Ok(set)
}

fn clock_time(field: &'static str, raw: &str) -> AppResult<NaiveTime> {
    let time = NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| AppError::bad_input(field, format!("`{field}` must be a time like 09:00")))?;
    Ok(time)
}

fn within(field: &'static str, value: i32, max: i32) -> AppResult<i32> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            format!("`{field}` must be from 1 to {max}"),
        ))
    }
}

fn minutes(time: NaiveTime) -> i32 {
    i32::try_from(time.num_seconds_from_midnight() / 60).unwrap_or(0)
}

fn minute_of_day(minutes: i32) -> NaiveTime {
    let minutes = u32::try_from(minutes.clamp(0, 24 * 60 - 1)).unwrap_or(0);
    NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: AppResult<SlaSettings>) -> Option<&'static str> {
        match result {
            Err(AppError::BadUserInput { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn the_defaults_are_48_business_hours_to_contact_and_14_business_days_of_8_hours_to_resolve() {
        let settings = SlaSettings::default();

        assert_eq!(settings.contact_target(), Duration::hours(48));
        assert_eq!(settings.resolution_target(), Duration::hours(112));
        assert_eq!(
            settings.warning_after(Duration::hours(48)),
            Duration::hours(36)
        );
        assert_eq!(settings.business_days(), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn bad_values_name_their_field() {
        let base = SlaSettings::default();
        let with = |changes: SlaChanges| field_of(base.apply(changes));

        let no_days = with(SlaChanges {
            business_days: Some(vec![]),
            ..SlaChanges::default()
        });
        let twice = with(SlaChanges {
            business_days: Some(vec![1, 1]),
            ..SlaChanges::default()
        });
        let bad_time = with(SlaChanges {
            business_hours_start: Some("9am".into()),
            ..SlaChanges::default()
        });
        let backwards = with(SlaChanges {
            business_hours_start: Some("18:00".into()),
            ..SlaChanges::default()
        });
        let percent = with(SlaChanges {
            warning_percent: Some(100),
            ..SlaChanges::default()
        });

        assert_eq!(no_days, Some("businessDays"));
        assert_eq!(twice, Some("businessDays"));
        assert_eq!(bad_time, Some("businessHoursStart"));
        assert_eq!(backwards, Some("businessHoursEnd"));
        assert_eq!(percent, Some("warningPercent"));
    }

    #[test]
    fn stored_minutes_come_back_as_the_same_times() {
        let nine_thirty = NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default();

        assert_eq!(minute_of_day(minutes(nine_thirty)), nine_thirty);
    }
}
