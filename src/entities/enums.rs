//! The enumerations of the data model. Each is stored as its variant's name in snake_case (at
//! most 32 characters, the width of its column) and doubles as the GraphQL enum of the same name,
//! so the database, the API and the code share one list of values.

use sea_orm::entity::prelude::*;

/// What a team member may do in a workspace.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum MemberRole {
    Admin,
    Manager,
    Csm,
    Viewer,
}

/// The part a contact plays at their account.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    Admin,
    Champion,
    User,
}

/// Where an NPS score falls, by the workspace's detractor and passive thresholds.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    Detractor,
    Passive,
    Promoter,
}

/// What a project (or the template it came from) is for.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum ProjectKind {
    NpsDetractor,
    NpsPromoter,
    Custom,
}

/// How a task made from a template finds its assignee.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum AssigneeRule {
    AccountOwner,
    OwnerManager,
    Member,
}

/// How urgently a task needs doing.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    Low,
    Normal,
    High,
    Urgent,
}

/// Where a project stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum ProjectStatus {
    Active,
    Completed,
    Cancelled,
}

/// How serious the situation behind a project is.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Normal,
    High,
}

/// Where a task stands; open, in progress and blocked tasks still need someone.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum TaskStatus {
    Open,
    InProgress,
    Blocked,
    Done,
    Cancelled,
}

impl TaskStatus {
    /// Whether the task still waits on someone: it counts towards workloads and can escalate.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::InProgress | Self::Blocked)
    }
}

/// Whether a conversation came from the customer or went to them.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum ConversationDirection {
    Inbound,
    Outbound,
}

/// How a conversation with a customer took place.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum ConversationChannel {
    Email,
    Call,
    Meeting,
    Chat,
}

/// Where an email in the outbox is on its way out.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum OutboxStatus {
    Pending,
    Held,
    Sending,
    Sent,
    Failed,
    Discarded,
}

/// What a playbook reacts to.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum PlaybookTrigger {
    NpsResponseRecorded,
    ProjectCompleted,
    TaskOverdue,
}

/// What became of a playbook whose conditions held for an event.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum PlaybookRunOutcome {
    /// Its actions ran.
    Fired,
    /// Held back: the playbook is snoozed for the account.
    Snoozed,
    /// Held back: it fired for the account or contact too recently.
    RateLimited,
}

/// Where a follow-up after a completed project stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum FollowUpStatus {
    /// Waiting for its due time.
    Scheduled,
    /// Its email was queued.
    Sent,
    /// The project was reopened before it went out.
    Cancelled,
    /// Not sent on purpose: a playbook said so, or the contact may not be emailed.
    Skipped,
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    fn stored<E: ActiveEnum<Value = String>>() -> Vec<String> {
        E::iter().map(|variant| variant.to_value()).collect()
    }

    #[test]
    fn enums_are_stored_as_the_lowercase_words_of_the_data_model() {
        assert_eq!(
            stored::<MemberRole>(),
            ["admin", "manager", "csm", "viewer"]
        );
        assert_eq!(stored::<ContactRole>(), ["admin", "champion", "user"]);
        assert_eq!(
            stored::<NpsCategory>(),
            ["detractor", "passive", "promoter"]
        );
        assert_eq!(
            stored::<ProjectKind>(),
            ["nps_detractor", "nps_promoter", "custom"]
        );
        assert_eq!(
            stored::<AssigneeRule>(),
            ["account_owner", "owner_manager", "member"]
        );
        assert_eq!(
            stored::<TaskPriority>(),
            ["low", "normal", "high", "urgent"]
        );
        assert_eq!(
            stored::<ProjectStatus>(),
            ["active", "completed", "cancelled"]
        );
        assert_eq!(stored::<Severity>(), ["low", "normal", "high"]);
        assert_eq!(
            stored::<TaskStatus>(),
            ["open", "in_progress", "blocked", "done", "cancelled"]
        );
        assert_eq!(stored::<ConversationDirection>(), ["inbound", "outbound"]);
        assert_eq!(
            stored::<ConversationChannel>(),
            ["email", "call", "meeting", "chat"]
        );
        assert_eq!(
            stored::<OutboxStatus>(),
            ["pending", "held", "sending", "sent", "failed", "discarded"]
        );
        assert_eq!(
            stored::<PlaybookTrigger>(),
            ["nps_response_recorded", "project_completed", "task_overdue"]
        );
        assert_eq!(
            stored::<PlaybookRunOutcome>(),
            ["fired", "snoozed", "rate_limited"]
        );
        assert_eq!(
            stored::<FollowUpStatus>(),
            ["scheduled", "sent", "cancelled", "skipped"]
        );
    }

    #[test]
    fn open_in_progress_and_blocked_tasks_are_open() {
        let open: Vec<_> = TaskStatus::iter().filter(|s| s.is_open()).collect();

        assert_eq!(
            open,
            [
                TaskStatus::Open,
                TaskStatus::InProgress,
                TaskStatus::Blocked
            ]
        );
    }
}
