//! An initialised socket: runs the client's operations, each in a task of its own, and
//! writes their results, the keep-alives and the answers to pings to the socket, until
//! either side ends it or the token stops being valid.

use std::collections::HashMap;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::{Instant, interval_at};

use super::connection::{Connection, Ending, Sink, Source, send};
use super::protocol::{Incoming, Outgoing};
use crate::auth::Viewer;
use crate::auth::tokens::authenticate;
use crate::graphql::loaders;

/// Results waiting to be written, per socket. When the client does not read, the
/// operations wait, and the event bus tells them how much they missed.
const OUTGOING_QUEUE: usize = 64;

/// A running operation. The serial tells its messages from those of an earlier operation
/// that had the same id.
struct Operation {
    serial: u64,
    task: AbortHandle,
}

pub(super) struct Session {
    connection: Connection,
    viewer: Viewer,
    /// Checked again every `--ws-auth-recheck-secs`.
    token: String,
    operations: HashMap<String, Operation>,
    serial: u64,
    results: mpsc::Sender<(u64, Outgoing)>,
    pending: mpsc::Receiver<(u64, Outgoing)>,
}

impl Session {
    pub(super) fn new(connection: Connection, viewer: Viewer, token: String) -> Self {
        let (results, pending) = mpsc::channel(OUTGOING_QUEUE);
        Session {
            connection,
            viewer,
            token,
            operations: HashMap::new(),
            serial: 0,
            results,
            pending,
        }
    }

    pub(super) async fn serve(mut self, sink: &mut Sink, source: &mut Source) -> Ending {
        let live = self.connection.state.live.clone();
        let mut keepalive = interval_at(Instant::now() + live.keepalive(), live.keepalive());
        let mut recheck = interval_at(Instant::now() + live.auth_recheck(), live.auth_recheck());
        let ending = loop {
            let step = tokio::select! {
                message = source.next() => match message {
                    Some(Ok(message)) => self.receive(message, sink).await,
                    None | Some(Err(_)) => Err(Ending::Gone),
                },
                Some((serial, result)) = self.pending.recv() => {
                    self.forward(serial, result, sink).await
                }
                _ = keepalive.tick() => self.send(sink, Outgoing::KeepAlive).await,
                _ = recheck.tick() => self.recheck().await,
            };
            if let Err(ending) = step {
                break ending;
            }
        };
        for operation in self.operations.values() {
            operation.task.abort();
        }
        ending
    }

    async fn receive(
        &mut self,
        message: axum::extract::ws::Message,
        sink: &mut Sink,
    ) -> Result<(), Ending> {
        let Some(incoming) = self.connection.read(message)? else {
            return Ok(());
        };
        match incoming {
            Incoming::Subscribe { id, payload } => self.start(id, payload),
            Incoming::Complete { id } => {
                if let Some(operation) = self.operations.remove(&id) {
                    operation.task.abort();
                }
                Ok(())
            }
            Incoming::Ping(payload) => self.send(sink, Outgoing::Pong(payload)).await,
            Incoming::Pong => Ok(()),
            Incoming::Init(_) => Err(Ending::second_init()),
            Incoming::Terminate => Err(Ending::normal()),
        }
    }

    /// Starts an operation (usually a subscription) as the socket's viewer.
    fn start(&mut self, id: String, payload: serde_json::Value) -> Result<(), Ending> {
        if self.operations.contains_key(&id) {
            return Err(Ending::duplicate(&id));
        }
        let request: async_graphql::Request =
            serde_json::from_value(payload).map_err(|_| Ending::invalid_message())?;
        let state = &self.connection.state;
        let request = loaders::attach(request.data(self.viewer.clone()), &state.db, &self.viewer);
        let stream = state.schema.execute_stream(request);

        self.serial += 1;
        let serial = self.serial;
        let results = self.results.clone();
        let operation_id = id.clone();
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(response) = stream.next().await {
                let result = Outgoing::result(operation_id.clone(), response);
                if results.send((serial, result)).await.is_err() {
                    return;
                }
            }
            let _ = results
                .send((serial, Outgoing::Complete { id: operation_id }))
                .await;
        });
        let task = task.abort_handle();
        self.operations.insert(id, Operation { serial, task });
        Ok(())
    }

    /// Writes an operation's result, unless the operation was completed by the client (or
    /// its id reused) meanwhile.
    async fn forward(
        &mut self,
        serial: u64,
        result: Outgoing,
        sink: &mut Sink,
    ) -> Result<(), Ending> {
        let Some(id) = result.operation_id() else {
            return Ok(());
        };
        let current = self
            .operations
            .get(id)
            .is_some_and(|op| op.serial == serial);
        if !current {
            return Ok(());
        }
        if result.ends_operation() {
            self.operations.remove(id);
        }
        self.send(sink, result).await
    }

    async fn send(&self, sink: &mut Sink, message: Outgoing) -> Result<(), Ending> {
        send(sink, self.connection.protocol, message).await
    }

    /// Ends the socket once its token no longer names an active member. A database that
    /// cannot answer leaves the socket open until the next check.
    async fn recheck(&self) -> Result<(), Ending> {
        match authenticate(&self.connection.state.db, &self.token).await {
            Ok(Some(viewer)) if viewer.token_id == self.viewer.token_id => Ok(()),
            Ok(_) => {
                let token_id = self.viewer.token_id;
                tracing::info!(token.id = %token_id, "socket's token no longer valid; closing");
                Err(Ending::forbidden())
            }
            Err(error) => {
                tracing::warn!(error = ?error, "cannot recheck a socket's token; will try again");
                Ok(())
            }
        }
    }
}
