//! One subscription socket from the upgrade to the close: the handshake (init, token,
//! acknowledgement) here, then the [`Session`] that runs operations.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::time::{Instant, timeout, timeout_at};
use uuid::Uuid;

use super::protocol::{Incoming, Outgoing, Protocol, legacy_connection_error};
use super::session::Session;
use crate::app::AppState;
use crate::auth::Viewer;
use crate::auth::tokens::authenticate;

pub(super) type Sink = SplitSink<WebSocket, Message>;
pub(super) type Source = SplitStream<WebSocket>;

/// How long one write to the socket may take before the client is taken for gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How a socket ends.
#[derive(Debug)]
pub(super) enum Ending {
    /// The server closes with this code and reason.
    Close(u16, String),
    /// The client left (or cannot be written to): nothing more to send.
    Gone,
}

impl Ending {
    pub(super) fn invalid_message() -> Ending {
        Ending::Close(4400, "Invalid message".into())
    }
    fn unauthorized() -> Ending {
        Ending::Close(4401, "Unauthorized".into())
    }
    pub(super) fn forbidden() -> Ending {
        Ending::Close(4403, "Forbidden".into())
    }
    fn init_timeout() -> Ending {
        Ending::Close(4408, "Connection initialisation timeout".into())
    }
    pub(super) fn duplicate(id: &str) -> Ending {
        Ending::Close(4409, format!("Subscriber for {id} already exists"))
    }
    pub(super) fn second_init() -> Ending {
        Ending::Close(4429, "Too many initialisation requests".into())
    }
    fn too_big() -> Ending {
        Ending::Close(1009, "Message too big".into())
    }
    pub(super) fn normal() -> Ending {
        Ending::Close(1000, "Normal closure".into())
    }
    fn internal() -> Ending {
        Ending::Close(1011, "Internal error".into())
    }
}

/// A socket that was upgraded and has not been initialised yet.
pub(super) struct Connection {
    pub(super) state: AppState,
    pub(super) protocol: Protocol,
    /// The bearer token of the upgrade request, used when the init payload has none.
    header_token: Option<String>,
}

impl Connection {
    pub(super) fn new(state: AppState, protocol: Protocol, header_token: Option<String>) -> Self {
        Connection {
            state,
            protocol,
            header_token,
        }
    }

    pub(super) async fn run(self, socket: WebSocket) {
        let (mut sink, mut source) = socket.split();
        let ending = match self.handshake(&mut sink, &mut source).await {
            Ok((viewer, token)) => {
                Session::new(self, viewer, token)
                    .serve(&mut sink, &mut source)
                    .await
            }
            Err(ending) => {
                if matches!(&ending, Ending::Close(4403, _)) && self.protocol == Protocol::LegacyWs
                {
                    let refusal = legacy_connection_error("a valid API token is required");
                    let _ = send_text(&mut sink, refusal).await;
                }
                ending
            }
        };
        close(&mut sink, ending).await;
    }

    /// Waits for `connection_init`, checks its token and acknowledges it.
    async fn handshake(
        &self,
        sink: &mut Sink,
        source: &mut Source,
    ) -> Result<(Viewer, String), Ending> {
        let deadline = Instant::now() + self.state.live.init_timeout();
        loop {
            let message = match timeout_at(deadline, source.next()).await {
                Err(_) => return Err(Ending::init_timeout()),
                Ok(None | Some(Err(_))) => return Err(Ending::Gone),
                Ok(Some(Ok(message))) => message,
            };
            match self.read(message)? {
                Some(Incoming::Init(payload)) => return self.authenticate(payload, sink).await,
                Some(Incoming::Subscribe { .. }) => return Err(Ending::unauthorized()),
                Some(Incoming::Ping(payload)) => {
                    send(sink, self.protocol, Outgoing::Pong(payload)).await?
                }
                Some(Incoming::Terminate) => return Err(Ending::normal()),
                Some(Incoming::Pong | Incoming::Complete { .. }) | None => {}
            }
        }
    }

    async fn authenticate(
        &self,
        payload: Option<Value>,
        sink: &mut Sink,
    ) -> Result<(Viewer, String), Ending> {
        let token = payload
            .as_ref()
            .and_then(token_in_payload)
            .or_else(|| self.header_token.clone())
            .ok_or_else(Ending::forbidden)?;
        match authenticate(&self.state.db, &token).await {
            Ok(Some(viewer)) => {
                send(sink, self.protocol, Outgoing::Ack).await?;
                tracing::info!(member.id = %viewer.member_id, workspace.id = %viewer.workspace_id,
                    protocol = self.protocol.name(), "subscription socket opened");
                Ok((viewer, token))
            }
            Ok(None) => Err(Ending::forbidden()),
            Err(error) => {
                let correlation_id = Uuid::new_v4();
                tracing::error!(correlation_id = %correlation_id, error = ?error,
                    "authenticating a subscription socket failed");
                Err(Ending::internal())
            }
        }
    }

    /// What a frame says: a protocol message, nothing (control frames), or a reason to
    /// close.
    pub(super) fn read(&self, message: Message) -> Result<Option<Incoming>, Ending> {
        match message {
            Message::Text(text) if text.len() > self.state.live.max_message_bytes => {
                Err(Ending::too_big())
            }
            Message::Text(text) => Incoming::parse(self.protocol, text.as_str())
                .map(Some)
                .ok_or_else(Ending::invalid_message),
            Message::Binary(_) => Err(Ending::invalid_message()),
            Message::Ping(_) | Message::Pong(_) => Ok(None),
            Message::Close(_) => Err(Ending::Gone),
        }
    }
}

/// The token of an init payload: `{"Authorization": "Bearer …"}` (any case) or
/// `{"token": "…"}`.
fn token_in_payload(payload: &Value) -> Option<String> {
    let object = payload.as_object()?;
    let header = object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.as_str())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let plain = object.get("token").and_then(Value::as_str);
    header
        .or(plain)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

pub(super) async fn send(
    sink: &mut Sink,
    protocol: Protocol,
    message: Outgoing,
) -> Result<(), Ending> {
    send_text(sink, message.encode(protocol)).await
}

async fn send_text(sink: &mut Sink, text: String) -> Result<(), Ending> {
    match timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(Ending::Gone),
    }
}

async fn close(sink: &mut Sink, ending: Ending) {
    let Ending::Close(code, reason) = ending else {
        return;
    };
    tracing::info!(close.code = code, close.reason = %reason, "subscription socket closed");
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = timeout(SEND_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
}
