//! The playbooks every workspace starts with, as the NPS Detractor Blueprint prescribes:
//!
//! - a detractor starts the NPS Detractor blueprint, with high severity when the contact is
//!   an admin or champion of their account and normal otherwise; a detractor answering while
//!   that project is still open is attached to it instead; the detractor hears from the
//!   account owner that their feedback was seen;
//! - a promoter is thanked by their CSM with an advocacy ask, and the CSM gets a task to
//!   follow up on that interest.
//!
//! Passives get nothing by default. Built-ins can be edited and disabled, not deleted, and
//! are found again by `builtin_key`, so installing them is idempotent.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::model::{Action, Conditions, MemberRule, MemberTarget, SeverityRule, TemplateRef};
use super::service::{PlaybookSpec, insert};
use crate::db;
use crate::email::templates::TemplateKey;
use crate::entities::enums::{NpsCategory, PlaybookTrigger, TaskPriority};
use crate::entities::{playbook, workspace};
use crate::error::AppResult;
use crate::templates::builtin::NPS_DETRACTOR;
use crate::values::Name;

/// `builtin_key` of the detractor playbook.
pub const DETRACTOR_PLAYBOOK: &str = "nps_detractor";
/// `builtin_key` of the promoter playbook.
pub const PROMOTER_PLAYBOOK: &str = "nps_promoter";
/// The title of the task the promoter playbook gives the CSM.
pub const ADVOCACY_TASK_TITLE: &str = "Follow up on advocacy interest";
/// Days the CSM has for that task.
pub const ADVOCACY_TASK_DAYS: i32 = 3;

fn detractor() -> AppResult<PlaybookSpec> {
    Ok(PlaybookSpec {
        name: Name::parse("name", "Detractor recovery")?,
        trigger: PlaybookTrigger::NpsResponseRecorded,
        conditions: responses_in(NpsCategory::Detractor),
        actions: vec![
            Action::StartProject {
                template: TemplateRef::Builtin(NPS_DETRACTOR.to_owned()),
                severity: SeverityRule::ByContactRole,
                attach_to_open_project: true,
            },
            Action::SendEmail {
                template: TemplateKey::DetractorAcknowledgement.as_str().to_owned(),
                hold_for_review: false,
            },
        ],
        enabled: true,
    })
}

fn promoter() -> AppResult<PlaybookSpec> {
    Ok(PlaybookSpec {
        name: Name::parse("name", "Promoter thank-you and advocacy")?,
        trigger: PlaybookTrigger::NpsResponseRecorded,
        conditions: responses_in(NpsCategory::Promoter),
        actions: vec![
            Action::SendEmail {
                template: TemplateKey::PromoterThankYou.as_str().to_owned(),
                hold_for_review: false,
            },
            Action::CreateTask {
                title: ADVOCACY_TASK_TITLE.to_owned(),
                description: Some("The contact was thanked and asked about a case study, a review or a referral: see what they answered and take it from there.".to_owned()),
                due_in_days: ADVOCACY_TASK_DAYS,
                assignee: MemberTarget {
                    rule: MemberRule::AccountOwner,
                    member_id: None,
                },
                priority: TaskPriority::Normal,
            },
        ],
        enabled: true,
    })
}

fn responses_in(category: NpsCategory) -> Conditions {
    Conditions {
        categories: vec![category],
        ..Conditions::default()
    }
}

/// Writes the built-in playbooks the workspace does not have yet. Part of creating a
/// workspace, and of every start (for workspaces made before a playbook shipped).
pub async fn install(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let present: Vec<Option<String>> = playbook::Entity::find()
        .select_only()
        .column(playbook::Column::BuiltinKey)
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook::Column::BuiltinKey.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    for (key, spec) in [
        (DETRACTOR_PLAYBOOK, detractor()?),
        (PROMOTER_PLAYBOOK, promoter()?),
    ] {
        if present.iter().flatten().any(|k| k == key) {
            continue;
        }
        let playbook = insert(db, workspace_id, Some(key), spec, now).await?;
        tracing::info!(playbook.id = %playbook.id, workspace.id = %workspace_id, playbook.builtin_key = key, "built-in playbook installed");
    }
    Ok(())
}

/// Installs missing built-in playbooks in every workspace, one transaction per workspace.
pub async fn install_everywhere(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<()> {
    let ids: Vec<Uuid> = workspace::Entity::find()
        .select_only()
        .column(workspace::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for workspace_id in ids {
        let txn = db::begin_write(db).await?;
        install(&txn, workspace_id, now).await?;
        txn.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbooks::model::check_actions;

    #[test]
    fn built_in_playbooks_pass_their_own_validation() {
        for spec in [detractor(), promoter()] {
            let spec = spec.expect("built-in playbook");
            assert!(spec.conditions.check().is_ok(), "{}", spec.name.as_str());
            assert!(
                check_actions(&spec.actions).is_ok(),
                "{}",
                spec.name.as_str()
            );
        }
    }
}
