//! Response-time targets through the API: the workspace's SLA settings (admins change them)
//! and each detractor project's clocks, loaded for a whole page of projects at once.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::calendar::BusinessCalendar;
use super::clocks::{self, CONTACT, RESOLUTION};
use super::settings::{self, SlaChanges, SlaSettings};
use crate::entities::enums::MemberRole;
use crate::entities::sla_clock;
use crate::graphql::ContextExt;
use crate::graphql::loaders::Scope;

/// A day of the week.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// How soon a workspace's detractors must be contacted and their projects resolved,
/// counted in its business hours and time zone.
#[derive(SimpleObject)]
#[graphql(name = "SlaSettings")]
pub struct SlaSettingsView {
    pub business_days: Vec<Weekday>,
    /// Local opening time, `HH:MM`.
    pub business_hours_start: String,
    /// Local closing time, `HH:MM`, later the same day.
    pub business_hours_end: String,
    /// Business hours from the start of a detractor project to first contact.
    pub contact_target_hours: i32,
    /// Business days (each as long as the business hours) to complete the project.
    pub resolution_target_days: i32,
    /// The owner is warned when this share of a target has passed.
    pub warning_percent: i32,
}

impl From<SlaSettings> for SlaSettingsView {
    fn from(settings: SlaSettings) -> Self {
        let (opens, closes) = settings.business_hours();
        SlaSettingsView {
            business_days: settings
                .business_days()
                .into_iter()
                .filter_map(|d| WEEK.get(d as usize).copied())
                .collect(),
            business_hours_start: opens.format("%H:%M").to_string(),
            business_hours_end: closes.format("%H:%M").to_string(),
            contact_target_hours: settings.contact_target_hours(),
            resolution_target_days: settings.resolution_target_days(),
            warning_percent: settings.warning_percent(),
        }
    }
}

/// Changes to the SLA settings; what is left out stays as it is.
#[derive(InputObject)]
pub struct SlaSettingsInput {
    /// At least one day, each once.
    pub business_days: Option<Vec<Weekday>>,
    /// `HH:MM`, local time.
    pub business_hours_start: Option<String>,
    /// `HH:MM`, local time, after the start.
    pub business_hours_end: Option<String>,
    /// 1 to 2000 business hours.
    pub contact_target_hours: Option<i32>,
    /// 1 to 365 business days.
    pub resolution_target_days: Option<i32>,
    /// 1 to 99.
    pub warning_percent: Option<i32>,
}

impl From<SlaSettingsInput> for SlaChanges {
    fn from(input: SlaSettingsInput) -> Self {
        let day = |d: Weekday| WEEK.iter().position(|w| *w == d).unwrap_or(0) as u32;
        SlaChanges {
            business_days: input
                .business_days
                .map(|days| days.into_iter().map(day).collect()),
            business_hours_start: input.business_hours_start,
            business_hours_end: input.business_hours_end,
            contact_target_hours: input.contact_target_hours,
            resolution_target_days: input.resolution_target_days,
            warning_percent: input.warning_percent,
        }
    }
}

/// The response-time clocks of a detractor project.
#[derive(SimpleObject, Clone)]
pub struct SlaClocks {
    /// Until the contact is first reached: an outbound conversation logged with them, or
    /// the project's "reach out" task completed.
    pub contact: Option<SlaClock>,
    /// Until the project is completed.
    pub resolution: Option<SlaClock>,
}

/// One clock. Due and warning times were fixed when the project started.
#[derive(SimpleObject, Clone)]
pub struct SlaClock {
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// When the owner is (or was) warned.
    pub warn_at: DateTime<Utc>,
    /// Business seconds left until `dueAt` while the clock runs (negative once past it);
    /// null once it was met or stopped.
    pub remaining_seconds: Option<i64>,
    /// Whether the target was missed: met after `dueAt`, or still unmet past it.
    pub breached: bool,
    pub met_at: Option<DateTime<Utc>>,
    pub warned_at: Option<DateTime<Utc>>,
    /// When the check job escalated the breach.
    pub breached_at: Option<DateTime<Utc>>,
    /// When the project was cancelled (or completed before contact), stopping the clock.
    pub stopped_at: Option<DateTime<Utc>>,
}

