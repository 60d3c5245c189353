//! What a playbook says, as typed values: the conditions that must all hold and the actions
//! that run in order. They are stored as JSON in the `conditions` and `actions` columns of
//! `playbooks`, and only ever written after [`Conditions::check`] and [`Action::check`]
//! passed, so a stored playbook is always one the engine can run.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::email::templates::{Audience, TemplateKey};
use crate::entities::enums::{ContactRole, NpsCategory, PlaybookTrigger, TaskPriority};
use crate::entities::playbook;
use crate::error::{AppError, AppResult};
use crate::values::{Name, Text};

/// At most this many actions per playbook.
pub const MAX_ACTIONS: usize = 20;
/// The longest frequency window and task due offset, in days.
pub const MAX_DAYS: i32 = 3650;
/// The longest delay of a follow-up, in days (as the workspace setting).
pub const MAX_FOLLOW_UP_DAYS: i32 = 365;

/// A project template, named by id or by the key of a built-in blueprint (which every
/// workspace has, so a playbook can name it before knowing the workspace's id for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TemplateRef {
    Id(Uuid),
    Builtin(String),
}

/// Whose firings count against [`Frequency`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(name = "PlaybookFrequencyScope")]
pub enum FrequencyScope {
    Account,
    Contact,
}

/// "Fire at most once in `days` days for the same account (or contact)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Frequency {
    pub days: i32,
    pub per: FrequencyScope,
}

/// Everything that must hold for a playbook to fire; an empty set or a missing bound
/// does not restrict. Category and score are those of the event's NPS response (the
/// response itself, or the one that started the project behind a project or task event);
/// without one, a condition on them does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Conditions {
    pub categories: Vec<NpsCategory>,
    pub score_min: Option<i16>,
    pub score_max: Option<i16>,
    pub contact_roles: Vec<ContactRole>,
    pub segments: Vec<String>,
    pub mrr_min_cents: Option<i64>,
    pub mrr_max_cents: Option<i64>,
    /// Holds only when the account has no active project from this template.
    pub no_open_project_from: Option<TemplateRef>,
    pub frequency: Option<Frequency>,
}

/// How `START_PROJECT` picks the project's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(name = "ProjectSeverityRule")]
pub enum SeverityRule {
    Low,
    Normal,
    High,
    /// High when the contact is an admin or champion of their account, else normal.
    ByContactRole,
}

/// Which team member an action means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(name = "PlaybookMemberRule")]
pub enum MemberRule {
    AccountOwner,
    /// The owner's manager, or the owner when they have none.
    OwnerManager,
    /// The workspace's head of CS.
    HeadOfCs,
    /// The member named by the action.
    Member,
}

/// A team member by rule, with the member the `MEMBER` rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberTarget {
    pub rule: MemberRule,
    pub member_id: Option<Uuid>,
}

/// One step of a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    #[serde(rename_all = "camelCase")]
    StartProject {
        template: TemplateRef,
        severity: SeverityRule,
        /// Attach the event's response to the account's active project from this template,
        /// when there is one, instead of starting another.
        attach_to_open_project: bool,
    },
    /// A customer-facing email to the event's contact, from the account owner.
    #[serde(rename_all = "camelCase")]
    SendEmail {
        template: String,
        hold_for_review: bool,
    },
    #[serde(rename_all = "camelCase")]
    CreateTask {
        title: String,
        description: Option<String>,
        due_in_days: i32,
        assignee: MemberTarget,
        priority: TaskPriority,
    },
    /// An activity record and an internal email (`MemberNotification`) to a team member.
    #[serde(rename_all = "camelCase")]
    NotifyMember {
        target: MemberTarget,
        message: Option<String>,
    },
    /// The completed project's follow-up email goes out this many days after completion,
    /// instead of after the workspace's delay (`PROJECT_COMPLETED` only).
    #[serde(rename_all = "camelCase")]
    ScheduleFollowUp { after_days: i32 },
    /// The completed project gets no follow-up email (`PROJECT_COMPLETED` only).
    #[serde(rename_all = "camelCase")]
    SkipFollowUp { reason: Option<String> },
}

