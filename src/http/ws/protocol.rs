//! The two WebSocket protocols GraphQL clients speak, reduced to one set of messages:
//! `graphql-transport-ws` (the graphql-ws library) and the legacy `graphql-ws`
//! (subscriptions-transport-ws). Both are JSON text messages with a `type`.

use async_graphql::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// Which protocol a socket speaks, chosen from `Sec-WebSocket-Protocol` at the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`, also the default when the client names none.
    TransportWs,
    /// `graphql-ws`, the protocol of subscriptions-transport-ws.
    LegacyWs,
}

impl Protocol {
    /// The first protocol the client offers that Closeloop speaks.
    pub fn choose(offered: Option<&str>) -> Protocol {
        let offered = offered.unwrap_or_default();
        let first_known = offered
            .split(',')
            .map(str::trim)
            .find_map(|name| match name {
                "graphql-transport-ws" => Some(Protocol::TransportWs),
                "graphql-ws" => Some(Protocol::LegacyWs),
                _ => None,
            });
        first_known.unwrap_or(Protocol::TransportWs)
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::LegacyWs => "graphql-ws",
        }
    }
}

/// What a client can say, in either protocol.
#[derive(Debug)]
pub enum Incoming {
    Init(Option<Value>),
    Subscribe {
        id: String,
        payload: Value,
    },
    Complete {
        id: String,
    },
    Ping(Option<Value>),
    Pong,
    /// Legacy only: the client is leaving.
    Terminate,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: Value,
    },
    Start {
        id: String,
        payload: Value,
    },
    Complete {
        id: String,
    },
    Stop {
        id: String,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {},
    ConnectionTerminate {},
}

impl Incoming {
    /// Parses a message of `protocol`; `None` for anything else (the socket is then
    /// closed with 4400).
    pub fn parse(protocol: Protocol, text: &str) -> Option<Incoming> {
        let wire: Wire = serde_json::from_str(text).ok()?;
        match (protocol, wire) {
            (_, Wire::ConnectionInit { payload }) => Some(Incoming::Init(payload)),
            (Protocol::TransportWs, Wire::Subscribe { id, payload })
            | (Protocol::LegacyWs, Wire::Start { id, payload }) => {
                Some(Incoming::Subscribe { id, payload })
            }
            (Protocol::TransportWs, Wire::Complete { id })
            | (Protocol::LegacyWs, Wire::Stop { id }) => Some(Incoming::Complete { id }),
            (Protocol::TransportWs, Wire::Ping { payload }) => Some(Incoming::Ping(payload)),
            (Protocol::TransportWs, Wire::Pong {}) => Some(Incoming::Pong),
            (Protocol::LegacyWs, Wire::ConnectionTerminate {}) => Some(Incoming::Terminate),
            _ => None,
        }
    }
}

/// What the server says, in either protocol.
#[derive(Debug)]
pub enum Outgoing {
    Ack,
    /// The keep-alive: `ping` (transport-ws) or `ka` (legacy).
    KeepAlive,
    Pong(Option<Value>),
    /// One result of an operation.
    Next {
        id: String,
        response: Response,
    },
    /// The operation could not run (it did not parse or validate); it is over.
    Error {
        id: String,
        response: Response,
    },
    Complete {
        id: String,
    },
}

impl Outgoing {
    /// A result of an operation: an error message when the operation never ran (no data,
    /// and errors about the document rather than a field), a result otherwise.
    pub fn result(id: String, response: Response) -> Outgoing {
        let request_error = response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|error| error.path.is_empty());
        if request_error {
            Outgoing::Error { id, response }
        } else {
            Outgoing::Next { id, response }
        }
    }

    /// The operation this message is about, if any.
    pub fn operation_id(&self) -> Option<&str> {
        match self {
            Outgoing::Next { id, .. } | Outgoing::Error { id, .. } | Outgoing::Complete { id } => {
                Some(id)
            }
            Outgoing::Ack | Outgoing::KeepAlive | Outgoing::Pong(_) => None,
        }
    }

    /// Whether this message ends its operation.
    pub fn ends_operation(&self) -> bool {
        matches!(self, Outgoing::Error { .. } | Outgoing::Complete { .. })
    }

    pub fn encode(self, protocol: Protocol) -> String {
        let legacy = protocol == Protocol::LegacyWs;
        let message = match self {
            Outgoing::Ack => json!({ "type": "connection_ack" }),
            Outgoing::KeepAlive if legacy => json!({ "type": "ka" }),
            Outgoing::KeepAlive => json!({ "type": "ping" }),
            Outgoing::Pong(Some(payload)) => json!({ "type": "pong", "payload": payload }),
            Outgoing::Pong(None) => json!({ "type": "pong" }),
            Outgoing::Next { id, response } => {
                let kind = if legacy { "data" } else { "next" };
                json!({ "type": kind, "id": id, "payload": response })
            }
            Outgoing::Error { id, response } => {
                json!({ "type": "error", "id": id, "payload": response.errors })
            }
            Outgoing::Complete { id } => json!({ "type": "complete", "id": id }),
        };
        message.to_string()
    }
}

/// The legacy protocol's refusal of `connection_init`, sent before closing with 4403.
pub fn legacy_connection_error(message: &str) -> String {
    json!({ "type": "connection_error", "payload": { "message": message } }).to_string()
}
