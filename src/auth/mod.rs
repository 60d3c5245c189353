//! Who is asking: API tokens, the viewer they resolve to, and what each role may do.
//!
//! Every request is scoped to the workspace of its token. Roles rank
//! viewer < csm < manager < admin; viewers read, everyone else may change data, and some
//! operations (team, tokens, workspace settings) are for admins only.

pub mod tokens;

use uuid::Uuid;

use crate::entities::enums::MemberRole;
use crate::error::{AppError, AppResult};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub member_id: Uuid,
    pub workspace_id: Uuid,
    pub role: MemberRole,
    pub token_id: Uuid,
}

impl Viewer {
    /// Refuses unless the viewer's role is at least `role`.
    pub fn require(&self, role: MemberRole) -> AppResult<&Viewer> {
        if rank(self.role) >= rank(role) {
            Ok(self)
        } else {
            Err(AppError::Forbidden(format!(
                "this operation needs the {} role or higher",
                role_name(role)
            )))
        }
    }

    /// Refuses viewers: everything that changes data goes through here.
    pub fn require_writer(&self) -> AppResult<&Viewer> {
        self.require(MemberRole::Csm)
    }
}

fn rank(role: MemberRole) -> u8 {
    match role {
        MemberRole::Viewer => 0,
        MemberRole::Csm => 1,
        MemberRole::Manager => 2,
        MemberRole::Admin => 3,
    }
}

fn role_name(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Viewer => "viewer",
        MemberRole::Csm => "csm",
        MemberRole::Manager => "manager",
        MemberRole::Admin => "admin",
    }
}