impl Conditions {
    /// Checks what can be checked without the database (templates are checked by the
    /// service).
    pub fn check(&self) -> AppResult<()> {
        for (field, score) in [
            ("conditions.scoreMin", self.score_min),
            ("conditions.scoreMax", self.score_max),
        ] {
            if score.is_some_and(|s| !(0..=10).contains(&s)) {
                return Err(AppError::bad_input(
                    field,
                    format!("`{field}` must be between 0 and 10"),
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.score_min, self.score_max)
            && min > max
        {
            return Err(AppError::bad_input(
                "conditions.scoreMin",
                "`conditions.scoreMin` must not be above `conditions.scoreMax`",
            ));
        }
        self.check_mrr()?;
        if self.segments.iter().any(|s| s.trim().is_empty()) {
            return Err(AppError::bad_input(
                "conditions.segments",
                "`conditions.segments` must not contain empty names",
            ));
        }
        if let Some(frequency) = self.frequency {
            check_days("conditions.frequency.days", frequency.days, 1)?;
        }
        Ok(())
    }

    fn check_mrr(&self) -> AppResult<()> {
        for (field, cents) in [
            ("conditions.mrrMinCents", self.mrr_min_cents),
            ("conditions.mrrMaxCents", self.mrr_max_cents),
        ] {
            if cents.is_some_and(|c| c < 0) {
                return Err(AppError::bad_input(
                    field,
                    format!("`{field}` must not be negative"),
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.mrr_min_cents, self.mrr_max_cents)
            && min > max
        {
            return Err(AppError::bad_input(
                "conditions.mrrMinCents",
                "`conditions.mrrMinCents` must not be above `conditions.mrrMaxCents`",
            ));
        }
        Ok(())
    }
}

impl Action {
    /// Checks what can be checked without the database.
    pub fn check(&self) -> AppResult<()> {
        match self {
            Action::StartProject { .. } => Ok(()),
            Action::SendEmail { template, .. } => email_template(template).map(|_| ()),
            Action::CreateTask {
                title,
                description,
                due_in_days,
                assignee,
                ..
            } => {
                Name::parse("actions.createTask.title", title)?;
                if let Some(description) = description {
                    Text::parse("actions.createTask.description", description)?;
                }
                check_days("actions.createTask.dueInDays", *due_in_days, 0)?;
                assignee.check("actions.createTask.memberId")
            }
            Action::NotifyMember { target, message } => {
                if let Some(message) = message {
                    Text::parse_required("actions.notifyMember.message", message)?;
                }
                target.check("actions.notifyMember.memberId")
            }
            Action::ScheduleFollowUp { after_days } => {
                let field = "actions.scheduleFollowUp.afterDays";
                if (1..=MAX_FOLLOW_UP_DAYS).contains(after_days) {
                    Ok(())
                } else {
                    Err(AppError::bad_input(
                        field,
                        format!("`{field}` must be between 1 and {MAX_FOLLOW_UP_DAYS}"),
                    ))
                }
            }
            Action::SkipFollowUp { reason } => {
                if let Some(reason) = reason {
                    Name::parse("actions.skipFollowUp.reason", reason)?;
                }
                Ok(())
            }
        }
    }

    /// Whether the action only makes sense for a completed project.
    fn needs_completed_project(&self) -> bool {
        matches!(
            self,
            Action::ScheduleFollowUp { .. } | Action::SkipFollowUp { .. }
        )
    }

    /// The action's name as the API spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::StartProject { .. } => "START_PROJECT",
            Action::SendEmail { .. } => "SEND_EMAIL",
            Action::CreateTask { .. } => "CREATE_TASK",
            Action::NotifyMember { .. } => "NOTIFY_MEMBER",
            Action::ScheduleFollowUp { .. } => "SCHEDULE_FOLLOW_UP",
            Action::SkipFollowUp { .. } => "SKIP_FOLLOW_UP",
        }
    }
}

impl MemberTarget {
    fn check(&self, field: &'static str) -> AppResult<()> {
        match (self.rule, self.member_id) {
            (MemberRule::Member, None) => Err(AppError::bad_input(
                field,
                format!("`{field}` is required when the rule is MEMBER"),
            )),
            (MemberRule::Member, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(AppError::bad_input(
                field,
                format!("`{field}` is only allowed when the rule is MEMBER"),
            )),
        }
    }
}

/// The customer-facing email template a `SEND_EMAIL` action names.
pub fn email_template(raw: &str) -> AppResult<TemplateKey> {
    let field = "actions.sendEmail.template";
    let key = TemplateKey::parse(raw)
        .ok_or_else(|| AppError::bad_input(field, format!("unknown email template `{raw}`")))?;
    if key.audience() != Audience::Customer {
        return Err(AppError::bad_input(
            field,
            format!("`{raw}` is an internal template; SEND_EMAIL sends to the customer"),
        ));
    }
    Ok(key)
}

/// Checks the list of actions as a whole and each action in it.
pub fn check_actions(actions: &[Action]) -> AppResult<()> {
    if actions.is_empty() {
        return Err(AppError::bad_input(
            "actions",
            "a playbook needs at least one action",
        ));
    }
    if actions.len() > MAX_ACTIONS {
        return Err(AppError::bad_input(
            "actions",
            format!("a playbook has at most {MAX_ACTIONS} actions"),
        ));
    }
    actions.iter().try_for_each(Action::check)
}

/// Follow-up actions set the follow-up of a completed project, so only `PROJECT_COMPLETED`
/// playbooks may have them.
pub fn check_trigger(trigger: PlaybookTrigger, actions: &[Action]) -> AppResult<()> {
    match actions.iter().find(|a| a.needs_completed_project()) {
        Some(action) if trigger != PlaybookTrigger::ProjectCompleted => Err(AppError::bad_input(
            "actions",
            format!(
                "{} only goes with the PROJECT_COMPLETED trigger",
                action.kind()
            ),
        )),
        _ => Ok(()),
    }
}

fn check_days(field: &'static str, days: i32, min: i32) -> AppResult<()> {
    if (min..=MAX_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(AppError::bad_input(
            field,
            format!("`{field}` must be between {min} and {MAX_DAYS}"),
        ))
    }
}

/// The conditions and actions of a stored playbook. A row that does not parse was not
/// written by this code: an internal error, not the caller's.
pub fn parse_stored(row: &playbook::Model) -> AppResult<(Conditions, Vec<Action>)> {
    let conditions = serde_json::from_value(row.conditions.clone()).map_err(AppError::internal)?;
    let actions = serde_json::from_value(row.actions.clone()).map_err(AppError::internal)?;
    Ok((conditions, actions))
}

pub fn to_json<T: Serialize>(value: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(value).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actions_are_stored_tagged_by_type_and_read_back_unchanged() {
        let action = Action::StartProject {
            template: TemplateRef::Builtin("nps_detractor".into()),
            severity: SeverityRule::ByContactRole,
            attach_to_open_project: true,
        };

        let stored = to_json(&action).expect("serialises");

        assert_eq!(
            stored,
            json!({ "type": "START_PROJECT", "template": { "builtin": "nps_detractor" },
                "severity": "by_contact_role", "attachToOpenProject": true })
        );
        assert_eq!(serde_json::from_value::<Action>(stored).ok(), Some(action));
    }

    #[test]
    fn missing_conditions_read_as_no_restriction() {
        let conditions: Conditions = serde_json::from_value(json!({})).expect("parses");

        assert_eq!(conditions, Conditions::default());
        assert!(conditions.check().is_ok());
    }

    #[test]
    fn follow_up_actions_are_refused_outside_project_completed_playbooks() {
        let actions = [Action::ScheduleFollowUp { after_days: 14 }];

        let on_responses = check_trigger(PlaybookTrigger::NpsResponseRecorded, &actions);
        let on_completion = check_trigger(PlaybookTrigger::ProjectCompleted, &actions);

        assert_eq!(on_responses.err().map(|e| e.code()), Some("BAD_USER_INPUT"));
        assert!(on_completion.is_ok());
    }

    #[test]
    fn a_follow_up_delay_must_be_between_one_day_and_a_year() {
        let delay = |after_days| Action::ScheduleFollowUp { after_days }.check().is_ok();

        assert_eq!(
            [delay(0), delay(1), delay(365), delay(366)],
            [false, true, true, false]
        );
    }

    #[test]
    fn send_email_refuses_internal_templates() {
        let action = Action::SendEmail {
            template: "escalation_assignee".into(),
            hold_for_review: false,
        };

        assert_eq!(
            action.check().err().map(|e| e.code()),
            Some("BAD_USER_INPUT")
        );
    }
}
