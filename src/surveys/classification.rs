//! Classification: which scores make detractors, passives and promoters in a workspace.
//! The ranges are the workspace's to choose (admins change them); a response is classified
//! once, when it arrives, and keeps that category when the ranges change later.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::score::NpsScore;
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::enums::NpsCategory;
use crate::entities::workspace;
use crate::error::{AppError, AppResult};

/// The workspace's ranges: `0..=detractor_max` detractors, up to `passive_max` passives,
/// the rest promoters. Only [`NpsRanges::new`] builds one, so every category has at least
/// one score and together they cover 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpsRanges {
    detractor_max: u8,
    passive_max: u8,
}

/// One category's range as a client gives it, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreRange {
    pub min: i64,
    pub max: i64,
}

impl NpsRanges {
    pub const DEFAULT: NpsRanges = NpsRanges {
        detractor_max: 6,
        passive_max: 8,
    };

    /// Ranges from the three categories' bounds, refused unless they run from 0 to 10 in
    /// order (detractors, passives, promoters) without a gap or an overlap.
    pub fn new(
        detractor: ScoreRange,
        passive: ScoreRange,
        promoter: ScoreRange,
    ) -> AppResult<Self> {
        let named = [
            ("detractor", detractor),
            ("passive", passive),
            ("promoter", promoter),
        ];
        for (field, range) in named {
            if range.min > range.max || range.min < 0 || range.max > 10 {
                return Err(AppError::bad_input(
                    field,
                    format!("`{field}` must be a range within 0 to 10 with min ≤ max"),
                ));
            }
        }
        check_adjacent(0, detractor.min, "detractor", "start at 0")?;
        check_adjacent(
            detractor.max + 1,
            passive.min,
            "passive",
            "start right after the detractor range",
        )?;
        check_adjacent(
            passive.max + 1,
            promoter.min,
            "promoter",
            "start right after the passive range",
        )?;
        check_adjacent(10, promoter.max, "promoter", "end at 10")?;
        NpsRanges::from_bounds(detractor.max, passive.max)
    }

    /// The ranges stored on a workspace.
    pub fn of(workspace: &workspace::Model) -> AppResult<Self> {
        NpsRanges::from_bounds(
            i64::from(workspace.nps_detractor_max),
            i64::from(workspace.nps_passive_max),
        )
        .map_err(|_| {
            AppError::internal(anyhow::anyhow!(
                "workspace {} has invalid NPS ranges",
                workspace.id
            ))
        })
    }

    fn from_bounds(detractor_max: i64, passive_max: i64) -> AppResult<Self> {
        let valid = 0 <= detractor_max && detractor_max < passive_max && passive_max < 10;
        match (u8::try_from(detractor_max), u8::try_from(passive_max)) {
            (Ok(detractor_max), Ok(passive_max)) if valid => Ok(NpsRanges {
                detractor_max,
                passive_max,
            }),
            _ => Err(AppError::bad_input(
                "passive",
                "each category needs at least one score",
            )),
        }
    }

    pub fn classify(self, score: NpsScore) -> NpsCategory {
        match score.value() {
            s if s <= self.detractor_max => NpsCategory::Detractor,
            s if s <= self.passive_max => NpsCategory::Passive,
            _ => NpsCategory::Promoter,
        }
    }
}

fn check_adjacent(expected: i64, got: i64, field: &'static str, rule: &str) -> AppResult<()> {
    if expected == got {
        return Ok(());
    }
    let problem = if got > expected {
        "leaves a gap"
    } else {
        "overlaps"
    };
    Err(AppError::bad_input(
        field,
        format!(
            "`{field}` must {rule}: the ranges must cover 0 to 10 without gaps or overlaps (this {problem})"
        ),
    ))
}

/// Sets the workspace's ranges for responses that arrive from now on, and records
/// `workspace.nps_ranges_updated`. Call it in a transaction.
pub async fn update_ranges(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    ranges: NpsRanges,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    let current = crate::workspaces::service::find(db, workspace_id).await?;
    let before = NpsRanges::of(&current)?;
    let mut active: workspace::ActiveModel = current.into();
    active.nps_detractor_max = Set(i32::from(ranges.detractor_max));
    active.nps_passive_max = Set(i32::from(ranges.passive_max));
    active.updated_at = Set(now);
    let workspace = active.update(db).await?;

    let details = json!({
        "from": { "detractorMax": before.detractor_max, "passiveMax": before.passive_max },
        "to": { "detractorMax": ranges.detractor_max, "passiveMax": ranges.passive_max },
    });
    activity::record(
        db,
        Change {
            workspace_id,
            actor_id,
            subject: Subject::Workspace(workspace_id),
            action: "workspace.nps_ranges_updated",
            account_id: None,
            project_id: None,
            task_id: None,
            details,
        },
        now,
    )
    .await?;
    tracing::info!(workspace.id = %workspace_id, nps.detractor_max = ranges.detractor_max, nps.passive_max = ranges.passive_max, "NPS ranges updated");
    Ok(workspace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: i64, max: i64) -> ScoreRange {
        ScoreRange { min, max }
    }

    fn score(value: i64) -> NpsScore {
        NpsScore::parse("score", value).unwrap_or_else(|_| panic!("{value} is a score"))
    }

    #[test]
    fn default_ranges_split_at_six_and_eight() {
        let ranges = NpsRanges::DEFAULT;
        assert_eq!(ranges.classify(score(0)), NpsCategory::Detractor);
        assert_eq!(ranges.classify(score(6)), NpsCategory::Detractor);
        assert_eq!(ranges.classify(score(7)), NpsCategory::Passive);
        assert_eq!(ranges.classify(score(8)), NpsCategory::Passive);
        assert_eq!(ranges.classify(score(9)), NpsCategory::Promoter);
        assert_eq!(ranges.classify(score(10)), NpsCategory::Promoter);
    }

    #[test]
    fn ranges_must_cover_zero_to_ten_without_gaps_or_overlaps() {
        assert!(NpsRanges::new(range(0, 4), range(5, 7), range(8, 10)).is_ok());
        assert!(NpsRanges::new(range(0, 4), range(6, 7), range(8, 10)).is_err());
        assert!(NpsRanges::new(range(0, 5), range(5, 7), range(8, 10)).is_err());
        assert!(NpsRanges::new(range(1, 4), range(5, 7), range(8, 10)).is_err());
        assert!(NpsRanges::new(range(0, 4), range(5, 7), range(8, 11)).is_err());
        assert!(NpsRanges::new(range(0, 4), range(5, 10), range(11, 10)).is_err());
    }
}
