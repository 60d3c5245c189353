//! The built-in playbooks end to end: a response in, the project, tasks, emails and notes
//! the NPS Detractor Blueprint prescribes out.

use serde_json::{Value, json};

use super::{Customer, answer, outbox};
use crate::helpers::{TestApp, data};
use crate::projects::tasks_of;

const PROJECTS: &str = "query($id: ID!) { projects(first: 10, accountId: $id) { edges { node {
    id name kind severity status triggeringResponseId
    milestones { title tasks { title assignee { email } } } } } } }";

const NOTES: &str = "query($id: ID!) { notes(first: 10, projectId: $id) { edges { node { body author { email } } } } }";

const HISTORY: &str = "query($id: ID!) { activities(projectId: $id, first: 50) { edges { node { action details } } } }";

fn nodes(body: &Value, list: &str) -> Vec<Value> {
    data(body)[list]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

async fn projects(app: &TestApp, account_id: &Value) -> Vec<Value> {
    nodes(
        &app.graphql(PROJECTS, json!({ "id": account_id })).await,
        "projects",
    )
}

#[tokio::test]
async fn a_detractor_admin_starts_the_detractor_blueprint_with_high_severity_and_is_acknowledged() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;

    let (response, _) = answer(&app, &acme.contact_id, 2).await;

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
            &json!(response.to_string())
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

    answer(&app, &champion.contact_id, 6).await;
    answer(&app, &user.contact_id, 0).await;

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
    answer(&app, &acme.contact_id, 4).await;

    let (second, effects) = answer(&app, &acme.contact_id, 1).await;

    let projects = projects(&app, &acme.account_id).await;
    assert_eq!(projects.len(), 1);
    let project_id = projects[0]["id"].clone();
    assert_eq!(
        effects.attached_to_project.map(|id| id.to_string()),
        project_id.as_str().map(str::to_owned)
    );
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
    assert_eq!(
        attached.map(|a| &a["details"]["responseId"]),
        Some(&json!(second.to_string()))
    );
}

#[tokio::test]
async fn a_promoter_is_thanked_by_their_csm_who_gets_an_advocacy_follow_up_task() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;

    let (_, effects) = answer(&app, &acme.contact_id, 9).await;

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
    assert!(effects.projects_started.is_empty());
}

#[tokio::test]
async fn a_passive_response_changes_nothing_by_default() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;

    let (_, effects) = answer(&app, &acme.contact_id, 8).await;

    assert_eq!(effects, closeloop::playbooks::engine::Effects::default());
    assert!(projects(&app, &acme.account_id).await.is_empty());
    assert!(outbox(&app).await.is_empty());
}
