//! Who the assignee rules of blueprint tasks point at, for one account owner.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::enums::AssigneeRule;
use crate::entities::team_member;
use crate::error::AppResult;

/// The members the rules resolve to for an owner: the owner, and the owner's manager
/// (the owner again when they have no manager, so the task still has someone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleAssignees {
    pub owner: Option<Uuid>,
    pub owner_manager: Option<Uuid>,
}

impl RuleAssignees {
    pub async fn for_owner(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        owner: Option<Uuid>,
    ) -> AppResult<RuleAssignees> {
        let manager = match owner {
            Some(id) => team_member::Entity::find_by_id(id)
                .filter(team_member::Column::WorkspaceId.eq(workspace_id))
                .one(db)
                .await?
                .and_then(|member| member.manager_id),
            None => None,
        };
        Ok(RuleAssignees::with_manager(owner, manager))
    }

    /// The rules for an owner whose manager (if any) is known already.
    pub fn with_manager(owner: Option<Uuid>, manager: Option<Uuid>) -> RuleAssignees {
        RuleAssignees {
            owner,
            owner_manager: manager.or(owner),
        }
    }

    /// The assignee for a rule; `member` is the template's named member, for whom the
    /// owner stands in once that member has left the workspace.
    pub fn for_rule(&self, rule: AssigneeRule, member: Option<Uuid>) -> Option<Uuid> {
        match rule {
            AssigneeRule::AccountOwner => self.owner,
            AssigneeRule::OwnerManager => self.owner_manager,
            AssigneeRule::Member => member.or(self.owner),
        }
    }
}
