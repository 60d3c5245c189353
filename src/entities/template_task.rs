use sea_orm::entity::prelude::*;

use super::enums::{AssigneeRule, TaskPriority};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "template_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub template_id: Uuid,
    pub template_milestone_id: Uuid,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    /// Days from the project's start to the task's due date.
    pub due_offset_days: i32,
    pub assignee_rule: AssigneeRule,
    /// The assignee when `assignee_rule` is `member`.
    pub assignee_member_id: Option<Uuid>,
    pub priority: TaskPriority,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::project_template::Entity",
        from = "Column::TemplateId",
        to = "super::project_template::Column::Id",
        on_delete = "Cascade"
    )]
    Template,
    #[sea_orm(
        belongs_to = "super::template_milestone::Entity",
        from = "Column::TemplateMilestoneId",
        to = "super::template_milestone::Column::Id",
        on_delete = "Cascade"
    )]
    TemplateMilestone,
    #[sea_orm(
        belongs_to = "super::team_member::Entity",
        from = "Column::AssigneeMemberId",
        to = "super::team_member::Column::Id",
        on_delete = "SetNull"
    )]
    AssigneeMember,
}

impl Related<super::project_template::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Template.def()
    }
}

impl Related<super::template_milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TemplateMilestone.def()
    }
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AssigneeMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
