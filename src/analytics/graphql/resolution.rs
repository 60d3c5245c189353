//! The GraphQL `DetractorResolution` and its figures.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::analytics::follow_ups::{self, AfterProjects};
use crate::analytics::nps::tenths;
use crate::analytics::resolution::{self, Completion, FirstContact, Recovery};
use crate::analytics::scope::Selection;
use crate::graphql::ContextExt;

/// What happened after the detractor responses of a scope and window. Each field is one
/// aggregate query, run only when asked for.
pub struct DetractorResolution {
    selection: Selection,
    now: DateTime<Utc>,
}

impl DetractorResolution {
    pub fn new(selection: Selection, now: DateTime<Utc>) -> Self {
        DetractorResolution { selection, now }
    }
}

#[Object]
impl DetractorResolution {
    /// The start of the window (included).
    async fn from(&self) -> DateTime<Utc> {
        self.selection.window.from
    }

    /// The end of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.selection.window.to
    }

    /// How soon someone reached out: the first outbound conversation with the
    /// response's contact at or after the response.
    async fn first_contact(&self, ctx: &Context<'_>) -> Result<FirstContactFigures> {
        Ok(resolution::first_contact(ctx.db()?, &self.selection)
            .await?
            .into())
    }

    /// The projects the detractor responses triggered: how many completed, how soon,
    /// and whether within their due dates.
    async fn projects(&self, ctx: &Context<'_>) -> Result<ProjectCompletionFigures> {
        Ok(resolution::completion(ctx.db()?, &self.selection, self.now)
            .await?
            .into())
    }

    /// How many detractors answered a later survey as a passive or promoter.
    async fn recovery(&self, ctx: &Context<'_>) -> Result<RecoveryFigures> {
        Ok(resolution::recovery(ctx.db()?, &self.selection)
            .await?
            .into())
    }

    /// After the projects: follow-ups sent, and later answers linked to the projects.
    async fn after_projects(&self, ctx: &Context<'_>) -> Result<AfterProjectFigures> {
        Ok(follow_ups::after_projects(ctx.db()?, &self.selection)
            .await?
            .into())
    }
}

/// Detractors reached, and how many hours after their response.
#[derive(SimpleObject, Clone, Copy)]
pub struct FirstContactFigures {
    /// Detractor responses in the window (one per response, not per contact).
    pub detractors: i64,
    /// Responses followed by an outbound conversation with their contact.
    pub reached: i64,
    pub not_reached: i64,
    /// Hours from the response to the first contact, over the reached ones, to two
    /// decimals; null when none was reached.
    pub average_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

impl From<FirstContact> for FirstContactFigures {
    fn from(first: FirstContact) -> Self {
        FirstContactFigures {
            detractors: first.detractors,
            reached: first.hours.measured,
            not_reached: first.detractors - first.hours.measured,
            average_hours: first.hours.average_hours,
            median_hours: first.hours.median_hours,
        }
    }
}

/// The projects detractor responses triggered (through their `triggeringResponseId`).
#[derive(SimpleObject, Clone, Copy)]
pub struct ProjectCompletionFigures {
    pub projects: i64,
    pub completed: i64,
    /// Still open.
    pub active: i64,
    pub cancelled: i64,
    /// Hours from the response to the project's completion, over completed projects, to
    /// two decimals; null when none completed.
    pub average_hours_to_complete: Option<f64>,
    pub median_hours_to_complete: Option<f64>,
    /// Projects with a verdict on their due dates: completed ones and active ones whose
    /// latest task due date has passed, when their tasks have a due date at all.
    pub judged: i64,
    /// Judged projects completed at or before the latest due date of their tasks.
    pub on_time: i64,
    /// Judged projects completed after it, or still open after it.
    pub late: i64,
    /// `onTime` as a percent of `judged` (0 to 100), to one decimal; null when none is
    /// judged.
    pub on_time_percent: Option<f64>,
}

impl From<Completion> for ProjectCompletionFigures {
    fn from(completion: Completion) -> Self {
        ProjectCompletionFigures {
            projects: completion.projects,
            completed: completion.completed,
            active: completion.active,
            cancelled: completion.cancelled,
            average_hours_to_complete: completion.hours.average_hours,
            median_hours_to_complete: completion.hours.median_hours,
            judged: completion.judged,
            on_time: completion.on_time,
            late: completion.judged - completion.on_time,
            on_time_percent: percent(completion.on_time, completion.judged),
        }
    }
}

/// Detractors who answered again, and how.
#[derive(SimpleObject, Clone, Copy)]
pub struct RecoveryFigures {
    /// Detractor responses in the window (one per response, not per contact).
    pub detractors: i64,
    /// Responses whose contact answered a later survey (not excluded), at any score.
    pub resurveyed: i64,
    /// Responses whose contact answered a later survey as a passive or promoter.
    pub recovered: i64,
    /// `recovered` as a percent of `detractors` (0 to 100), to one decimal; null without
    /// detractors.
    pub recovered_percent: Option<f64>,
}

impl From<Recovery> for RecoveryFigures {
    fn from(recovery: Recovery) -> Self {
        RecoveryFigures {
            detractors: recovery.detractors,
            resurveyed: recovery.resurveyed,
            recovered: recovery.recovered,
            recovered_percent: percent(recovery.recovered, recovery.detractors),
        }
    }
}

/// What followed the projects detractor responses started: the follow-up email, and the
/// contact's later answers linked to the project (`NpsResponse.followsProject`).
#[derive(SimpleObject, Clone, Copy)]
pub struct AfterProjectFigures {
    pub projects: i64,
    pub completed: i64,
    /// Projects whose follow-up email was sent.
    pub followed_up: i64,
    /// Projects whose contact answered again afterwards (a response linked to the project,
    /// not excluded).
    pub answered_again: i64,
    /// Projects whose contact answered again as a passive or promoter.
    pub recovered: i64,
    /// `recovered` as a percent of `answeredAgain` (0 to 100), to one decimal; null when
    /// no contact answered again.
    pub recovered_percent: Option<f64>,
}

impl From<AfterProjects> for AfterProjectFigures {
    fn from(after: AfterProjects) -> Self {
        AfterProjectFigures {
            projects: after.projects,
            completed: after.completed,
            followed_up: after.followed_up,
            answered_again: after.answered_again,
            recovered: after.recovered,
            recovered_percent: percent(after.recovered, after.answered_again),
        }
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts of responses and projects stay far below 2^52"
    )]
    (whole > 0).then(|| tenths(part as f64 * 100.0 / whole as f64))
}
