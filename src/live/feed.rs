//! The subscriber's side of the bus: a stream of the records one subscription wants,
//! always in the subscriber's own workspace.
//!
//! Each subscription has its own place in the bus's bounded buffer. A subscriber that
//! does not keep up never holds anyone back: once it is a buffer behind, the oldest events
//! are dropped for it alone, and it receives an `EVENTS_MISSED` error, then carries on
//! with the events still buffered. The same error reports a gap in the events from other
//! processes. A client that sees it reloads what it shows.

use std::sync::Arc;

use async_graphql::Context;
use futures::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::Event;
use super::bus::Signal;
use super::delivery::{Published, Record};
use crate::error::AppError;
use crate::graphql::ContextExt;

/// Where a subscription reads from, bound to the subscriber's workspace.
pub struct Feed {
    receiver: broadcast::Receiver<Signal>,
    db: DatabaseConnection,
    workspace_id: Uuid,
}

impl Feed {
    /// Subscribes the viewer of the request; `UNAUTHENTICATED` without one.
    pub fn open(ctx: &Context<'_>) -> Result<Feed, AppError> {
        let workspace_id = ctx.viewer()?.workspace_id;
        Ok(Feed {
            receiver: ctx.publisher()?.subscribe(),
            db: ctx.db()?.clone(),
            workspace_id,
        })
    }

    /// The items `pick` makes of the records of the events `wants` accepts. `wants` sees
    /// only events of the subscriber's workspace and decides before anything is loaded.
    pub fn items<T, W, P>(
        self,
        wants: W,
        pick: P,
    ) -> impl Stream<Item = async_graphql::Result<T>> + Send + 'static
    where
        T: Send + 'static,
        W: Fn(&Event) -> bool + Send + Sync + 'static,
        P: Fn(&Record) -> Option<T> + Send + Sync + 'static,
    {
        let rules = Arc::new((wants, pick));
        futures::stream::unfold(self, move |mut feed| {
            let rules = rules.clone();
            async move {
                let item = feed.next(&rules.0, &rules.1).await?;
                Some((item, feed))
            }
        })
    }

    /// Waits for the next item for this subscriber; `None` once the bus is gone.
    async fn next<T>(
        &mut self,
        wants: &impl Fn(&Event) -> bool,
        pick: &impl Fn(&Record) -> Option<T>,
    ) -> Option<async_graphql::Result<T>> {
        loop {
            let published = match self.receiver.recv().await {
                Ok(Signal::Event(published)) => published,
                Ok(Signal::Gap(reason)) => return Some(Err(missed(reason.to_owned()))),
                Err(RecvError::Lagged(skipped)) => return Some(Err(lagged(skipped))),
                Err(RecvError::Closed) => return None,
            };
            if published.event.workspace_id() != self.workspace_id || !wants(&published.event) {
                continue;
            }
            match self.load(&published, pick).await {
                Ok(Some(item)) => return Some(Ok(item)),
                Ok(None) => continue,
                Err(error) => return Some(Err(error.into())),
            }
        }
    }

    async fn load<T>(
        &self,
        published: &Published,
        pick: &impl Fn(&Record) -> Option<T>,
    ) -> Result<Option<T>, AppError> {
        Ok(published.record(&self.db).await?.and_then(pick))
    }
}

fn missed(reason: String) -> async_graphql::Error {
    AppError::EventsMissed(reason).into()
}

fn lagged(skipped: u64) -> async_graphql::Error {
    missed(format!(
        "this subscription fell behind and skipped {skipped} events; reload what it shows"
    ))
}
