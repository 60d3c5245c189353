//! The delivery worker: claims due emails from the outbox and sends them, a few at a time.
//! [`run_once`] is one pass, for the server's loop, the scheduler and tests alike;
//! [`spawn`] runs passes every few seconds, or at once when something is queued, until the
//! server shuts down.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::deliver::{self, Batch};
use super::record::Outcome;
use super::settings::EmailSettings;
use super::transport::Transport;
use super::unsubscribe::UnsubscribeLinks;
use crate::clock::SharedClock;
use crate::error::AppResult;

/// Claimed per pass for each send that may run at once.
const BATCH_PER_SLOT: usize = 8;

/// How delivery behaves; built from [`EmailSettings`] at start.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub concurrency: usize,
    pub max_attempts: u32,
    /// How long a claimed email belongs to the worker that claimed it: past it, the email is
    /// taken to be lost with a crashed worker and claimed again.
    pub lease: Duration,
    pub poll: StdDuration,
    pub mail_from: String,
    pub links: UnsubscribeLinks,
}

impl DeliverySettings {
    pub fn new(settings: &EmailSettings, links: UnsubscribeLinks) -> Self {
        let deadline = i64::try_from(settings.send_timeout_secs).unwrap_or(600);
        DeliverySettings {
            concurrency: settings.concurrency.max(1),
            max_attempts: settings.max_attempts,
            lease: Duration::seconds(deadline * 2 + 60),
            poll: StdDuration::from_secs(settings.poll_secs),
            mail_from: settings.mail_from.clone(),
            links,
        }
    }

    fn batch_size(&self) -> usize {
        self.concurrency * BATCH_PER_SLOT
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Discarded at send time: the contact unsubscribed or bounced since it was queued.
    pub suppressed: usize,
}

impl DeliveryReport {
    pub fn total(&self) -> usize {
        self.sent + self.retried + self.failed + self.suppressed
    }

    fn count(mut self, outcome: Outcome) -> Self {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::Retried => self.retried += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Suppressed => self.suppressed += 1,
        }
        self
    }
}

/// Claims the emails due now (one batch) and sends them, `concurrency` at a time.
pub async fn run_once(
    db: &DatabaseConnection,
    transport: &Transport,
    clock: &SharedClock,
    settings: &DeliverySettings,
) -> AppResult<DeliveryReport> {
    let now = clock.now();
    let limit = u64::try_from(settings.batch_size()).unwrap_or(32);
    let rows = super::claim::claim_due(db, now, now + settings.lease, limit).await?;
    if rows.is_empty() {
        return Ok(DeliveryReport::default());
    }
    let batch = Batch::load(db, &rows).await?;
    let report = futures::stream::iter(rows)
        .map(|row| deliver::deliver(db, transport, clock, settings, &batch, row))
        .buffer_unordered(settings.concurrency)
        .fold(DeliveryReport::default(), |report, outcome| async move {
            report.count(outcome)
        })
        .await;
    if report.total() > 0 {
        tracing::info!(
            sent = report.sent,
            retried = report.retried,
            failed = report.failed,
            suppressed = report.suppressed,
            "outbox delivery pass"
        );
    }
    Ok(report)
}

/// Everything delivery needs, shared by the server's loop and the API (which wakes the loop
/// when it makes an email due).
#[derive(Clone)]
pub struct Outbound {
    pub transport: Arc<Transport>,
    pub settings: Arc<DeliverySettings>,
    wakeup: Arc<Notify>,
}

impl Outbound {
    pub fn new(transport: Transport, settings: DeliverySettings) -> Self {
        Outbound {
            transport: Arc::new(transport),
            settings: Arc::new(settings),
            wakeup: Arc::new(Notify::new()),
        }
    }

    /// The transport and unsubscribe key the settings name; fails at start on a bad setting.
    pub async fn from_settings(
        db: &DatabaseConnection,
        settings: &EmailSettings,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        let links = UnsubscribeLinks::load(db, settings, now)
            .await
            .map_err(|e| anyhow::anyhow!("loading the unsubscribe key: {e:?}"))?;
        let transport = Transport::from_settings(settings)?;
        tracing::info!("email goes to {}", transport.describe());
        Ok(Outbound::new(
            transport,
            DeliverySettings::new(settings, links),
        ))
    }

    /// Asks the loop for a pass now rather than at its next tick.
    pub fn wake(&self) {
        self.wakeup.notify_one();
    }

    pub fn links(&self) -> &UnsubscribeLinks {
        &self.settings.links
    }
}

/// The running loop; [`DeliveryLoop::stop`] ends it.
pub struct DeliveryLoop {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Runs delivery passes until stopped: every `poll`, and whenever woken. A full batch is
/// followed by another pass at once.
pub fn spawn(db: DatabaseConnection, clock: SharedClock, outbound: Outbound) -> DeliveryLoop {
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                _ = stopped.changed() => break,
                () = outbound.wakeup.notified() => {}
                () = tokio::time::sleep(outbound.settings.poll) => {}
            }
            while !*stopped.borrow() {
                match run_once(&db, &outbound.transport, &clock, &outbound.settings).await {
                    Ok(report) if report.total() >= outbound.settings.batch_size() => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(error = ?error, "outbox delivery pass failed; trying again later");
                        break;
                    }
                }
            }
        }
        outbound.transport.shutdown().await;
    });
    DeliveryLoop { stop, task }
}

impl DeliveryLoop {
    /// Lets the sends in flight finish, for at most `grace`; an email cut off stays
    /// `sending` and is claimed again when its lease ends.
    pub async fn stop(self, grace: StdDuration) {
        let _ = self.stop.send(true);
        let abort = self.task.abort_handle();
        if tokio::time::timeout(grace, self.task).await.is_err() {
            abort.abort();
            tracing::warn!(
                "outbox delivery did not finish in time; unfinished emails will be retried"
            );
        } else {
            tracing::info!("outbox delivery stopped");
        }
    }
}
