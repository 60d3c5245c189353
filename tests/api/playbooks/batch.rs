//! The playbooks of one bulk import: its rows are decided one after another in row order,
//! each seeing what the rows before it did, and the import costs the same statements
//! however many rows it has.

use closeloop::clock::Clock;
use serde_json::{Value, json};

use super::builtin::{HISTORY, NOTES, nodes, projects};
use super::{
    Customer, add_contact, create_playbook, disable_builtins, remove_template_behind_the_api,
    task_playbook,
};
use crate::helpers::{TestApp, data};

const IMPORT: &str = "mutation($rows: [NpsResponseInput!]!) { importNpsResponses(rows: $rows) { stored duplicates invalid errors { row reason } } }";

async fn import(app: &TestApp, rows: Value) -> Value {
    let body = app.graphql(IMPORT, json!({ "rows": rows })).await;
    data(&body)["importNpsResponses"].clone()
}

fn row(contact: &Value, score: i64, key: &str) -> Value {
    json!({ "contactId": contact, "score": score, "externalId": key, "comment": "Too slow" })
}

/// The outcomes of a playbook's runs, in the order they happened.
async fn outcomes(app: &TestApp, playbook: &Value) -> Vec<String> {
    super::runs(app, playbook)
        .await
        .into_iter()
        .map(|(outcome, _)| outcome)
        .collect()
}

#[tokio::test]
async fn two_detractor_rows_of_one_account_in_one_import_start_one_project_and_attach_the_second() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;

    let report = import(
        &app,
        json!([
            row(&acme.contact_id, 4, "s-1"),
            row(&acme.contact_id, 2, "s-2")
        ]),
    )
    .await;

    assert_eq!(report["stored"], 2, "{report}");
    let projects = projects(&app, &acme.account_id).await;
    assert_eq!(projects.len(), 1);
    let notes = nodes(
        &app.graphql(NOTES, json!({ "id": projects[0]["id"] })).await,
        "notes",
    );
    assert_eq!(notes.len(), 1);
    let body = notes[0]["body"].as_str().unwrap_or_default();
    assert!(body.contains("2 out of 10"), "{body}");
    let history = nodes(
        &app.graphql(HISTORY, json!({ "id": projects[0]["id"] }))
            .await,
        "activities",
    );
    assert!(
        history
            .iter()
            .any(|a| a["action"] == "project.response_attached")
    );
}

#[tokio::test]
async fn a_frequency_bound_holds_across_the_rows_of_one_import() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let bob = add_contact(&app, &acme.account_id, "bob@acme.com", "USER").await;
    let playbook = task_playbook(
        &app,
        json!({ "frequency": { "days": 7, "per": "ACCOUNT" } }),
    )
    .await;

    import(
        &app,
        json!([row(&acme.contact_id, 4, "f-1"), row(&bob, 3, "f-2")]),
    )
    .await;

    assert_eq!(outcomes(&app, &playbook).await, ["FIRED", "RATE_LIMITED"]);
}

#[tokio::test]
async fn a_snoozed_account_in_an_import_is_held_back_while_the_others_fire() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let globex = Customer::create(&app, "Globex", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({})).await;
    let until = (app.clock.now() + chrono::Duration::days(3)).to_rfc3339();
    app.graphql(
        "mutation($p: ID!, $a: ID!, $until: DateTime!) { snoozePlaybook(playbookId: $p, accountId: $a, until: $until) { until } }",
        json!({ "p": playbook, "a": acme.account_id, "until": until }),
    )
    .await;

    import(
        &app,
        json!([
            row(&acme.contact_id, 4, "z-1"),
            row(&globex.contact_id, 4, "z-2")
        ]),
    )
    .await;

    assert_eq!(outcomes(&app, &playbook).await, ["SNOOZED", "FIRED"]);
}

