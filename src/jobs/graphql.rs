//! Job runs through the API: when each ran, how it ended, what it counted.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::ledger;
use crate::entities::job_run;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};

/// One run of a scheduled job for the caller's workspace.
#[derive(SimpleObject)]
pub struct JobRun {
    pub id: ID,
    pub job_name: String,
    /// The scheduled time this run stands for (the moment it was asked for, if by hand).
    pub slot: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `succeeded` or `failed`.
    pub outcome: String,
    pub counts: Vec<JobCount>,
    pub error: Option<String>,
}

/// One figure a run counted, such as `escalated` or `digests`.
#[derive(SimpleObject)]
pub struct JobCount {
    pub name: String,
    pub value: i64,
}

impl From<job_run::Model> for JobRun {
    fn from(model: job_run::Model) -> Self {
        let counts = model
            .counts
            .as_object()
            .map(|counts| {
                counts
                    .iter()
                    .map(|(name, value)| JobCount {
                        name: name.clone(),
                        value: value.as_i64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default();
        JobRun {
            id: ID(model.id.to_string()),
            job_name: model.job_name,
            slot: model.slot,
            started_at: model.started_at,
            finished_at: model.finished_at,
            outcome: model.outcome,
            counts,
            error: model.error,
        }
    }
}

#[derive(Default)]
pub struct JobQuery;

#[Object]
impl JobQuery {
    /// Runs of scheduled jobs in the caller's workspace, oldest first; `jobName` picks one
    /// job (`escalation`, `follow_ups`).
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn job_runs(
        &self,
        ctx: &Context<'_>,
        job_name: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, JobRun>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let scope = viewer.workspace_id.to_string();
        let rows = ledger::list(ctx.db()?, &scope, job_name.as_deref(), page).await?;
        Ok(pagination::connection(rows, page, |r| r.id, JobRun::from))
    }
}
