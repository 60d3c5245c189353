//! What playbooks and jobs announce: a response's playbook starting a project, a response
//! whose playbook failed (nothing), and the escalation run moving tasks up.

use chrono::Duration;
use serde_json::json;

use super::client::WsClient;
use crate::helpers::{TestApp, data, error_code};
use crate::playbooks::{Customer, create_playbook, remove_template_behind_the_api};

const RECORD: &str = "mutation($input: NpsResponseInput!) { recordNpsResponse(input: $input) {
    response { id } projectsStarted { id } } }";

const RESPONSES: &str = "subscription { npsResponseRecorded { id score } }";

async fn record(
    app: &TestApp,
    contact_id: &serde_json::Value,
    score: i64,
    key: &str,
) -> serde_json::Value {
    let input = json!({ "contactId": contact_id, "score": score, "externalId": key });
    app.graphql(RECORD, json!({ "input": input })).await
}

#[tokio::test]
async fn a_detractor_response_arrives_with_the_project_its_playbook_started() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    let started =
        "subscription { projectStarted(byPlaybook: true) { id severity account { name } } }";
    client.subscribe(&app, "1", RESPONSES, json!({})).await;
    client.subscribe(&app, "2", started, json!({})).await;

    let body = record(&app, &acme.contact_id, 2, "survey-1").await;

    let recorded = &data(&body)["recordNpsResponse"];
    let first = client.next_message().await.expect("the response");
    let second = client.next_message().await.expect("the project");
    assert_eq!(first["id"], "1");
    assert_eq!(
        first["payload"]["data"]["npsResponseRecorded"],
        json!({ "id": recorded["response"]["id"], "score": 2 })
    );
    assert_eq!(second["id"], "2");
    let project = &second["payload"]["data"]["projectStarted"];
    assert_eq!(project["id"], recorded["projectsStarted"][0]["id"]);
    assert_eq!(project["severity"], "HIGH");
    assert_eq!(project["account"]["name"], "Acme");
}

#[tokio::test]
async fn a_response_rolled_back_by_a_failing_playbook_announces_nothing() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let template = app
        .graphql(
            "mutation($input: CreateProjectTemplateInput!) { createProjectTemplate(input: $input) { id } }",
            json!({ "input": { "name": "Short-lived", "milestones": [{ "title": "Only", "tasks": [{ "title": "One", "dueOffsetDays": 0 }] }] } }),
        )
        .await;
    let template = data(&template)["createProjectTemplate"]["id"].clone();
    let actions =
        json!([{ "startProject": { "template": { "templateId": template }, "severity": "HIGH" } }]);
    let broken = create_playbook(
        &app,
        json!({ "name": "Broken", "trigger": "NPS_RESPONSE_RECORDED", "actions": actions }),
    )
    .await;
    remove_template_behind_the_api(&app, &template).await;
    let mut client = WsClient::initialised(&app, &app.token).await;
    client.subscribe(&app, "1", RESPONSES, json!({})).await;

    let refused = record(&app, &acme.contact_id, 3, "survey-1").await;
    app.graphql(
        "mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { id } }",
        json!({ "id": data(&broken)["createPlaybook"]["id"] }),
    )
    .await;
    let stored = record(&app, &acme.contact_id, 8, "survey-2").await;

    assert_eq!(error_code(&refused), Some("NOT_FOUND"));
    let first = client.next_message().await.expect("an event");
    assert_eq!(
        first["payload"]["data"]["npsResponseRecorded"],
        json!({ "id": data(&stored)["recordNpsResponse"]["response"]["id"], "score": 8 })
    );
}

#[tokio::test]
async fn an_escalation_run_announces_each_task_it_moves_up() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let body = record(&app, &acme.contact_id, 1, "survey-1").await;
    data(&body);
    app.clock.advance(Duration::days(1));
    let mut client = WsClient::initialised(&app, &app.token).await;
    let escalated = "subscription { taskEscalated { id escalationLevel status } }";
    client.subscribe(&app, "1", escalated, json!({})).await;

    let run = app
        .graphql("mutation { runEscalationNow { outcome } }", json!({}))
        .await;

    assert_eq!(data(&run)["runEscalationNow"]["outcome"], "succeeded");
    let event = client.next_message().await.expect("an escalated task");
    let task = &event["payload"]["data"]["taskEscalated"];
    assert_eq!(task["escalationLevel"], 1);
    assert_eq!(task["status"], "OPEN");
}