/// The emails of the assignees of an account's project's tasks.
async fn assignees(app: &TestApp, account_id: &Value) -> Vec<String> {
    let mut emails: Vec<String> = projects(app, account_id)
        .await
        .iter()
        .flat_map(|p| p["milestones"].as_array().cloned().unwrap_or_default())
        .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["assignee"]["email"].as_str().map(str::to_owned))
        .collect();
    emails.sort();
    emails.dedup();
    emails
}

#[tokio::test]
async fn rows_of_many_accounts_in_one_import_each_start_their_own_project_for_their_owners() {
    let app = TestApp::spawn().await;
    let mut customers = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        customers.push(Customer::create(&app, name, json!({}), "ADMIN").await);
    }
    let rows: Vec<Value> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| row(&c.contact_id, 3, &format!("m-{i}")))
        .collect();

    import(&app, json!(rows)).await;

    for (customer, slug) in customers.iter().zip(["acme", "globex", "initech"]) {
        let projects = projects(&app, &customer.account_id).await;
        assert_eq!(projects.len(), 1, "{slug}");
        assert_eq!(projects[0]["severity"], "HIGH");
        assert_eq!(
            assignees(&app, &customer.account_id).await,
            [format!("manager@{slug}.io"), format!("owner@{slug}.io")]
        );
    }
}

/// Imports `rows` rows over 10 fresh accounts, a mix of detractors, passives and
/// promoters answering twice or more, from a CSV file as `closeloop import responses`
/// does; returns the statements the import cost. (Over the API, the live events sent to
/// other processes after the commit add a notification per batch of events.)
#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
async fn statements_of_an_import(rows: usize) -> usize {
    let app = TestApp::spawn().await;
    let mut contacts = Vec::new();
    for i in 0..10 {
        let customer = Customer::create(&app, &format!("Acme{i}"), json!({}), "USER").await;
        contacts.push(customer.contact_id);
    }
    let mut csv = String::from("external_id,contact_id,score,comment\n");
    for i in 0..rows {
        let contact = contacts[i % 10].as_str().unwrap_or_default();
        let score = [4, 9, 7, 2, 10][i % 5];
        csv.push_str(&format!("n-{i},{contact},{score},Too slow\n"));
    }
    let workspace = closeloop::values::Name::parse(
        "name",
        closeloop::workspaces::service::DEFAULT_WORKSPACE_NAME,
    )
    .expect("name");

    app.reset_statements();
    let report = closeloop::surveys::import::import_csv(
        &app.db,
        &workspace,
        csv.as_bytes(),
        app.clock.now(),
    )
    .await
    .expect("import");

    assert_eq!((report.stored, report.invalid.len()), (rows, 0));
    app.statement_count()
}

#[tokio::test]
async fn the_statements_of_a_bulk_import_do_not_grow_with_its_rows() {
    let small = statements_of_an_import(20).await;
    let large = statements_of_an_import(200).await;

    assert_eq!(small, large, "statements for 20 rows vs 200");
}

#[tokio::test]
async fn a_chunk_that_fails_is_reported_row_by_row_and_the_chunks_before_it_are_kept() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
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
    let conditions = json!({ "scoreMin": 0, "scoreMax": 0 });
    create_playbook(
        &app,
        json!({ "name": "Broken for zeros", "trigger": "NPS_RESPONSE_RECORDED", "conditions": conditions, "actions": actions }),
    )
    .await;
    remove_template_behind_the_api(&app, &template).await;
    let mut rows: Vec<Value> = (0..1_000)
        .map(|i| row(&acme.contact_id, 8, &format!("c-{i}")))
        .collect();
    rows.push(row(&acme.contact_id, 0, "c-zero"));

    let report = import(&app, json!(rows)).await;

    assert_eq!(
        (&report["stored"], &report["invalid"]),
        (&json!(1_000), &json!(1))
    );
    assert_eq!(report["errors"][0]["row"], 1_001);
    let reason = report["errors"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("rolled back"), "{reason}");
}
