//! Events between server processes over PostgreSQL `LISTEN/NOTIFY`. SQLite is served by
//! one process, so these tests only say so there.

use closeloop::live::LISTENER_NAME;
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::client::{COMPLETE_TASK, TASK_CHANGED, WsClient, account_with_task};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_change_made_on_another_server_process_arrives() {
    let app = TestApp::spawn().await;
    let Some(peer) = app.spawn_peer().await else {
        eprintln!("skipped: one SQLite database is served by one process (set TEST_DATABASE_URL)");
        return;
    };
    let (account_id, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": account_id }))
        .await;

    peer.graphql_as(&app.token, COMPLETE_TASK, json!({ "id": task_id }))
        .await;

    let event = client.next_message().await.expect("an event");
    let task = &event["payload"]["data"]["taskChanged"];
    assert_eq!(task["id"], task_id.as_str());
    assert_eq!(task["status"], "DONE");
}

#[tokio::test]
async fn a_killed_listener_connection_comes_back_and_later_events_arrive() {
    let app = TestApp::spawn().await;
    let Some(peer) = app.spawn_peer().await else {
        eprintln!(
            "skipped: the listener connection exists on PostgreSQL only (set TEST_DATABASE_URL)"
        );
        return;
    };
    let (account_id, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": account_id }))
        .await;

    let killed = app
        .db
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = '{LISTENER_NAME}'"
        ))
        .await
        .expect("terminate the listeners");
    let gap = client.next_message().await.expect("a gap notice");
    peer.graphql_as(&app.token, COMPLETE_TASK, json!({ "id": task_id }))
        .await;

    assert!(killed.rows_affected() >= 1, "no listener connection found");
    assert_eq!(
        gap["payload"]["errors"][0]["extensions"]["code"],
        "EVENTS_MISSED"
    );
    let event = client.next_message().await.expect("an event after the gap");
    assert_eq!(event["payload"]["data"]["taskChanged"]["status"], "DONE");
}
