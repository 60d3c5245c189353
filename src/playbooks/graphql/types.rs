//! The GraphQL shapes of playbooks, their runs and snoozes, built from the stored rows.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, ID, Json, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::runs_of;
use crate::email::templates::TemplateKey;
use crate::entities::enums::{
    ContactRole, NpsCategory, PlaybookRunOutcome, PlaybookTrigger, TaskPriority,
};
use crate::entities::{playbook, playbook_run, playbook_snooze};
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{self, Page};
use crate::playbooks::model::{
    self, Action, Conditions, Frequency, FrequencyScope, MemberRule, SeverityRule, TemplateRef,
};

fn id(value: Uuid) -> ID {
    ID(value.to_string())
}

/// A rule that turns an event into work. Playbooks of one trigger run in `position` order.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Playbook {
    pub id: ID,
    pub name: String,
    pub trigger: PlaybookTrigger,
    pub enabled: bool,
    pub position: i32,
    /// Set on the playbooks Closeloop ships (`nps_detractor`, `nps_promoter`): they can be
    /// edited and disabled but not deleted.
    pub builtin_key: Option<String>,
    pub conditions: PlaybookConditions,
    /// Run in this order.
    pub actions: Vec<PlaybookAction>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl TryFrom<playbook::Model> for Playbook {
    type Error = AppError;

    fn try_from(row: playbook::Model) -> AppResult<Self> {
        let (conditions, actions) = model::parse_stored(&row)?;
        Ok(Playbook {
            id: id(row.id),
            uuid: row.id,
            name: row.name,
            trigger: row.trigger,
            enabled: row.enabled,
            position: row.position,
            builtin_key: row.builtin_key,
            conditions: conditions.into(),
            actions: actions.into_iter().map(PlaybookAction::from).collect(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub fn playbooks(rows: Vec<playbook::Model>) -> AppResult<Vec<Playbook>> {
    rows.into_iter().map(Playbook::try_from).collect()
}

#[ComplexObject]
impl Playbook {
    /// Each time the playbook's conditions held for an event, oldest first: whether it
    /// fired or what held it back, and what it made.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, PlaybookRun>> {
        let page = Page::new(first, after.as_deref())?;
        runs_of(ctx, self.uuid, page).await
    }
}

/// A project template, by id or by the key of a built-in blueprint.
#[derive(SimpleObject)]
pub struct PlaybookTemplateRef {
    pub template_id: Option<ID>,
    pub builtin_key: Option<String>,
}

impl From<TemplateRef> for PlaybookTemplateRef {
    fn from(value: TemplateRef) -> Self {
        match value {
            TemplateRef::Id(template) => PlaybookTemplateRef {
                template_id: Some(id(template)),
                builtin_key: None,
            },
            TemplateRef::Builtin(key) => PlaybookTemplateRef {
                template_id: None,
                builtin_key: Some(key),
            },
        }
    }
}

/// "At most once in `days` days per account (or contact)".
#[derive(SimpleObject)]
pub struct PlaybookFrequency {
    pub days: i32,
    pub per: FrequencyScope,
}

impl From<Frequency> for PlaybookFrequency {
    fn from(value: Frequency) -> Self {
        PlaybookFrequency {
            days: value.days,
            per: value.per,
        }
    }
}

/// What must all hold; empty lists and missing bounds do not restrict.
#[derive(SimpleObject)]
pub struct PlaybookConditions {
    pub categories: Vec<NpsCategory>,
    pub score_min: Option<i32>,
    pub score_max: Option<i32>,
    pub contact_roles: Vec<ContactRole>,
    pub segments: Vec<String>,
    pub mrr_min_cents: Option<i64>,
    pub mrr_max_cents: Option<i64>,
    /// Holds only while the account has no active project from this template.
    pub no_open_project_from: Option<PlaybookTemplateRef>,
    pub frequency: Option<PlaybookFrequency>,
}

impl From<Conditions> for PlaybookConditions {
    fn from(value: Conditions) -> Self {
        PlaybookConditions {
            categories: value.categories,
            score_min: value.score_min.map(i32::from),
            score_max: value.score_max.map(i32::from),
            contact_roles: value.contact_roles,
            segments: value.segments,
            mrr_min_cents: value.mrr_min_cents,
            mrr_max_cents: value.mrr_max_cents,
            no_open_project_from: value.no_open_project_from.map(PlaybookTemplateRef::from),
            frequency: value.frequency.map(PlaybookFrequency::from),
        }
    }
}

/// One step of a playbook.
#[derive(Union)]
pub enum PlaybookAction {
    StartProject(StartProjectAction),
    SendEmail(SendEmailAction),
    CreateTask(CreateTaskAction),
    NotifyMember(NotifyMemberAction),
    ScheduleFollowUp(ScheduleFollowUpAction),
    SkipFollowUp(SkipFollowUpAction),
}

#[derive(SimpleObject)]
pub struct StartProjectAction {
    pub template: PlaybookTemplateRef,
    pub severity: SeverityRule,
    pub attach_to_open_project: bool,
}

#[derive(SimpleObject)]
pub struct SendEmailAction {
    pub template: Option<TemplateKey>,
    pub hold_for_review: bool,
}

#[derive(SimpleObject)]
pub struct CreateTaskAction {
    pub title: String,
    pub description: Option<String>,
    pub due_in_days: i32,
    pub assignee: MemberRule,
    pub member_id: Option<ID>,
    pub priority: TaskPriority,
}

#[derive(SimpleObject)]
pub struct NotifyMemberAction {
    pub target: MemberRule,
    pub member_id: Option<ID>,
    pub message: Option<String>,
}

#[derive(SimpleObject)]
pub struct ScheduleFollowUpAction {
    pub after_days: i32,
}

#[derive(SimpleObject)]
pub struct SkipFollowUpAction {
    pub reason: Option<String>,
}

impl From<Action> for PlaybookAction {
    fn from(value: Action) -> Self {
        match value {
            Action::StartProject {
                template,
                severity,
                attach_to_open_project,
            } => PlaybookAction::StartProject(StartProjectAction {
                template: template.into(),
                severity,
                attach_to_open_project,
            }),
            Action::SendEmail {
                template,
                hold_for_review,
            } => PlaybookAction::SendEmail(SendEmailAction {
                template: TemplateKey::parse(&template),
                hold_for_review,
            }),
            Action::CreateTask {
                title,
                description,
                due_in_days,
                assignee,
                priority,
            } => PlaybookAction::CreateTask(CreateTaskAction {
                title,
                description,
                due_in_days,
                assignee: assignee.rule,
                member_id: assignee.member_id.map(id),
                priority,
            }),
            Action::NotifyMember { target, message } => {
                PlaybookAction::NotifyMember(NotifyMemberAction {
                    target: target.rule,
                    member_id: target.member_id.map(id),
                    message,
                })
            }
            Action::ScheduleFollowUp { after_days } => {
                PlaybookAction::ScheduleFollowUp(ScheduleFollowUpAction { after_days })
            }
            Action::SkipFollowUp { reason } => {
                PlaybookAction::SkipFollowUp(SkipFollowUpAction { reason })
            }
        }
    }
}

/// One playbook meeting one event: it fired, or a snooze or its frequency bound held it back.
#[derive(SimpleObject, Clone)]
pub struct PlaybookRun {
    pub id: ID,
    pub playbook_id: ID,
    pub trigger: PlaybookTrigger,
    /// The NPS response, project or task the event was about.
    pub event_id: ID,
    pub account_id: ID,
    pub contact_id: Option<ID>,
    pub response_id: Option<ID>,
    pub outcome: PlaybookRunOutcome,
    /// What the actions made: `projectsStarted`, `tasksCreated`, `emailsQueued`,
    /// `membersNotified`, `attachedToProject`.
    pub details: Json<serde_json::Value>,
    pub fired_at: DateTime<Utc>,
}

impl From<playbook_run::Model> for PlaybookRun {
    fn from(row: playbook_run::Model) -> Self {
        PlaybookRun {
            id: id(row.id),
            playbook_id: id(row.playbook_id),
            trigger: row.trigger,
            event_id: id(row.event_id),
            account_id: id(row.account_id),
            contact_id: row.contact_id.map(id),
            response_id: row.response_id.map(id),
            outcome: row.outcome,
            details: Json(row.details),
            fired_at: row.fired_at,
        }
    }
}

/// A playbook paused for one account.
#[derive(SimpleObject)]
pub struct PlaybookSnooze {
    pub playbook_id: ID,
    pub account_id: ID,
    pub until: DateTime<Utc>,
    pub created_by_id: Option<ID>,
    pub updated_at: DateTime<Utc>,
}

impl From<playbook_snooze::Model> for PlaybookSnooze {
    fn from(row: playbook_snooze::Model) -> Self {
        PlaybookSnooze {
            playbook_id: id(row.playbook_id),
            account_id: id(row.account_id),
            until: row.until,
            created_by_id: row.created_by.map(id),
            updated_at: row.updated_at,
        }
    }
}
