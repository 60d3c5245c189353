//! The blueprints every workspace starts with, kept as data: a playbook a CS team would
//! write down, turned into milestones and task templates when a workspace is created.
//! They can be edited afterwards (not deleted), and are found again by their key.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::service::{self, Assignment, DueOffsetDays, NewMilestone, NewTaskTemplate, NewTemplate};
use crate::entities::enums::{AssigneeRule, ProjectKind, TaskPriority};
use crate::error::AppResult;
use crate::values::{Name, Text};

/// `builtin_key` of the NPS Detractor blueprint.
pub const NPS_DETRACTOR: &str = "nps_detractor";
/// `builtin_key` of the NPS Promoter blueprint.
pub const NPS_PROMOTER: &str = "nps_promoter";
/// The title of the detractor task whose lateness the reach-out SLA watches. Stable, so
/// the SLA can find the task in projects started from the blueprint.
pub const REACH_OUT_TASK_TITLE: &str = "Reach out to the contact to acknowledge their feedback";

struct BlueprintSpec {
    key: &'static str,
    kind: ProjectKind,
    name: &'static str,
    description: &'static str,
    milestones: &'static [MilestoneSpec],
}

struct MilestoneSpec {
    title: &'static str,
    description: &'static str,
    tasks: &'static [TaskSpec],
}

struct TaskSpec {
    title: &'static str,
    description: &'static str,
    day: i32,
    rule: AssigneeRule,
    priority: TaskPriority,
}

const fn task(title: &'static str, day: i32, description: &'static str) -> TaskSpec {
    TaskSpec {
        title,
        description,
        day,
        rule: AssigneeRule::AccountOwner,
        priority: TaskPriority::Normal,
    }
}

const DETRACTOR: BlueprintSpec = BlueprintSpec {
    key: NPS_DETRACTOR,
    kind: ProjectKind::NpsDetractor,
    name: "NPS Detractor",
    description: "Recover an unhappy customer: learn why they scored low, fix what can be fixed and close the loop with them.",
    milestones: &[
        MilestoneSpec {
            title: "Research",
            description: "Understand the account before talking to the customer.",
            tasks: &[
                task(
                    "Read the NPS comment and the account's recent history",
                    0,
                    "Read the comment in full, then the latest notes, conversations and open projects on the account.",
                ),
                task(
                    "Check open support tickets and product usage for the last 90 days",
                    1,
                    "Look for unresolved tickets, outages and drops in usage that explain the score.",
                ),
                TaskSpec {
                    priority: TaskPriority::High,
                    ..task(
                        REACH_OUT_TASK_TITLE,
                        1,
                        "Thank the contact for their honesty, say you are looking into it and offer a call.",
                    )
                },
            ],
        },
        MilestoneSpec {
            title: "Address the concerns",
            description: "Talk to the customer and agree on what will change.",
            tasks: &[
                task(
                    "Hold a call to understand the root cause",
                    3,
                    "Ask open questions and let the contact explain; note every concern they raise.",
                ),
                task(
                    "Agree on an action plan with the contact",
                    5,
                    "Send a short written plan with owners and dates, and get the contact to confirm it.",
                ),
                task(
                    "Log product feedback for the product team",
                    5,
                    "Record feature gaps and bugs with the account's name and MRR so they can be prioritised.",
                ),
            ],
        },
        MilestoneSpec {
            title: "Internal follow-up",
            description: "Make sure the rest of the company acts on what was learned.",
            tasks: &[
                TaskSpec {
                    rule: AssigneeRule::OwnerManager,
                    ..task(
                        "Review the case with your manager",
                        7,
                        "Walk through the root cause and the plan; decide whether the account needs more help.",
                    )
                },
                task(
                    "Escalate blockers to the responsible team",
                    7,
                    "Raise anything the plan depends on with support, product or engineering, with a due date.",
                ),
            ],
        },
        MilestoneSpec {
            title: "Close the loop",
            description: "Confirm with the customer that the concern is resolved.",
            tasks: &[
                task(
                    "Confirm the concerns are resolved with the contact",
                    12,
                    "Check in with the contact on each point of the plan and ask whether anything is still open.",
                ),
                task(
                    "Record the outcome and lessons learned",
                    14,
                    "Write down what caused the low score, what fixed it and what to do earlier next time.",
                ),
            ],
        },
    ],
};

const PROMOTER: BlueprintSpec = BlueprintSpec {
    key: NPS_PROMOTER,
    kind: ProjectKind::NpsPromoter,
    name: "NPS Promoter",
    description: "Thank a happy customer and turn their goodwill into advocacy.",
    milestones: &[MilestoneSpec {
        title: "Thank and activate",
        description: "Show the contact their feedback was heard and ask how they would like to help.",
        tasks: &[
            task(
                "Thank the contact personally",
                0,
                "Send a short personal note from the account owner that mentions what they praised.",
            ),
            task(
                "Gauge interest in advocacy: case study, review or referral",
                3,
                "Ask which form of advocacy suits them, without pressure.",
            ),
            task(
                "Record the advocacy opportunity",
                7,
                "Note what the contact agreed to and hand it to marketing if they said yes.",
            ),
        ],
    }],
};

/// Writes the built-in blueprints into a new workspace (part of creating the workspace).
pub async fn install(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for spec in [&DETRACTOR, &PROMOTER] {
        let template =
            service::insert_template(db, workspace_id, Some(spec.key), to_new(spec)?, now).await?;
        tracing::info!(template.id = %template.id, workspace.id = %workspace_id, template.builtin_key = spec.key, "built-in template installed");
    }
    Ok(())
}

fn to_new(spec: &BlueprintSpec) -> AppResult<NewTemplate> {
    let milestones = spec
        .milestones
        .iter()
        .map(to_new_milestone)
        .collect::<AppResult<_>>()?;
    Ok(NewTemplate {
        name: Name::parse("name", spec.name)?,
        kind: spec.kind,
        description: Some(Text::parse("description", spec.description)?),
        milestones,
    })
}

fn to_new_milestone(spec: &MilestoneSpec) -> AppResult<NewMilestone> {
    let tasks = spec
        .tasks
        .iter()
        .map(to_new_task)
        .collect::<AppResult<_>>()?;
    Ok(NewMilestone {
        title: Name::parse("title", spec.title)?,
        description: Some(Text::parse("description", spec.description)?),
        tasks,
    })
}

fn to_new_task(spec: &TaskSpec) -> AppResult<NewTaskTemplate> {
    Ok(NewTaskTemplate {
        title: Name::parse("title", spec.title)?,
        description: Some(Text::parse("description", spec.description)?),
        due_offset_days: DueOffsetDays::parse("dueOffsetDays", spec.day)?,
        assignment: Assignment::new(spec.rule, None)?,
        priority: spec.priority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_blueprints_are_valid_and_due_dates_never_go_backwards() {
        for spec in [&DETRACTOR, &PROMOTER] {
            assert!(to_new(spec).is_ok(), "{} does not validate", spec.key);
            let days: Vec<i32> = spec
                .milestones
                .iter()
                .flat_map(|m| m.tasks.iter().map(|t| t.day))
                .collect();
            assert!(
                days.windows(2).all(|pair| pair[0] <= pair[1]),
                "{}: {days:?}",
                spec.key
            );
        }
    }
}
