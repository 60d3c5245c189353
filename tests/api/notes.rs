//! Notes and conversations on an account: writing them, who may change a note, refusals,
//! isolation.

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::entities::enums::{MemberRole, ProjectKind, ProjectStatus, Severity};
use closeloop::entities::project;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{create_account, default_workspace_id};
use crate::contacts::create_contact;
use crate::helpers::{TestApp, data, error_code};

const ADD: &str = "mutation($input: AddNoteInput!) { addNote(input: $input) { id body accountId projectId author { email } } }";
const UPDATE: &str =
    "mutation($id: ID!, $body: String!) { updateNote(id: $id, body: $body) { body } }";
const DELETE: &str = "mutation($id: ID!) { deleteNote(id: $id) }";
const LIST: &str =
    "query($a: ID, $p: ID) { notes(accountId: $a, projectId: $p) { edges { node { body } } } }";
const LOG: &str = "mutation($input: LogConversationInput!) { logConversation(input: $input) { id direction channel subject body occurredAt contact { email } member { email } } }";

/// Starts a bare project on an account, straight in the database; returns its id.
#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
pub async fn start_project(app: &TestApp, account_id: &Value) -> Value {
    let now = app.clock.now();
    let project = project::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(default_workspace_id(app).await),
        account_id: Set(
            Uuid::parse_str(account_id.as_str().unwrap_or_default()).expect("account id")
        ),
        template_id: Set(None),
        kind: Set(ProjectKind::Custom),
        name: Set("Recovery".into()),
        status: Set(ProjectStatus::Active),
        severity: Set(Severity::Normal),
        owner_id: Set(None),
        triggering_response_id: Set(None),
        starts_at: Set(now),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("project");
    json!(project.id.to_string())
}

async fn add_note(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(token, ADD, json!({ "input": input })).await
}

fn bodies(body: &Value, field: &str) -> Vec<String> {
    body["data"][field]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|e| e["node"]["body"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_note_is_written_on_an_account_or_its_project_and_recorded() {
    let app = TestApp::spawn().await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let project = start_project(&app, &account).await;

    let on_account = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "body": "Renewal is at risk." }),
    )
    .await;
    let on_project = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "projectId": project, "body": "Called Ada." }),
    )
    .await;

    assert_eq!(
        data(&on_account)["addNote"]["author"]["email"],
        "admin@closeloop.localhost"
    );
    assert_eq!(data(&on_project)["addNote"]["projectId"], project);
    let of_account = app.graphql(LIST, json!({ "a": account })).await;
    let of_project = app.graphql(LIST, json!({ "p": project })).await;
    assert_eq!(
        bodies(&of_account, "notes"),
        ["Renewal is at risk.", "Called Ada."]
    );
    assert_eq!(bodies(&of_project, "notes"), ["Called Ada."]);
    let history = app
        .graphql(
            "query($a: ID!) { activities(accountId: $a) { edges { node { action } } } }",
            json!({ "a": account }),
        )
        .await;
    let actions: Vec<_> = data(&history)["activities"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|e| e["node"]["action"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            json!("account.created"),
            json!("note.added"),
            json!("note.added")
        ]
    );
}

#[tokio::test]
async fn empty_or_overlong_bodies_and_foreign_projects_are_refused() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let other = create_account(&app, json!({ "name": "Globex" })).await;
    let others_project = start_project(&app, &other).await;

    let empty = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "body": " \n " }),
    )
    .await;
    let long = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "body": "x".repeat(20_001) }),
    )
    .await;
    let foreign = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "projectId": others_project, "body": "Hi" }),
    )
    .await;
    let unknown = add_note(
        &app,
        &app.token,
        json!({ "accountId": "0190d9a0-0000-7000-8000-000000000000", "body": "Hi" }),
    )
    .await;
    let by_viewer = add_note(&app, &viewer, json!({ "accountId": account, "body": "Hi" })).await;

    assert_eq!(empty["errors"][0]["extensions"]["field"], "body");
    assert_eq!(long["errors"][0]["extensions"]["field"], "body");
    assert_eq!(foreign["errors"][0]["extensions"]["field"], "projectId");
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    assert_eq!(error_code(&by_viewer), Some("FORBIDDEN"));
    let listed = app.graphql(LIST, json!({})).await;
    assert!(bodies(&listed, "notes").is_empty());
}

#[tokio::test]
async fn only_the_author_or_a_manager_changes_or_deletes_a_note() {
    let app = TestApp::spawn().await;
    let sam = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let kim = app
        .token_for("Default workspace", "kim@acme.io", MemberRole::Csm)
        .await;
    let maria = app
        .token_for("Default workspace", "maria@acme.io", MemberRole::Manager)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let note = add_note(
        &app,
        &sam,
        json!({ "accountId": account, "body": "First draft" }),
    )
    .await;
    let id = data(&note)["addNote"]["id"].clone();

    let by_colleague = app
        .graphql_as(&kim, UPDATE, json!({ "id": id, "body": "Mine now" }))
        .await;
    let deleted_by_colleague = app.graphql_as(&kim, DELETE, json!({ "id": id })).await;
    let by_author = app
        .graphql_as(&sam, UPDATE, json!({ "id": id, "body": "Second draft" }))
        .await;
    let by_manager = app
        .graphql_as(&maria, UPDATE, json!({ "id": id, "body": "Edited" }))
        .await;

    assert_eq!(error_code(&by_colleague), Some("FORBIDDEN"));
    assert_eq!(error_code(&deleted_by_colleague), Some("FORBIDDEN"));
    assert_eq!(data(&by_author)["updateNote"]["body"], "Second draft");
    assert_eq!(data(&by_manager)["updateNote"]["body"], "Edited");
    let deleted = app.graphql_as(&sam, DELETE, json!({ "id": id })).await;
    assert_eq!(data(&deleted)["deleteNote"], true);
    assert!(bodies(&app.graphql(LIST, json!({})).await, "notes").is_empty());
}

