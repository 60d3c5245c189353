use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "template_milestones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub template_id: Uuid,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
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
    #[sea_orm(has_many = "super::template_task::Entity")]
    TemplateTask,
}

impl Related<super::project_template::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Template.def()
    }
}

impl Related<super::template_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TemplateTask.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
