//! Each action; replays; a failing action rolling everything back; the project-completed
//! and task-overdue triggers.

use closeloop::clock::Clock;
use closeloop::entities::task;
use closeloop::playbooks::engine::on_task_overdue;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::{
    Customer, answer, create_playbook, disable_builtins, outbox, remove_template_behind_the_api,
    respond, runs,
};
use crate::email::uuid;
use crate::helpers::{TestApp, data};

const TASKS: &str = "query($id: ID!) { tasks(first: 50, filter: { accountId: $id }) {
    edges { node { title dueAt priority assignee { email } project { id } } } } }";

const PROJECTS: &str = "query($id: ID!) { projects(first: 10, accountId: $id) {
    edges { node { id name severity status triggeringResponseId } } } }";

fn nodes(body: &Value, list: &str) -> Vec<Value> {
    data(body)[list]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

async fn playbook(app: &TestApp, trigger: &str, conditions: Value, actions: Value) -> Value {
    let input = json!({ "name": "Under test", "trigger": trigger, "conditions": conditions, "actions": actions });
    let body = create_playbook(app, input).await;
    data(&body)["createPlaybook"]["id"].clone()
}

/// A custom blueprint with one task; returns its id.
async fn custom_template(app: &TestApp) -> Value {
    let input = json!({ "name": "Renewal at risk", "milestones": [
        { "title": "Assess", "tasks": [{ "title": "Review usage", "dueOffsetDays": 1 }] }
    ] });
    let body = app
        .graphql(
            "mutation($input: CreateProjectTemplateInput!) { createProjectTemplate(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    data(&body)["createProjectTemplate"]["id"].clone()
}

#[tokio::test]
async fn a_create_task_action_assigns_by_rule_with_its_due_date_and_priority() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let task = json!({ "title": "Call the account", "dueInDays": 2, "assignee": "OWNER_MANAGER", "priority": "HIGH" });
    playbook(
        &app,
        "NPS_RESPONSE_RECORDED",
        json!({}),
        json!([{ "createTask": task }]),
    )
    .await;

    answer(&app, &acme.contact_id, 5).await;

    let tasks = nodes(
        &app.graphql(TASKS, json!({ "id": acme.account_id })).await,
        "tasks",
    );
    let due = (app.clock.now() + chrono::Duration::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        (
            &tasks[0]["title"],
            &tasks[0]["priority"],
            &tasks[0]["assignee"]["email"]
        ),
        (
            &json!("Call the account"),
            &json!("HIGH"),
            &json!("manager@acme.io")
        )
    );
    assert_eq!(
        crate::projects::at(&tasks[0]["dueAt"]).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        due
    );
}

#[tokio::test]
async fn a_start_project_action_starts_its_template_with_a_fixed_severity_for_the_response() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;
    let template = custom_template(&app).await;
    let start = json!({ "template": { "templateId": template }, "severity": "LOW" });
    playbook(
        &app,
        "NPS_RESPONSE_RECORDED",
        json!({}),
        json!([{ "startProject": start }]),
    )
    .await;

    let (response, effects) = answer(&app, &acme.contact_id, 8).await;

    let projects = nodes(
        &app.graphql(PROJECTS, json!({ "id": acme.account_id }))
            .await,
        "projects",
    );
    assert_eq!(effects.projects_started.len(), 1);
    assert_eq!(
        (
            &projects[0]["name"],
            &projects[0]["severity"],
            &projects[0]["triggeringResponseId"]
        ),
        (
            &json!("Renewal at risk: Acme"),
            &json!("LOW"),
            &json!(response.to_string())
        )
    );
}

#[tokio::test]
async fn a_send_email_action_queues_from_the_owner_and_can_hold_it_for_review() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let email = json!({ "template": "PROMOTER_THANK_YOU", "holdForReview": true });
    playbook(
        &app,
        "NPS_RESPONSE_RECORDED",
        json!({}),
        json!([{ "sendEmail": email }]),
    )
    .await;

    answer(&app, &acme.contact_id, 10).await;

    let body = app
        .graphql(
            "{ emails(first: 5) { edges { node { template status to replyTo } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        nodes(&body, "emails"),
        [
            json!({ "template": "PROMOTER_THANK_YOU", "status": "HELD", "to": "ada@acme.com", "replyTo": "owner@acme.io" })
        ]
    );
}

#[tokio::test]
async fn a_notify_member_action_emails_the_member_and_records_activity_naming_the_playbook() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    app.graphql(
        "mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id } }",
        json!({ "input": { "headOfCsId": acme.manager_id } }),
    )
    .await;
    let actions = json!([
        { "notifyMember": { "target": "HEAD_OF_CS", "message": "A detractor at Acme" } },
        { "notifyMember": { "target": "MEMBER", "memberId": acme.owner_id } }
    ]);
    playbook(&app, "NPS_RESPONSE_RECORDED", json!({}), actions).await;

    let (_, effects) = answer(&app, &acme.contact_id, 2).await;

    let sent: Vec<(String, String)> = outbox(&app)
        .await
        .into_iter()
        .map(|(t, to, _, _)| (t, to))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "MEMBER_NOTIFICATION".to_owned(),
                "manager@acme.io".to_owned()
            ),
            ("MEMBER_NOTIFICATION".to_owned(), "owner@acme.io".to_owned())
        ]
    );
    assert_eq!(
        effects.members_notified,
        [uuid(&acme.manager_id), uuid(&acme.owner_id)]
    );
    let history = app
        .graphql("query($id: ID!) { activities(accountId: $id, first: 50) { edges { node { action details actor { email } } } } }", json!({ "id": acme.account_id }))
        .await;
    let notified: Vec<Value> = nodes(&history, "activities")
        .into_iter()
        .filter(|a| a["details"]["action"] == "NOTIFY_MEMBER")
        .collect();
    assert_eq!(notified.len(), 2);
    assert_eq!(
        (&notified[0]["details"]["playbook"], &notified[0]["actor"]),
        (&json!("Under test"), &Value::Null)
    );
}

