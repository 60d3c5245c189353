//! Inputs for creating and editing templates, and their validation into service types.

use async_graphql::{ID, InputObject, MaybeUndefined};

use crate::entities::enums::{AssigneeRule, ProjectKind, TaskPriority};
use crate::error::AppResult;
use crate::graphql::inputs::optional;
use crate::templates::service::{
    Assignment, DueOffsetDays, MilestoneChanges, NewMilestone, NewTaskTemplate, NewTemplate,
    TaskChanges, TemplateChanges,
};
use crate::values::{Name, Text, parse_id};

/// A whole template at once: its milestones and their task templates, in order.
#[derive(InputObject)]
pub struct CreateProjectTemplateInput {
    pub name: String,
    #[graphql(default_with = "ProjectKind::Custom")]
    pub kind: ProjectKind,
    pub description: Option<String>,
    #[graphql(default)]
    pub milestones: Vec<TemplateMilestoneInput>,
}

#[derive(InputObject)]
pub struct TemplateMilestoneInput {
    pub title: String,
    pub description: Option<String>,
    #[graphql(default)]
    pub tasks: Vec<TemplateTaskInput>,
}

#[derive(InputObject)]
pub struct TemplateTaskInput {
    pub title: String,
    pub description: Option<String>,
    /// Days from the project's start to the due date, 0 to 365.
    #[graphql(default)]
    pub due_offset_days: i32,
    #[graphql(default_with = "AssigneeRule::AccountOwner")]
    pub assignee_rule: AssigneeRule,
    /// Required with the MEMBER rule, refused with the others.
    pub assignee_member_id: Option<ID>,
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
}

/// Leave a field out to keep it; set `description` to null to remove it.
#[derive(InputObject)]
pub struct UpdateProjectTemplateInput {
    pub name: Option<String>,
    /// Built-in templates keep their kind.
    pub kind: Option<ProjectKind>,
    pub description: MaybeUndefined<String>,
}

/// Leave a field out to keep it; set `description` to null to remove it.
#[derive(InputObject)]
pub struct UpdateTemplateMilestoneInput {
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
}

/// Leave a field out to keep it. Switching the rule away from MEMBER drops the member.
#[derive(InputObject)]
pub struct UpdateTemplateTaskInput {
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub due_offset_days: Option<i32>,
    pub assignee_rule: Option<AssigneeRule>,
    pub assignee_member_id: MaybeUndefined<ID>,
    pub priority: Option<TaskPriority>,
}

/// A description as stored: blank text is no description.
fn description(raw: String) -> AppResult<Option<Text>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    Text::parse("description", &raw).map(Some)
}

fn title(raw: &str) -> AppResult<Name> {
    Name::parse("title", raw)
}

impl CreateProjectTemplateInput {
    pub fn parse(self) -> AppResult<NewTemplate> {
        Ok(NewTemplate {
            name: Name::parse("name", &self.name)?,
            kind: self.kind,
            description: self.description.map(description).transpose()?.flatten(),
            milestones: self
                .milestones
                .into_iter()
                .map(TemplateMilestoneInput::parse)
                .collect::<AppResult<_>>()?,
        })
    }
}

impl TemplateMilestoneInput {
    pub fn parse(self) -> AppResult<NewMilestone> {
        Ok(NewMilestone {
            title: title(&self.title)?,
            description: self.description.map(description).transpose()?.flatten(),
            tasks: self
                .tasks
                .into_iter()
                .map(TemplateTaskInput::parse)
                .collect::<AppResult<_>>()?,
        })
    }
}

impl TemplateTaskInput {
    pub fn parse(self) -> AppResult<NewTaskTemplate> {
        let member_id = self
            .assignee_member_id
            .map(|id| parse_id("assigneeMemberId", &id))
            .transpose()?;
        Ok(NewTaskTemplate {
            title: title(&self.title)?,
            description: self.description.map(description).transpose()?.flatten(),
            due_offset_days: DueOffsetDays::parse("dueOffsetDays", self.due_offset_days)?,
            assignment: Assignment::new(self.assignee_rule, member_id)?,
            priority: self.priority,
        })
    }
}

impl UpdateProjectTemplateInput {
    pub fn parse(self) -> AppResult<TemplateChanges> {
        Ok(TemplateChanges {
            name: self.name.map(|n| Name::parse("name", &n)).transpose()?,
            kind: self.kind,
            description: optional(self.description, description)?.map(Option::flatten),
        })
    }
}

impl UpdateTemplateMilestoneInput {
    pub fn parse(self) -> AppResult<MilestoneChanges> {
        Ok(MilestoneChanges {
            title: self.title.as_deref().map(title).transpose()?,
            description: optional(self.description, description)?.map(Option::flatten),
        })
    }
}

impl UpdateTemplateTaskInput {
    pub fn parse(self) -> AppResult<TaskChanges> {
        Ok(TaskChanges {
            title: self.title.as_deref().map(title).transpose()?,
            description: optional(self.description, description)?.map(Option::flatten),
            due_offset_days: self
                .due_offset_days
                .map(|d| DueOffsetDays::parse("dueOffsetDays", d))
                .transpose()?,
            assignee_rule: self.assignee_rule,
            assignee_member_id: optional(self.assignee_member_id, |id| {
                parse_id("assigneeMemberId", &id)
            })?,
            priority: self.priority,
        })
    }
}
