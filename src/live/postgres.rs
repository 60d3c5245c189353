//! Events between server processes through PostgreSQL `LISTEN/NOTIFY`.
//!
//! A publisher sends its events after the commit with `pg_notify` on one channel, as a
//! small JSON envelope of ids (a few hundred bytes; PostgreSQL's limit is 8,000). Every
//! process keeps one dedicated listener connection (a pool of its own, named
//! `closeloop-live` in `pg_stat_activity`) and relays what arrives to its local
//! subscribers, skipping its own events, which it delivered directly. When the
//! connection drops, notifications sent meanwhile are gone for good: the listener
//! reconnects with backoff and every subscriber is told that events may have been missed.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::Event;
use super::bus::Signal;
use super::delivery::Published;

/// The notification channel every process listens on.
pub const CHANNEL: &str = "closeloop_live";
/// The listener connection's `application_name`.
pub const LISTENER_NAME: &str = "closeloop-live";
/// Events per notification: 40 of the largest fit in well under 8,000 bytes.
const EVENTS_PER_NOTIFICATION: usize = 40;
const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

const LOST: &str = "the connection that brings other server processes' events was lost; events may have been missed until it is back";
const RESTORED: &str = "the connection that brings other server processes' events was re-established; events in between may have been missed";

/// What travels in one notification.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    origin: Uuid,
    events: Vec<Event>,
}

/// Sends events to the other processes. A failure is logged: the change is committed and
/// this process's subscribers have it; the others miss it.
pub(super) async fn notify(db: &DatabaseConnection, origin: Uuid, events: &[Event]) {
    for chunk in events.chunks(EVENTS_PER_NOTIFICATION) {
        let envelope = Envelope {
            origin,
            events: chunk.to_vec(),
        };
        let payload = match serde_json::to_string(&envelope) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::warn!(%error, "live event could not be encoded; other processes miss it");
                continue;
            }
        };
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(error) = db.execute_raw(statement).await {
            tracing::warn!(%error, events = chunk.len(), "live events not sent to other processes");
        }
    }
}

/// Opens the listener connection and starts relaying; fails if the first `LISTEN` does.
pub(super) async fn listen(
    db: &DatabaseConnection,
    local: broadcast::Sender<Signal>,
    origin: Uuid,
) -> anyhow::Result<JoinHandle<()>> {
    let options = db
        .get_postgres_connection_pool()
        .connect_options()
        .as_ref()
        .clone()
        .application_name(LISTENER_NAME);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options);
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    tracing::info!(
        channel = CHANNEL,
        "listening for other processes' live events"
    );
    Ok(tokio::spawn(relay(listener, local, origin)))
}

/// Relays notifications until the bus is dropped. `try_recv` reconnects by itself after a
/// lost connection and then answers `None`; a failed reconnection is an error, retried
/// here with backoff.
async fn relay(mut listener: PgListener, local: broadcast::Sender<Signal>, origin: Uuid) {
    let mut backoff = BACKOFF_START;
    let mut down = false;
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                if std::mem::take(&mut down) {
                    let _ = local.send(Signal::Gap(RESTORED));
                }
                relay_one(notification.payload(), &local, origin);
                backoff = BACKOFF_START;
            }
            Ok(None) => {
                tracing::warn!("live listener connection lost and re-established");
                let _ = local.send(Signal::Gap(RESTORED));
                down = false;
                backoff = BACKOFF_START;
            }
            Err(error) => {
                let retry_in_ms = backoff.as_millis();
                tracing::warn!(%error, retry_in_ms, "live listener cannot reconnect");
                if !down {
                    let _ = local.send(Signal::Gap(LOST));
                    down = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

fn relay_one(payload: &str, local: &broadcast::Sender<Signal>, origin: Uuid) {
    let envelope: Envelope = match serde_json::from_str(payload) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::warn!(%error, "ignored a live notification that is not an event envelope");
            return;
        }
    };
    if envelope.origin == origin {
        return;
    }
    for event in envelope.events {
        let _ = local.send(Signal::Event(Arc::new(Published::new(event))));
    }
}