#[tokio::test]
async fn replaying_an_event_runs_each_playbook_once() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;
    let (response_id, first) = answer(&app, &acme.contact_id, 3).await;
    let response = closeloop::surveys::service::find(
        &app.db,
        crate::accounts::default_workspace_id(&app).await,
        response_id,
    )
    .await
    .expect("response");

    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    let replay =
        closeloop::playbooks::engine::on_response_recorded(&txn, &response, app.clock.now())
            .await
            .expect("replay");
    txn.commit().await.expect("commit");

    assert_eq!(
        (first.projects_started.len(), first.emails_queued.len()),
        (1, 1)
    );
    assert_eq!(replay, closeloop::playbooks::engine::Effects::default());
    let projects = nodes(
        &app.graphql(PROJECTS, json!({ "id": acme.account_id }))
            .await,
        "projects",
    );
    assert_eq!((projects.len(), outbox(&app).await.len()), (1, 1));
}

#[tokio::test]
async fn a_failing_action_rolls_back_the_response_and_every_effect() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let template = custom_template(&app).await;
    let actions = json!([
        { "createTask": { "title": "Before the failure", "dueInDays": 1, "assignee": "ACCOUNT_OWNER" } },
        { "sendEmail": { "template": "DETRACTOR_ACKNOWLEDGEMENT" } },
        { "startProject": { "template": { "templateId": template }, "severity": "HIGH" } }
    ]);
    playbook(&app, "NPS_RESPONSE_RECORDED", json!({}), actions).await;
    remove_template_behind_the_api(&app, &template).await;

    let outcome = respond(&app, &acme.contact_id, 2).await;

    assert!(outcome.is_err());
    let responses = app
        .graphql(
            "{ npsResponses(first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(nodes(&responses, "npsResponses"), Vec::<Value>::new());
    assert_eq!(
        nodes(
            &app.graphql(TASKS, json!({ "id": acme.account_id })).await,
            "tasks"
        ),
        Vec::<Value>::new()
    );
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_project_completed_playbook_fires_when_a_detractor_project_is_completed() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let completed = playbook(
        &app,
        "PROJECT_COMPLETED",
        json!({ "categories": ["DETRACTOR"] }),
        json!([{ "notifyMember": { "target": "ACCOUNT_OWNER", "message": "Check in with Ada next week" } }]),
    )
    .await;
    let (response, effects) = answer(&app, &acme.contact_id, 3).await;
    let project = effects.projects_started[0].to_string();

    let body = app
        .graphql(
            "mutation($id: ID!) { completeProject(id: $id) { status } }",
            json!({ "id": project }),
        )
        .await;

    assert_eq!(data(&body)["completeProject"]["status"], "COMPLETED");
    assert_eq!(
        runs(&app, &completed).await,
        [("FIRED".to_owned(), response.to_string())]
    );
    let notices: Vec<String> = outbox(&app)
        .await
        .into_iter()
        .filter(|(t, ..)| t == "MEMBER_NOTIFICATION")
        .map(|(_, to, ..)| to)
        .collect();
    assert_eq!(notices, ["owner@acme.io"]);
}

#[tokio::test]
async fn a_task_overdue_playbook_runs_for_the_overdue_task_of_a_detractor_project() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "ADMIN").await;
    let overdue = playbook(
        &app,
        "TASK_OVERDUE",
        json!({ "contactRoles": ["ADMIN"] }),
        json!([{ "createTask": { "title": "Call the admin today", "dueInDays": 0, "assignee": "OWNER_MANAGER", "priority": "URGENT" } }]),
    )
    .await;
    let (_, effects) = answer(&app, &acme.contact_id, 3).await;
    let task = task::Entity::find()
        .filter(task::Column::ProjectId.eq(effects.projects_started[0]))
        .one(&app.db)
        .await
        .expect("query")
        .expect("a task of the project");

    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    let fired = on_task_overdue(&txn, &task, app.clock.now())
        .await
        .expect("playbooks");
    txn.commit().await.expect("commit");

    assert_eq!(fired.tasks_created.len(), 1);
    assert_eq!(runs(&app, &overdue).await.len(), 1);
    let tasks = nodes(
        &app.graphql(TASKS, json!({ "id": acme.account_id })).await,
        "tasks",
    );
    let made: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["title"] == "Call the admin today")
        .collect();
    assert_eq!(made[0]["assignee"]["email"], "manager@acme.io");
}