#[tokio::test]
async fn another_workspace_cannot_read_change_or_delete_a_note() {
    let app = TestApp::spawn().await;
    let globex = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let note = add_note(
        &app,
        &app.token,
        json!({ "accountId": account, "body": "Private" }),
    )
    .await;
    let id = data(&note)["addNote"]["id"].clone();

    let listed = app.graphql_as(&globex, LIST, json!({ "a": account })).await;
    let updated = app
        .graphql_as(&globex, UPDATE, json!({ "id": id, "body": "Hacked" }))
        .await;
    let deleted = app.graphql_as(&globex, DELETE, json!({ "id": id })).await;
    let added = add_note(&app, &globex, json!({ "accountId": account, "body": "Hi" })).await;

    assert!(bodies(&listed, "notes").is_empty());
    assert_eq!(error_code(&updated), Some("NOT_FOUND"));
    assert_eq!(error_code(&deleted), Some("NOT_FOUND"));
    assert_eq!(error_code(&added), Some("NOT_FOUND"));
    assert_eq!(
        bodies(&app.graphql(LIST, json!({})).await, "notes"),
        ["Private"]
    );
}

#[tokio::test]
async fn a_call_is_logged_with_its_contact_now_unless_dated() {
    let app = TestApp::spawn().await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, &account, "ada@acme.io").await;
    let input = json!({ "accountId": account, "contactId": ada, "direction": "INBOUND", "channel": "CALL", "body": "Ada called about the outage." });
    let yesterday = (app.clock.now() - Duration::days(1)).to_rfc3339();

    let now = app.graphql(LOG, json!({ "input": input })).await;
    let dated = app
        .graphql(LOG, json!({ "input": { "accountId": account, "direction": "OUTBOUND", "channel": "EMAIL", "subject": "Sorry", "body": "Hi", "occurredAt": yesterday } }))
        .await;

    let logged = &data(&now)["logConversation"];
    assert_eq!(logged["contact"]["email"], "ada@acme.io");
    assert_eq!(logged["member"]["email"], "admin@closeloop.localhost");
    assert_eq!(
        logged["occurredAt"]
            .as_str()
            .map(|t| t.starts_with("2026-03-02T09:00:00")),
        Some(true)
    );
    assert_eq!(
        data(&dated)["logConversation"]["occurredAt"]
            .as_str()
            .map(|t| t.starts_with("2026-03-01")),
        Some(true)
    );
    let query = "query($c: ID!) { conversations(contactId: $c) { edges { node { body } } } }";
    let of_ada = app.graphql(query, json!({ "c": ada })).await;
    assert_eq!(
        bodies(&of_ada, "conversations"),
        ["Ada called about the outage."]
    );
}

#[tokio::test]
async fn future_dates_other_accounts_contacts_and_viewers_are_refused() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let globex = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let other = create_account(&app, json!({ "name": "Initech" })).await;
    let bob = create_contact(&app, &other, "bob@initech.io").await;
    let input = |extra: Value| {
        let mut input = json!({ "accountId": account, "direction": "INBOUND", "channel": "CHAT", "body": "Hello" });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        json!({ "input": input })
    };
    let soon = (app.clock.now() + Duration::minutes(4)).to_rfc3339();
    let later = (app.clock.now() + Duration::minutes(6)).to_rfc3339();

    let future = app
        .graphql(LOG, input(json!({ "occurredAt": later })))
        .await;
    let foreign_contact = app.graphql(LOG, input(json!({ "contactId": bob }))).await;
    let by_viewer = app.graphql_as(&viewer, LOG, input(json!({}))).await;
    let by_globex = app.graphql_as(&globex, LOG, input(json!({}))).await;
    let within_skew = app.graphql(LOG, input(json!({ "occurredAt": soon }))).await;

    assert_eq!(future["errors"][0]["extensions"]["field"], "occurredAt");
    assert_eq!(
        foreign_contact["errors"][0]["extensions"]["field"],
        "contactId"
    );
    assert_eq!(error_code(&by_viewer), Some("FORBIDDEN"));
    assert_eq!(error_code(&by_globex), Some("NOT_FOUND"));
    assert_eq!(data(&within_skew)["logConversation"]["body"], "Hello");
    let listed = app
        .graphql("{ conversations { edges { node { body } } } }", json!({}))
        .await;
    assert_eq!(bodies(&listed, "conversations").len(), 1);
}
