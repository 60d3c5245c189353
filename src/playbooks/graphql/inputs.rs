//! The inputs that describe a playbook, and their parsing into a checked
//! [`PlaybookSpec`](crate::playbooks::service::PlaybookSpec).

use async_graphql::{ID, InputObject, OneofObject};

use crate::email::templates::TemplateKey;
use crate::entities::enums::{ContactRole, NpsCategory, PlaybookTrigger, TaskPriority};
use crate::error::AppResult;
use crate::playbooks::model::{
    Action, Conditions, Frequency, FrequencyScope, MemberRule, MemberTarget, SeverityRule,
    TemplateRef,
};
use crate::playbooks::service::PlaybookSpec;
use crate::values::{Name, parse_id};

/// A whole playbook; `updatePlaybook` replaces every part of it.
#[derive(InputObject)]
pub struct PlaybookInput {
    pub name: String,
    pub trigger: PlaybookTrigger,
    /// None: the playbook fires for every event of its trigger.
    pub conditions: Option<PlaybookConditionsInput>,
    /// At least one, at most 20; they run in this order.
    pub actions: Vec<PlaybookActionInput>,
    #[graphql(default = true)]
    pub enabled: bool,
}

/// Conditions that must all hold. Category, score and contact role are those of the
/// event's NPS response (for a project or task, the response that started the project).
#[derive(InputObject, Default)]
pub struct PlaybookConditionsInput {
    pub categories: Option<Vec<NpsCategory>>,
    /// 0–10.
    pub score_min: Option<i32>,
    /// 0–10, not below `scoreMin`.
    pub score_max: Option<i32>,
    pub contact_roles: Option<Vec<ContactRole>>,
    /// Account segments, compared without regard to case.
    pub segments: Option<Vec<String>>,
    pub mrr_min_cents: Option<i64>,
    pub mrr_max_cents: Option<i64>,
    /// Holds only while the account has no active project from this template.
    pub no_open_project_from: Option<TemplateRefInput>,
    /// Fire at most once in so many days per account or contact.
    pub frequency: Option<FrequencyInput>,
}

#[derive(OneofObject)]
pub enum TemplateRefInput {
    TemplateId(ID),
    /// `nps_detractor` or `nps_promoter`.
    BuiltinKey(String),
}

#[derive(InputObject)]
pub struct FrequencyInput {
    /// 1–3650.
    pub days: i32,
    pub per: FrequencyScope,
}

/// One action; give exactly one field.
#[derive(OneofObject)]
pub enum PlaybookActionInput {
    StartProject(StartProjectActionInput),
    SendEmail(SendEmailActionInput),
    CreateTask(CreateTaskActionInput),
    NotifyMember(NotifyMemberActionInput),
    /// `PROJECT_COMPLETED` only: the follow-up email goes out this many days after completion.
    ScheduleFollowUp(ScheduleFollowUpActionInput),
    /// `PROJECT_COMPLETED` only: the project gets no follow-up email.
    SkipFollowUp(SkipFollowUpActionInput),
}

#[derive(InputObject)]
pub struct StartProjectActionInput {
    pub template: TemplateRefInput,
    pub severity: SeverityRule,
    /// Attach the response to the account's active project from this template instead of
    /// starting another, when there is one.
    #[graphql(default)]
    pub attach_to_open_project: bool,
}

#[derive(InputObject)]
pub struct SendEmailActionInput {
    /// A customer-facing template; it goes to the contact, from the account owner.
    pub template: TemplateKey,
    #[graphql(default)]
    pub hold_for_review: bool,
}

#[derive(InputObject)]
pub struct CreateTaskActionInput {
    pub title: String,
    pub description: Option<String>,
    /// Days from the event to the task's due date, 0–3650.
    pub due_in_days: i32,
    pub assignee: MemberRule,
    /// Required when `assignee` is `MEMBER`.
    pub member_id: Option<ID>,
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
}

