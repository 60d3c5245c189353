//! The socket rules: authentication, the close codes, keep-alives, the legacy protocol,
//! allowed origins.

use std::time::Duration;

use closeloop::clock::Clock;
use closeloop::entities::enums::MemberRole;
use serde_json::json;

use super::client::{
    COMPLETE_TASK, LEGACY_WS, TASK_CHANGED, TRANSPORT_WS, WsClient, account_with_task,
    wait_for_subscribers,
};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_socket_that_never_sends_connection_init_is_closed_with_4408() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;

    let code = client.close_code().await;

    assert_eq!(code, Some(4408));
}

#[tokio::test]
async fn a_subscribe_before_the_acknowledgement_is_closed_with_4401() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;

    client
        .send(json!({ "type": "subscribe", "id": "1", "payload": { "query": TASK_CHANGED } }))
        .await;

    assert_eq!(client.close_code().await, Some(4401));
}

#[tokio::test]
async fn a_second_operation_with_a_running_id_is_closed_with_4409() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client.subscribe(&app, "1", TASK_CHANGED, json!({})).await;

    client
        .send(json!({ "type": "subscribe", "id": "1", "payload": { "query": TASK_CHANGED } }))
        .await;

    assert_eq!(client.close_code().await, Some(4409));
}

#[tokio::test]
async fn a_message_over_the_size_cap_is_closed_with_1009() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    let padding = " ".repeat(5000);

    client
        .send_text(format!(
            "{{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{{\"query\":\"{padding}\"}}}}"
        ))
        .await;

    assert_eq!(client.close_code().await, Some(1009));
}

#[tokio::test]
async fn a_socket_without_a_token_is_closed_with_4403() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;

    client.send(json!({ "type": "connection_init" })).await;

    assert_eq!(client.close_code().await, Some(4403));
}

#[tokio::test]
async fn a_socket_with_an_unknown_token_is_closed_with_4403() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;

    client
        .send(json!({
            "type": "connection_init",
            "payload": { "Authorization": "Bearer clt_not-a-real-token" },
        }))
        .await;

    assert_eq!(client.close_code().await, Some(4403));
}

#[tokio::test]
async fn the_token_may_come_in_the_upgrades_authorization_header() {
    let app = TestApp::spawn().await;
    let bearer = format!("Bearer {}", app.token);
    let mut client =
        WsClient::connect_with(&app.ws_url(), TRANSPORT_WS, &[("authorization", &bearer)])
            .await
            .expect("upgrade");

    client.send(json!({ "type": "connection_init" })).await;

    let ack = client.next_message().await.expect("an answer");
    assert_eq!(ack["type"], "connection_ack");
}

#[tokio::test]
async fn a_revoked_tokens_socket_is_closed_with_4403_and_its_subscriptions_end() {
    let app = TestApp::spawn().await;
    let token = app
        .token_for(
            closeloop::workspaces::service::DEFAULT_WORKSPACE_NAME,
            "csm@closeloop.test",
            MemberRole::Csm,
        )
        .await;
    let viewer = closeloop::auth::tokens::authenticate(&app.db, &token)
        .await
        .expect("query")
        .expect("viewer");
    let mut client = WsClient::initialised(&app, &token).await;
    client.subscribe(&app, "1", TASK_CHANGED, json!({})).await;

    closeloop::auth::tokens::revoke(
        &app.db,
        viewer.workspace_id,
        viewer.token_id,
        app.clock.now(),
    )
    .await
    .expect("revoke");

    assert_eq!(client.close_code().await, Some(4403));
    wait_for_subscribers(&app, 0).await;
    assert_eq!(app.publisher.subscriber_count(), 0);
}

#[tokio::test]
async fn the_server_sends_keep_alive_pings() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::initialised(&app, &app.token).await;

    let first = client.next_keepalive(Duration::from_secs(3)).await;
    let second = client.next_keepalive(Duration::from_secs(3)).await;

    assert_eq!(first, Some(json!({ "type": "ping" })));
    assert_eq!(second, Some(json!({ "type": "ping" })));
}

#[tokio::test]
async fn the_legacy_protocol_acknowledges_keeps_alive_and_delivers_data() {
    let app = TestApp::spawn().await;
    let (account_id, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let mut client = WsClient::connect(&app.ws_url(), LEGACY_WS).await;
    client
        .send(json!({ "type": "connection_init", "payload": { "authToken": null, "token": app.token } }))
        .await;
    let ack = client.next_message().await.expect("an answer");
    let keepalive = client.next_keepalive(Duration::from_secs(3)).await;
    let before = app.publisher.subscriber_count();
    client
        .send(json!({
            "type": "start", "id": "7",
            "payload": { "query": TASK_CHANGED, "variables": { "a": account_id } },
        }))
        .await;
    wait_for_subscribers(&app, before + 1).await;

    app.graphql(COMPLETE_TASK, json!({ "id": task_id })).await;

    assert_eq!(ack["type"], "connection_ack");
    assert_eq!(keepalive, Some(json!({ "type": "ka" })));
    let event = client.next_message().await.expect("an event");
    assert_eq!(event["type"], "data");
    assert_eq!(event["id"], "7");
    assert_eq!(event["payload"]["data"]["taskChanged"]["status"], "DONE");
}

#[tokio::test]
async fn the_legacy_protocol_refuses_a_bad_token_with_connection_error_and_4403() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::connect(&app.ws_url(), LEGACY_WS).await;

    client
        .send(json!({ "type": "connection_init", "payload": { "token": "clt_wrong" } }))
        .await;

    let refusal = client.next_message().await.expect("an answer");
    assert_eq!(refusal["type"], "connection_error");
    assert_eq!(client.close_code().await, Some(4403));
}

#[tokio::test]
async fn a_websocket_upgrade_of_graphql_serves_subscriptions_too() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address.replacen("http://", "ws://", 1));
    let mut client = WsClient::connect(&url, TRANSPORT_WS).await;

    client
        .send(json!({ "type": "connection_init", "payload": { "token": app.token } }))
        .await;

    let ack = client.next_message().await.expect("an answer");
    assert_eq!(ack["type"], "connection_ack");
}

#[tokio::test]
async fn a_page_from_an_origin_not_allowed_is_refused_before_the_upgrade() {
    let app = TestApp::spawn().await;

    let refused = WsClient::connect_with(
        &app.ws_url(),
        TRANSPORT_WS,
        &[("origin", "https://evil.example")],
    )
    .await;

    let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = refused else {
        panic!("the upgrade was not refused with an HTTP status");
    };
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_query_over_the_socket_answers_once_and_completes() {
    let app = TestApp::spawn().await;
    let mut client = WsClient::initialised(&app, &app.token).await;

    client
        .send(json!({ "type": "subscribe", "id": "q", "payload": { "query": "{ viewer { role } }" } }))
        .await;

    let next = client.next_message().await.expect("a result");
    let complete = client.next_message().await.expect("completion");
    assert_eq!(next["type"], "next");
    assert_eq!(next["payload"]["data"]["viewer"]["role"], "ADMIN");
    assert_eq!(complete, json!({ "type": "complete", "id": "q" }));
}
