//! The event bus of one server process: a [`Publisher`] that resolvers and jobs hand
//! committed changes to, and a broadcast channel that fans them out to the process's
//! subscribers. Over PostgreSQL every change also goes out as a notification, and a
//! listener brings the other processes' changes in (see [`super::postgres`]).

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::Event;
use super::delivery::Published;
use super::postgres;
use crate::escalation::apply::Escalated;
use crate::escalation::run::BatchObserver;

/// What a subscriber receives from the bus.
#[derive(Debug, Clone)]
pub enum Signal {
    Event(Arc<Published>),
    /// Events may have been lost (the listener connection dropped); say why.
    Gap(&'static str),
}

/// Hands committed changes to every subscriber, on this process and the others. Cheap to
/// clone; the PostgreSQL listener stops when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Publisher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    local: broadcast::Sender<Signal>,
    /// This process, so that its own notifications coming back are not delivered twice.
    origin: Uuid,
    /// Set over PostgreSQL: where notifications are sent.
    remote: Option<DatabaseConnection>,
    listener: Option<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

impl Publisher {
    /// A bus for one process: what SQLite gets, since only one process can serve it.
    pub fn in_process(buffer: usize) -> Publisher {
        let (local, _) = broadcast::channel(buffer);
        Publisher {
            inner: Arc::new(Inner {
                local,
                origin: Uuid::new_v4(),
                remote: None,
                listener: None,
            }),
        }
    }

    /// The bus for this database: in-process on SQLite; on PostgreSQL, also across
    /// processes, listening before this returns so no change committed later is missed.
    pub async fn start(db: &DatabaseConnection, buffer: usize) -> anyhow::Result<Publisher> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Publisher::in_process(buffer));
        }
        let (local, _) = broadcast::channel(buffer);
        let origin = Uuid::new_v4();
        let listener = postgres::listen(db, local.clone(), origin).await?;
        Ok(Publisher {
            inner: Arc::new(Inner {
                local,
                origin,
                remote: Some(db.clone()),
                listener: Some(listener),
            }),
        })
    }

    /// Publishes changes that have been committed: call it after the transaction's
    /// commit, never inside it, so that a rolled-back change is never seen. It does not
    /// fail: a subscriber that cannot keep up is told so on its own stream, and a
    /// notification PostgreSQL refuses is logged.
    pub async fn publish(&self, events: impl IntoIterator<Item = Event>) {
        let events: Vec<Event> = events.into_iter().collect();
        if events.is_empty() {
            return;
        }
        if let Some(db) = &self.inner.remote {
            postgres::notify(db, self.inner.origin, &events).await;
        }
        self.deliver_locally(events);
    }

    /// What the escalation calls after each committed batch: every task it moved up is
    /// announced as escalated and as changed. The observer cannot wait, so it hands the
    /// batch to a task of its own.
    pub fn escalation_observer(&self) -> BatchObserver {
        let publisher = self.clone();
        Arc::new(move |workspace_id, escalated: &[Escalated]| {
            let events: Vec<Event> = escalated
                .iter()
                .flat_map(|e| {
                    [
                        Event::TaskEscalated {
                            workspace_id,
                            task_id: e.task_id,
                            level: e.level,
                        },
                        Event::TaskChanged {
                            workspace_id,
                            task_id: e.task_id,
                        },
                    ]
                })
                .collect();
            let publisher = publisher.clone();
            tokio::spawn(async move { publisher.publish(events).await });
        })
    }

    /// Starts receiving everything published from now on, by any process.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.inner.local.subscribe()
    }

    /// How many subscriptions on this process listen.
    pub fn subscriber_count(&self) -> usize {
        self.inner.local.receiver_count()
    }

    fn deliver_locally(&self, events: Vec<Event>) {
        for event in events {
            // An error only means nobody is subscribed right now.
            let _ = self
                .inner
                .local
                .send(Signal::Event(Arc::new(Published::new(event))));
        }
    }
}