impl SlaClock {
    fn new(row: &sla_clock::Model, calendar: &BusinessCalendar, now: DateTime<Utc>) -> Self {
        let ended = row.met_at.or(row.stopped_at);
        SlaClock {
            started_at: row.started_at,
            due_at: row.due_at,
            warn_at: row.warn_at,
            remaining_seconds: ended
                .is_none()
                .then(|| clocks::remaining(calendar, row.due_at, now).num_seconds()),
            breached: row.breached_at.is_some() || ended.unwrap_or(now) > row.due_at,
            met_at: row.met_at,
            warned_at: row.warned_at,
            breached_at: row.breached_at,
            stopped_at: row.stopped_at,
        }
    }
}

/// The clock rows of projects, by project id, with the workspace's calendar to count
/// what remains: three statements for a page of projects.
pub struct ProjectSlaClocksLoader(pub Scope);

/// What the loader gives a project: its rows and the calendar they count in.
#[derive(Clone)]
pub struct LoadedClocks {
    rows: Vec<sla_clock::Model>,
    calendar: Arc<BusinessCalendar>,
}

impl Loader<Uuid> for ProjectSlaClocksLoader {
    type Value = LoadedClocks;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, LoadedClocks>> {
        let rows = clocks::of_projects(&self.0.db, self.0.workspace_id, ids).await?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let settings = settings::load(&self.0.db, self.0.workspace_id).await?;
        let workspace = crate::workspaces::service::find(&self.0.db, self.0.workspace_id).await?;
        let calendar = Arc::new(settings.calendar(&workspace.timezone));
        let mut loaded: HashMap<Uuid, LoadedClocks> = HashMap::new();
        for row in rows {
            loaded
                .entry(row.project_id)
                .or_insert_with(|| LoadedClocks {
                    rows: Vec::new(),
                    calendar: calendar.clone(),
                })
                .rows
                .push(row);
        }
        Ok(loaded)
    }
}

/// The clocks of a project; null for a project without any (not a detractor project, or
/// one started before SLAs existed).
pub async fn clocks_of(ctx: &Context<'_>, project_id: Uuid) -> Result<Option<SlaClocks>> {
    let loader = ctx.data::<DataLoader<ProjectSlaClocksLoader>>()?;
    let Some(loaded) = loader.load_one(project_id).await? else {
        return Ok(None);
    };
    let now = ctx.clock()?.now();
    let clock = |kind: &str| {
        loaded
            .rows
            .iter()
            .find(|row| row.kind == kind)
            .map(|row| SlaClock::new(row, &loaded.calendar, now))
    };
    Ok(Some(SlaClocks {
        contact: clock(CONTACT),
        resolution: clock(RESOLUTION),
    }))
}

#[derive(Default)]
pub struct SlaQuery;

#[Object]
impl SlaQuery {
    /// The caller's workspace's business calendar and response-time targets.
    async fn sla_settings(&self, ctx: &Context<'_>) -> Result<SlaSettingsView> {
        let viewer = ctx.viewer()?;
        Ok(settings::load(ctx.db()?, viewer.workspace_id).await?.into())
    }
}

#[derive(Default)]
pub struct SlaMutation;

#[Object]
impl SlaMutation {
    /// Changes the business calendar and response-time targets (admins only). Clocks
    /// already running keep the due times they started with.
    async fn update_sla_settings(
        &self,
        ctx: &Context<'_>,
        input: SlaSettingsInput,
    ) -> Result<SlaSettingsView> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let now = ctx.clock()?.now();
        let updated = settings::update(
            ctx.db()?,
            viewer.workspace_id,
            viewer.member_id,
            input.into(),
            now,
        )
        .await?;
        Ok(updated.into())
    }
}
