//! The built-in playbooks end to end: a response in through `recordNpsResponse`, the
//! project, tasks, emails and notes the NPS Detractor Blueprint prescribes out; and a
//! failing playbook refusing the response with everything it did.

use serde_json::{Value, json};

use super::{Customer, create_playbook, outbox, remove_template_behind_the_api};
use crate::helpers::{TestApp, data, error_code};
use crate::projects::tasks_of;

const RECORD: &str = "mutation($input: NpsResponseInput!) { recordNpsResponse(input: $input) {
    created emailsQueued tasksCreated projectsStarted { id severity } attachedToProject { id }
    response { id } } }";

/// Records a response of the customer's contact through the API; returns the payload.
async fn record(app: &TestApp, customer: &Customer, score: i64) -> Value {
    let input = json!({ "contactId": customer.contact_id, "score": score, "comment": "Support takes days to answer" });
    let body = app.graphql(RECORD, json!({ "input": input })).await;
    data(&body)["recordNpsResponse"].clone()
}

const PROJECTS: &str = "query($id: ID!) { projects(first: 10, accountId: $id) { edges { node {
    id name kind severity status triggeringResponseId
    milestones { title tasks { title assignee { email } } } } } } }";

pub(super) const NOTES: &str = "query($id: ID!) { notes(first: 10, projectId: $id) { edges { node { body author { email } } } } }";

pub(super) const HISTORY: &str = "query($id: ID!) { activities(projectId: $id, first: 50) { edges { node { action details } } } }";

pub(super) fn nodes(body: &Value, list: &str) -> Vec<Value> {
    data(body)[list]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

pub(super) async fn projects(app: &TestApp, account_id: &Value) -> Vec<Value> {
    nodes(
        &app.graphql(PROJECTS, json!({ "id": account_id })).await,
        "projects",
    )
}

#[tokio::test]
async fn a_detractor_admin_starts_the_detractor_blueprint_with_high_severity_and_is_acknowledged() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;

    let recorded = record(&app, &acme, 2).await;

    let response = recorded["response"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        (&recorded["created"], &recorded["emailsQueued"]),
        (&json!(true), &json!(1))
    );
    let projects = projects(&app, &acme.account_id).await;
    assert_eq!(projects.len(), 1);
    let project = &projects[0];
    assert_eq!(
        (
            &project["kind"],
            &project["severity"],
            &project["status"],
            &project["triggeringResponseId"]
        ),
        (
            &json!("NPS_DETRACTOR"),
            &json!("HIGH"),
            &json!("ACTIVE"),
            &json!(response)
        )
    );
    let tasks = tasks_of(project);
    assert_eq!(tasks.len(), 10);
    let review = tasks
        .iter()
        .find(|t| t["title"] == "Review the case with your manager");
    assert_eq!(
        review.map(|t| &t["assignee"]["email"]),
        Some(&json!("manager@acme.io"))
    );
    assert!(
        tasks
            .iter()
            .filter(|t| t["title"] != "Review the case with your manager")
            .all(|t| t["assignee"]["email"] == "owner@acme.io")
    );
    assert_eq!(
        outbox(&app).await,
        [(
            "DETRACTOR_ACKNOWLEDGEMENT".to_owned(),
            "ada@acme.com".to_owned(),
            "owner@acme.io".to_owned(),
            "owner@acme.io".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_champion_detractor_gets_high_severity_and_a_user_detractor_normal() {
    let app = TestApp::spawn().await;
    let champion = Customer::create(&app, "Acme", json!({}), "CHAMPION").await;
    let user = Customer::create(&app, "Globex", json!({}), "USER").await;

    record(&app, &champion, 6).await;
    record(&app, &user, 0).await;

    assert_eq!(
        projects(&app, &champion.account_id).await[0]["severity"],
        "HIGH"
    );
    assert_eq!(
        projects(&app, &user.account_id).await[0]["severity"],
        "NORMAL"
    );
}

#[tokio::test]
async fn a_second_detractor_response_is_attached_to_the_open_project_with_a_note() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    record(&app, &acme, 4).await;

    let recorded = record(&app, &acme, 1).await;

    let projects = projects(&app, &acme.account_id).await;
    assert_eq!(projects.len(), 1);
    let project_id = projects[0]["id"].clone();
    assert_eq!(recorded["attachedToProject"]["id"], project_id);
    assert_eq!(recorded["projectsStarted"], json!([]));
    let second = recorded["response"]["id"].clone();
    let notes = nodes(
        &app.graphql(NOTES, json!({ "id": project_id })).await,
        "notes",
    );
    assert_eq!(notes.len(), 1);
    let body = notes[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("1 out of 10") && body.contains("Support takes days to answer"),
        "{body}"
    );
    assert_eq!(notes[0]["author"], Value::Null);
    let history = nodes(
        &app.graphql(HISTORY, json!({ "id": project_id })).await,
        "activities",
    );
    let attached = history
        .iter()
        .find(|a| a["action"] == "project.response_attached");
    assert_eq!(attached.map(|a| &a["details"]["responseId"]), Some(&second));
}

#[tokio::test]
async fn a_promoter_is_thanked_by_their_csm_who_gets_an_advocacy_follow_up_task() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;

    let recorded = record(&app, &acme, 9).await;

    assert_eq!(
        outbox(&app).await,
        [(
            "PROMOTER_THANK_YOU".to_owned(),
            "ada@acme.com".to_owned(),
            "owner@acme.io".to_owned(),
            "owner@acme.io".to_owned()
        )]
    );
    let body = app
        .graphql(
            "query($id: ID!) { tasks(first: 10, filter: { accountId: $id }) { edges { node { title assignee { email } project { id } } } } }",
            json!({ "id": acme.account_id }),
        )
        .await;
    assert_eq!(
        nodes(&body, "tasks"),
        [
            json!({ "title": "Follow up on advocacy interest", "assignee": { "email": "owner@acme.io" }, "project": null })
        ]
    );
    assert_eq!(
        (&recorded["projectsStarted"], &recorded["tasksCreated"]),
        (&json!([]), &json!(1))
    );
}

#[tokio::test]
async fn a_passive_response_changes_nothing_by_default() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;

    let recorded = record(&app, &acme, 8).await;

    assert_eq!(
        (
            &recorded["emailsQueued"],
            &recorded["tasksCreated"],
            &recorded["projectsStarted"]
        ),
        (&json!(0), &json!(0), &json!([]))
    );
    assert!(projects(&app, &acme.account_id).await.is_empty());
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_playbook_that_fails_refuses_the_response_and_keeps_nothing_it_did() {
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
    create_playbook(
        &app,
        json!({ "name": "Broken", "trigger": "NPS_RESPONSE_RECORDED", "actions": actions }),
    )
    .await;
    remove_template_behind_the_api(&app, &template).await;

    let input = json!({ "contactId": acme.contact_id, "score": 3, "externalId": "survey-1" });
    let body = app.graphql(RECORD, json!({ "input": input })).await;

    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let responses = app
        .graphql(
            "{ npsResponses(first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&responses)["npsResponses"]["edges"], json!([]));
    assert!(projects(&app, &acme.account_id).await.is_empty());
    assert!(outbox(&app).await.is_empty());
}