#[derive(InputObject)]
pub struct NotifyMemberActionInput {
    pub target: MemberRule,
    /// Required when `target` is `MEMBER`.
    pub member_id: Option<ID>,
    pub message: Option<String>,
}

#[derive(InputObject)]
pub struct ScheduleFollowUpActionInput {
    /// Days from the project's completion to the follow-up email, 1–365.
    pub after_days: i32,
}

#[derive(InputObject)]
pub struct SkipFollowUpActionInput {
    /// Shown on the skipped follow-up; `skipped by a playbook` when left out.
    pub reason: Option<String>,
}

impl PlaybookInput {
    /// Parses what needs no database; the service checks the rest.
    pub fn parse(self) -> AppResult<PlaybookSpec> {
        Ok(PlaybookSpec {
            name: Name::parse("name", &self.name)?,
            trigger: self.trigger,
            conditions: self.conditions.unwrap_or_default().parse()?,
            actions: self
                .actions
                .into_iter()
                .map(PlaybookActionInput::parse)
                .collect::<AppResult<_>>()?,
            enabled: self.enabled,
        })
    }
}

impl PlaybookConditionsInput {
    fn parse(self) -> AppResult<Conditions> {
        Ok(Conditions {
            categories: self.categories.unwrap_or_default(),
            score_min: self.score_min.map(score),
            score_max: self.score_max.map(score),
            contact_roles: self.contact_roles.unwrap_or_default(),
            segments: self.segments.unwrap_or_default(),
            mrr_min_cents: self.mrr_min_cents,
            mrr_max_cents: self.mrr_max_cents,
            no_open_project_from: self
                .no_open_project_from
                .map(|t| t.parse("conditions.noOpenProjectFrom"))
                .transpose()?,
            frequency: self.frequency.map(|f| Frequency {
                days: f.days,
                per: f.per,
            }),
        })
    }
}

/// A score as given; out-of-range values stay out of range so the check names them.
fn score(raw: i32) -> i16 {
    i16::try_from(raw).unwrap_or(i16::MAX)
}

impl TemplateRefInput {
    fn parse(self, field: &'static str) -> AppResult<TemplateRef> {
        match self {
            TemplateRefInput::TemplateId(id) => Ok(TemplateRef::Id(parse_id(field, &id)?)),
            TemplateRefInput::BuiltinKey(key) => Ok(TemplateRef::Builtin(key)),
        }
    }
}

impl PlaybookActionInput {
    fn parse(self) -> AppResult<Action> {
        Ok(match self {
            PlaybookActionInput::StartProject(a) => Action::StartProject {
                template: a.template.parse("actions.startProject.template")?,
                severity: a.severity,
                attach_to_open_project: a.attach_to_open_project,
            },
            PlaybookActionInput::SendEmail(a) => Action::SendEmail {
                template: a.template.as_str().to_owned(),
                hold_for_review: a.hold_for_review,
            },
            PlaybookActionInput::CreateTask(a) => Action::CreateTask {
                title: a.title,
                description: a.description,
                due_in_days: a.due_in_days,
                assignee: target(a.assignee, a.member_id, "actions.createTask.memberId")?,
                priority: a.priority,
            },
            PlaybookActionInput::NotifyMember(a) => Action::NotifyMember {
                target: target(a.target, a.member_id, "actions.notifyMember.memberId")?,
                message: a.message,
            },
            PlaybookActionInput::ScheduleFollowUp(a) => Action::ScheduleFollowUp {
                after_days: a.after_days,
            },
            PlaybookActionInput::SkipFollowUp(a) => Action::SkipFollowUp { reason: a.reason },
        })
    }
}

fn target(rule: MemberRule, member_id: Option<ID>, field: &'static str) -> AppResult<MemberTarget> {
    Ok(MemberTarget {
        rule,
        member_id: member_id.map(|id| parse_id(field, &id)).transpose()?,
    })
}
