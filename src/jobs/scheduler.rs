//! The scheduler: tokio-cron-scheduler fires a tick every minute on every process, and each
//! tick runs whatever is due by the database's ledger (the escalation, then the follow-ups). The cron only says "look now": when a
//! workspace's run is due comes from its own zone (see `escalation::schedule`), because
//! tokio-cron-scheduler turns a zone into a fixed offset that drifts across daylight-saving
//! changes. The first tick runs at start, which catches up a missed night once.
//!
//! On shutdown no new tick starts; a run under way stops after its current batch, and the
//! process waits for it up to the grace period.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Mutex, watch};
use tokio_cron_scheduler::{Job, JobScheduler};

use super::settings::JobSettings;
use crate::clock::SharedClock;
use crate::escalation::run::{self, BatchObserver, RunOptions};
use crate::escalation::schedule::Schedule;
use crate::follow_ups::job::{self as follow_ups, FollowUpOptions};

/// Every minute, at second 0 (tokio-cron-scheduler's expressions have seconds).
const TICK: &str = "0 * * * * *";

struct Tick {
    db: DatabaseConnection,
    clock: SharedClock,
    schedule: Schedule,
    options: RunOptions,
    follow_up_schedule: Schedule,
    follow_up_options: FollowUpOptions,
    /// Held while a tick runs: one tick at a time per process, and shutdown waits on it.
    busy: Arc<Mutex<()>>,
}

impl Tick {
    async fn run(self: Arc<Self>) {
        let Ok(_running) = self.busy.try_lock() else {
            return;
        };
        if self
            .options
            .stop
            .as_ref()
            .is_some_and(|stop| *stop.borrow())
        {
            return;
        }
        if let Err(error) = run::run_due(&self.db, &self.clock, &self.schedule, &self.options).await
        {
            tracing::warn!(error = ?error, "scheduled escalation tick failed; the next tick tries again");
        }
        let follow_ups = follow_ups::run_due(
            &self.db,
            &self.clock,
            &self.follow_up_schedule,
            &self.follow_up_options,
        );
        if let Err(error) = follow_ups.await {
            tracing::warn!(error = ?error, "scheduled follow-up tick failed; the next tick tries again");
        }
    }
}

/// The running scheduler; [`Scheduler::stop`] ends it.
pub struct Scheduler {
    cron: JobScheduler,
    stop: watch::Sender<bool>,
    busy: Arc<Mutex<()>>,
    grace: Duration,
}

/// Starts the jobs: a catch-up tick now, then one every minute.
pub async fn start(
    db: DatabaseConnection,
    clock: SharedClock,
    settings: &JobSettings,
    on_batch: Option<BatchObserver>,
) -> anyhow::Result<Scheduler> {
    let (stop, stopped) = watch::channel(false);
    let busy = Arc::new(Mutex::new(()));
    let tick = Arc::new(Tick {
        db,
        clock,
        schedule: settings.schedule()?,
        options: RunOptions {
            stop: Some(stopped.clone()),
            on_batch,
            ..settings.run_options()
        },
        follow_up_schedule: settings.follow_up_schedule()?,
        follow_up_options: FollowUpOptions {
            stop: Some(stopped),
            ..settings.follow_up_options()
        },
        busy: busy.clone(),
    });
    tokio::spawn(tick.clone().run());

    let cron = JobScheduler::new().await?;
    let job = Job::new_async(TICK, move |_id, _scheduler| {
        let tick = tick.clone();
        Box::pin(async move { tick.run().await })
    })?;
    cron.add(job).await?;
    cron.start().await?;
    tracing::info!(escalation.schedule = %settings.escalation_schedule, follow_up.schedule = %settings.follow_up_schedule, "scheduler started");
    Ok(Scheduler {
        cron,
        stop,
        busy,
        grace: settings.grace(),
    })
}

impl Scheduler {
    /// Stops new ticks, asks a run under way to stop after its batch, and waits for it up
    /// to the grace period.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.cron.shutdown().await {
            tracing::warn!(error = ?error, "stopping the cron scheduler");
        }
        match tokio::time::timeout(self.grace, self.busy.lock()).await {
            Ok(_) => tracing::info!("scheduled jobs stopped"),
            Err(_) => tracing::warn!(
                "a job run did not finish within the grace period; the next run finishes the rest"
            ),
        }
    }
}
