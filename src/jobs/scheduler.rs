//! The scheduler: tokio-cron-scheduler fires a tick every minute on every process, and each
//! tick runs whatever is due by the database's ledger (the escalation, then the follow-ups). The cron only says "look now": when a
//! workspace's run is due comes from its own zone (see `escalation::schedule`), because
//! tokio-cron-scheduler turns a zone into a fixed offset that drifts across daylight-saving
//! changes. The first tick runs at start, which catches up a missed night once.
//!
//! The SLA check has a tick of its own on the same scheduler, so a long escalation run never
//! holds up a warning; each tick runs whatever slot of its own schedule is due.
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
use crate::live::Publisher;
use crate::sla::check::{self as sla, CheckOptions};

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

/// The SLA check's tick: like [`Tick`], with a lock of its own.
struct SlaTick {
    db: DatabaseConnection,
    clock: SharedClock,
    schedule: Schedule,
    options: CheckOptions,
    busy: Arc<Mutex<()>>,
}

impl SlaTick {
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
        if let Err(error) = sla::run_due(&self.db, &self.clock, &self.schedule, &self.options).await
        {
            tracing::warn!(error = ?error, "scheduled SLA check failed; the next tick tries again");
        }
    }
}

/// The running scheduler; [`Scheduler::stop`] ends it.
pub struct Scheduler {
    cron: JobScheduler,
    stop: watch::Sender<bool>,
    busy: [Arc<Mutex<()>>; 2],
    grace: Duration,
}

/// Starts the jobs: a catch-up tick now, then one every minute. `publisher` announces what
/// the SLA check changes.
pub async fn start(
    db: DatabaseConnection,
    clock: SharedClock,
    settings: &JobSettings,
    on_batch: Option<BatchObserver>,
    publisher: Option<Publisher>,
) -> anyhow::Result<Scheduler> {
    let (stop, stopped) = watch::channel(false);
    let busy = Arc::new(Mutex::new(()));
    let sla_busy = Arc::new(Mutex::new(()));
    let sla_tick = Arc::new(SlaTick {
        db: db.clone(),
        clock: clock.clone(),
        schedule: settings.sla_schedule()?,
        options: CheckOptions {
            stop: Some(stopped.clone()),
            publisher,
            ..settings.sla_options()
        },
        busy: sla_busy.clone(),
    });
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
    tokio::spawn(sla_tick.clone().run());

    let cron = JobScheduler::new().await?;
    let job = Job::new_async(TICK, move |_id, _scheduler| {
        let tick = tick.clone();
        Box::pin(async move { tick.run().await })
    })?;
    cron.add(job).await?;
    let sla_job = Job::new_async(TICK, move |_id, _scheduler| {
        let tick = sla_tick.clone();
        Box::pin(async move { tick.run().await })
    })?;
    cron.add(sla_job).await?;
    cron.start().await?;
    tracing::info!(escalation.schedule = %settings.escalation_schedule, follow_up.schedule = %settings.follow_up_schedule, sla.schedule = %settings.sla_schedule, "scheduler started");
    Ok(Scheduler {
        cron,
        stop,
        busy: [busy, sla_busy],
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
        let [escalation, sla] = &self.busy;
        let both = async {
            let held = escalation.lock().await;
            let _sla = sla.lock().await;
            drop(held);
        };
        match tokio::time::timeout(self.grace, both).await {
            Ok(_) => tracing::info!("scheduled jobs stopped"),
            Err(_) => tracing::warn!(
                "a job run did not finish within the grace period; the next run finishes the rest"
            ),
        }
    }
}
