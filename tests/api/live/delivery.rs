//! What a subscriber receives: committed changes of its own workspace, with the record.

use closeloop::entities::enums::MemberRole;
use closeloop::live::Event;
use serde_json::json;
use uuid::Uuid;

use super::client::{COMPLETE_TASK, TASK_CHANGED, WsClient, account_with_task};
use crate::helpers::{TestApp, data, error_code};

#[tokio::test]
async fn a_task_completed_over_http_arrives_at_its_subscriber_with_the_task() {
    let app = TestApp::spawn().await;
    let (account_id, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": account_id }))
        .await;

    let completed = app.graphql(COMPLETE_TASK, json!({ "id": task_id })).await;

    data(&completed);
    let event = client.next_message().await.expect("an event");
    assert_eq!(event["type"], "next");
    assert_eq!(event["id"], "1");
    let task = &event["payload"]["data"]["taskChanged"];
    assert_eq!(task["id"], task_id.as_str());
    assert_eq!(task["status"], "DONE");
    assert_eq!(task["account"]["name"], "Initech");
}

#[tokio::test]
async fn a_failed_mutation_publishes_nothing() {
    let app = TestApp::spawn().await;
    let (account_id, task_id) = account_with_task(&app, &app.token, "Initech").await;
    app.graphql(COMPLETE_TASK, json!({ "id": task_id })).await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": account_id }))
        .await;

    let refused = app.graphql(COMPLETE_TASK, json!({ "id": task_id })).await;
    let reopened = app
        .graphql(
            "mutation($id: ID!) { reopenTask(id: $id) { id } }",
            json!({ "id": task_id }),
        )
        .await;

    assert_eq!(error_code(&refused), Some("CONFLICT"));
    data(&reopened);
    let first = client.next_message().await.expect("an event");
    assert_eq!(first["payload"]["data"]["taskChanged"]["status"], "OPEN");
}

#[tokio::test]
async fn a_subscriber_of_another_workspace_sees_nothing_of_this_one() {
    let app = TestApp::spawn().await;
    let other = app
        .token_for("Other team", "csm@other.example", MemberRole::Csm)
        .await;
    let (_, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let (_, other_task_id) = account_with_task(&app, &other, "Globex").await;
    let mut client = WsClient::initialised(&app, &other).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": null }))
        .await;

    app.graphql(COMPLETE_TASK, json!({ "id": task_id })).await;
    app.graphql_as(&other, COMPLETE_TASK, json!({ "id": other_task_id }))
        .await;

    let first = client.next_message().await.expect("an event");
    let task = &first["payload"]["data"]["taskChanged"];
    assert_eq!(task["id"], other_task_id.as_str());
    assert_eq!(task["account"]["name"], "Globex");
}

#[tokio::test]
async fn a_note_on_an_account_arrives_as_the_accounts_activity() {
    let app = TestApp::spawn().await;
    let (account_id, _) = account_with_task(&app, &app.token, "Initech").await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    let query = "subscription($a: ID!) { accountActivity(accountId: $a) { action subjectType accountId actor { email } } }";
    client
        .subscribe(&app, "1", query, json!({ "a": account_id }))
        .await;

    let note = app
        .graphql(
            "mutation($a: ID!) { addNote(input: { accountId: $a, body: \"Renewal at risk\" }) { id } }",
            json!({ "a": account_id }),
        )
        .await;

    data(&note);
    let event = client.next_message().await.expect("an event");
    let activity = &event["payload"]["data"]["accountActivity"];
    assert_eq!(activity["accountId"], account_id.as_str());
    assert!(
        activity["action"]
            .as_str()
            .is_some_and(|a| a.starts_with("note.")),
        "{activity}"
    );
    assert!(activity["actor"]["email"].is_string(), "{activity}");
}

#[tokio::test]
async fn a_project_started_over_http_arrives_at_its_subscriber() {
    let app = TestApp::spawn().await;
    let (account_id, _) = account_with_task(&app, &app.token, "Initech").await;
    let templates = app
        .graphql(
            "{ projectTemplates(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let template_id = data(&templates)["projectTemplates"]["edges"][0]["node"]["id"].clone();
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(
            &app,
            "started",
            "subscription { projectStarted { id name } }",
            json!({}),
        )
        .await;

    let started = app
        .graphql(
            "mutation($a: ID!, $t: ID!) { startProject(input: { accountId: $a, templateId: $t }) { id } }",
            json!({ "a": account_id, "t": template_id }),
        )
        .await;

    let project_id = data(&started)["startProject"]["id"].clone();
    let event = client.next_message().await.expect("an event");
    assert_eq!(event["payload"]["data"]["projectStarted"]["id"], project_id);
}

#[tokio::test]
async fn an_escalation_published_by_a_job_arrives_with_the_task() {
    let app = TestApp::spawn().await;
    let (_, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let task_uuid: Uuid = task_id.parse().expect("uuid");
    let task = closeloop::tasks::service::find(&app.db, workspace_of(&app).await, task_uuid)
        .await
        .expect("task");
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(
            &app,
            "1",
            "subscription { taskEscalated { id title escalationLevel } }",
            json!({}),
        )
        .await;

    app.publisher.publish([Event::task_escalated(&task)]).await;

    let event = client.next_message().await.expect("an event");
    let escalated = &event["payload"]["data"]["taskEscalated"];
    assert_eq!(escalated["id"], task_id.as_str());
    assert_eq!(escalated["title"], "Call the champion");
}

async fn workspace_of(app: &TestApp) -> Uuid {
    closeloop::auth::tokens::authenticate(&app.db, &app.token)
        .await
        .expect("query")
        .expect("viewer")
        .workspace_id
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_it_missed_events_then_carries_on() {
    let app = TestApp::spawn_with_live(|live| live.buffer = 16).await;
    let (_, task_id) = account_with_task(&app, &app.token, "Initech").await;
    let task_uuid: Uuid = task_id.parse().expect("uuid");
    let task = closeloop::tasks::service::find(&app.db, workspace_of(&app).await, task_uuid)
        .await
        .expect("task");
    let mut client = WsClient::initialised(&app, &app.token).await;
    client
        .subscribe(&app, "1", TASK_CHANGED, json!({ "a": null }))
        .await;

    let burst = (0..200).map(|_| Event::task_changed(&task));
    app.publisher.publish(burst).await;

    let first = client.next_message().await.expect("a message");
    let second = client.next_message().await.expect("a message");
    assert_eq!(error_code(&first["payload"]), Some("EVENTS_MISSED"));
    assert_eq!(
        second["payload"]["data"]["taskChanged"]["id"],
        task_id.as_str()
    );
}
