use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workspaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub timezone: String,
    /// Scores up to this value are detractors.
    pub nps_detractor_max: i32,
    /// Scores above the detractor bound and up to this value are passives; higher ones promote.
    pub nps_passive_max: i32,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    /// A team member of this workspace; not a foreign key, which would make a cycle with
    /// `team_members.workspace_id`.
    pub head_of_cs_id: Option<Uuid>,
    pub escalation_policy: Json,
    /// A contact gets at most one customer-facing email from playbooks in this many days;
    /// 0 turns the cap off.
    pub contact_email_cap_days: i32,
    /// How long an email held for review waits before it goes out by itself.
    pub review_window_minutes: i32,
    /// Days after a detractor project completes that its contact gets the follow-up email.
    pub follow_up_delay_days: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::team_member::Entity")]
    TeamMember,
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TeamMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
