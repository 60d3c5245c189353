//! A WebSocket client speaking the subscription protocols, and the set-up the live tests
//! share: an account with a task, a subscription that is surely listening.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{TestApp, data};

/// How long a test waits for a message it expects.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Opens a socket speaking `protocol`.
    pub async fn connect(url: &str, protocol: &str) -> WsClient {
        WsClient::connect_with(url, protocol, &[])
            .await
            .expect("websocket upgrade")
    }

    /// Opens a socket with extra upgrade headers; the error is the refused upgrade.
    pub async fn connect_with(
        url: &str,
        protocol: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<WsClient, tokio_tungstenite::tungstenite::Error> {
        let mut request = url.into_client_request().expect("ws request");
        let values = request.headers_mut();
        values.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).expect("header"),
        );
        for (name, value) in headers {
            values.insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(WsClient { socket })
    }

    /// An acknowledged graphql-transport-ws socket of the token's member.
    pub async fn initialised(app: &TestApp, token: &str) -> WsClient {
        let mut client = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
        client
            .send(json!({ "type": "connection_init", "payload": { "token": token } }))
            .await;
        let ack = client
            .next_message()
            .await
            .expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends `subscribe` and waits until the server's bus has one more subscriber, so that
    /// a change made next is surely seen.
    pub async fn subscribe(&mut self, app: &TestApp, id: &str, query: &str, variables: Value) {
        let before = app.publisher.subscriber_count();
        self.send(json!({
            "type": "subscribe", "id": id,
            "payload": { "query": query, "variables": variables },
        }))
        .await;
        wait_for_subscribers(app, before + 1).await;
    }

    /// The next protocol message other than a keep-alive, or `None` once the socket is
    /// closed or nothing came within [`PATIENCE`].
    pub async fn next_message(&mut self) -> Option<Value> {
        self.next_message_within(PATIENCE).await
    }

    pub async fn next_message_within(&mut self, patience: Duration) -> Option<Value> {
        loop {
            let message = self.next_text_or_close(patience).await?;
            let Ok(text) = message else { return None };
            let value: Value = serde_json::from_str(&text).expect("json message");
            if value["type"] != "ping" && value["type"] != "ka" {
                return Some(value);
            }
        }
    }

    /// The next keep-alive (`ping` or `ka`) within `patience`.
    pub async fn next_keepalive(&mut self, patience: Duration) -> Option<Value> {
        loop {
            let Ok(text) = self.next_text_or_close(patience).await? else {
                return None;
            };
            let value: Value = serde_json::from_str(&text).expect("json message");
            if value["type"] == "ping" || value["type"] == "ka" {
                return Some(value);
            }
        }
    }

    /// The code the server closed the socket with, skipping any messages before it.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next_text_or_close(PATIENCE).await? {
                Ok(_) => continue,
                Err(code) => return code,
            }
        }
    }

    /// `Ok(text)` for a text message, `Err(code)` once closed.
    async fn next_text_or_close(
        &mut self,
        patience: Duration,
    ) -> Option<Result<String, Option<u16>>> {
        loop {
            let frame = tokio::time::timeout(patience, self.socket.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Message::Text(text))) => return Some(Ok(text.to_string())),
                Some(Ok(Message::Close(frame))) => {
                    return Some(Err(frame.map(|f| u16::from(f.code))));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Err(None)),
            }
        }
    }
}

/// Waits (boundedly) until the server's bus has `count` subscribers.
pub async fn wait_for_subscribers(app: &TestApp, count: usize) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while app.publisher.subscriber_count() < count {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the subscription never started listening");
}

/// An account of the token's workspace and a task on it: `(account id, task id)`.
pub async fn account_with_task(app: &TestApp, token: &str, name: &str) -> (String, String) {
    let account = app
        .graphql_as(
            token,
            "mutation($n: String!) { createAccount(input: { name: $n }) { id } }",
            json!({ "n": name }),
        )
        .await;
    let account_id = data(&account)["createAccount"]["id"]
        .as_str()
        .expect("account id")
        .to_owned();
    let task = app
        .graphql_as(
            token,
            "mutation($a: ID!) { createTask(input: { accountId: $a, title: \"Call the champion\" }) { id } }",
            json!({ "a": account_id }),
        )
        .await;
    let task_id = data(&task)["createTask"]["id"]
        .as_str()
        .expect("task id")
        .to_owned();
    (account_id, task_id)
}

pub const TASK_CHANGED: &str =
    "subscription($a: ID) { taskChanged(accountId: $a) { id title status account { name } } }";

pub const COMPLETE_TASK: &str = "mutation($id: ID!) { completeTask(id: $id) { id } }";
