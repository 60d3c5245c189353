//! Accounts: creation, changes and their history, filters, paging, refusals, isolation.

use closeloop::entities::enums::{MemberRole, NpsCategory};
use closeloop::values::Name;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::contacts::{create_contact, respond};
use crate::helpers::{TestApp, data, error_code};
use crate::notes::start_project;
use crate::projects::start_detractor;

const CREATE: &str = "mutation($input: CreateAccountInput!) { createAccount(input: $input) { id name externalId segment mrrCents owner { email } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateAccountInput!) { updateAccount(id: $id, input: $input) { id name externalId segment mrrCents owner { email } } }";
const READ: &str =
    "query($id: ID!) { account(id: $id) { name externalId segment mrrCents owner { email } } }";
const HISTORY: &str = "query($id: ID!) { activities(accountId: $id, first: 50) { edges { node { action details actor { email } } } } }";

/// Creates an account with `input` as the default admin; returns its id.
pub async fn create_account(app: &TestApp, input: Value) -> Value {
    let body = app.graphql(CREATE, json!({ "input": input })).await;
    data(&body)["createAccount"]["id"].clone()
}

/// The id of the default workspace, for seeding through service functions.
#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
pub async fn default_workspace_id(app: &TestApp) -> Uuid {
    let name = Name::parse("name", "Default workspace").expect("name");
    closeloop::workspaces::service::find_by_name(&app.db, &name)
        .await
        .expect("query")
        .expect("default workspace")
        .id
}

/// The id of the member holding `token`.
pub async fn member_id(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(token, "{ viewer { member { id } } }", json!({}))
        .await;
    data(&body)["viewer"]["member"]["id"].clone()
}

/// The actions recorded on an account, oldest first, with their details.
async fn history(app: &TestApp, account_id: &Value) -> Vec<(String, Value)> {
    let body = app.graphql(HISTORY, json!({ "id": account_id })).await;
    data(&body)["activities"]["edges"]
        .as_array()
        .map(|edges| {
            let action = |e: &Value| e["node"]["action"].as_str().unwrap_or_default().to_owned();
            edges
                .iter()
                .map(|e| (action(e), e["node"]["details"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn names(body: &Value, field: &str) -> Vec<String> {
    body["data"][field]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|e| e["node"]["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_csm_creates_an_account_that_can_be_found_by_id_and_external_id() {
    let app = TestApp::spawn().await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let sam = member_id(&app, &csm).await;
    let input = json!({ "name": " Acme Corp ", "externalId": "crm-1", "ownerId": sam, "mrrCents": 4_900_000_i64, "segment": "enterprise" });

    let created = app
        .graphql_as(&csm, CREATE, json!({ "input": input }))
        .await;

    let account = &data(&created)["createAccount"];
    assert_eq!(account["name"], "Acme Corp");
    assert_eq!(account["owner"]["email"], "sam@acme.io");
    assert_eq!(account["mrrCents"], 4_900_000);
    let by_id = app.graphql(READ, json!({ "id": account["id"] })).await;
    assert_eq!(data(&by_id)["account"]["segment"], "enterprise");
    let by_external = app
        .graphql(
            "{ accountByExternalId(externalId: \"crm-1\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&by_external)["accountByExternalId"]["id"],
        account["id"]
    );
    let recorded = history(&app, &account["id"]).await;
    assert_eq!(recorded[0].0, "account.created");
}

#[tokio::test]
async fn mrr_beyond_32_bits_round_trips() {
    let app = TestApp::spawn().await;

    let id = create_account(
        &app,
        json!({ "name": "Big", "mrrCents": 900_000_000_000_i64 }),
    )
    .await;

    let read = app.graphql(READ, json!({ "id": id })).await;
    assert_eq!(data(&read)["account"]["mrrCents"], 900_000_000_000_i64);
}

#[tokio::test]
async fn invalid_account_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let vera = member_id(&app, &viewer).await;
    let unknown = "0190d9a0-0000-7000-8000-000000000000";

    let empty_name = app
        .graphql(CREATE, json!({ "input": { "name": "  " } }))
        .await;
    let negative = app
        .graphql(CREATE, json!({ "input": { "name": "A", "mrrCents": -1 } }))
        .await;
    let bad_owner = app
        .graphql(
            CREATE,
            json!({ "input": { "name": "A", "ownerId": "nope" } }),
        )
        .await;
    let unknown_owner = app
        .graphql(
            CREATE,
            json!({ "input": { "name": "A", "ownerId": unknown } }),
        )
        .await;
    let viewer_owner = app
        .graphql(CREATE, json!({ "input": { "name": "A", "ownerId": vera } }))
        .await;

    assert_eq!(error_code(&empty_name), Some("BAD_USER_INPUT"));
    assert_eq!(empty_name["errors"][0]["extensions"]["field"], "name");
    assert_eq!(negative["errors"][0]["extensions"]["field"], "mrrCents");
    assert_eq!(bad_owner["errors"][0]["extensions"]["field"], "ownerId");
    assert_eq!(error_code(&unknown_owner), Some("NOT_FOUND"));
    assert_eq!(viewer_owner["errors"][0]["extensions"]["field"], "ownerId");
    let list = app
        .graphql("{ accounts { edges { node { name } } } }", json!({}))
        .await;
    assert!(names(&list, "accounts").is_empty());
}

#[tokio::test]
async fn a_duplicate_external_id_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    create_account(&app, json!({ "name": "Acme", "externalId": "crm-1" })).await;
    let other = create_account(&app, json!({ "name": "Globex", "externalId": "crm-2" })).await;

    let created = app
        .graphql(
            CREATE,
            json!({ "input": { "name": "Copy", "externalId": "crm-1" } }),
        )
        .await;
    let updated = app
        .graphql(
            UPDATE,
            json!({ "id": other, "input": { "name": "Renamed", "externalId": "crm-1" } }),
        )
        .await;

    assert_eq!(error_code(&created), Some("CONFLICT"));
    assert_eq!(error_code(&updated), Some("CONFLICT"));
    let read = app.graphql(READ, json!({ "id": other })).await;
    assert_eq!(data(&read)["account"]["name"], "Globex");
    assert_eq!(data(&read)["account"]["externalId"], "crm-2");
}

#[tokio::test]
async fn an_update_records_each_changed_field_from_and_to() {
    let app = TestApp::spawn().await;
    let id = create_account(
        &app,
        json!({ "name": "Acme", "mrrCents": 100, "segment": "smb" }),
    )
    .await;

    let body = app
        .graphql(
            UPDATE,
            json!({ "id": id, "input": { "name": "Acme Inc", "mrrCents": 250, "segment": null } }),
        )
        .await;

    let account = &data(&body)["updateAccount"];
    assert_eq!(account["name"], "Acme Inc");
    assert_eq!(account["segment"], Value::Null);
    let recorded = history(&app, &id).await;
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].0, "account.updated");
    assert_eq!(
        recorded[1].1,
        json!({ "name": { "from": "Acme", "to": "Acme Inc" }, "mrrCents": { "from": 100, "to": 250 }, "segment": { "from": "smb", "to": null } })
    );
}

#[tokio::test]
async fn a_new_owner_is_recorded_as_an_owner_change() {
    let app = TestApp::spawn().await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let sam = member_id(&app, &csm).await;
    let admin = member_id(&app, &app.token).await;
    let id = create_account(&app, json!({ "name": "Acme", "ownerId": admin })).await;

    let body = app
        .graphql(UPDATE, json!({ "id": id, "input": { "ownerId": sam } }))
        .await;

    assert_eq!(
        data(&body)["updateAccount"]["owner"]["email"],
        "sam@acme.io"
    );
    let recorded = history(&app, &id).await;
    let actions: Vec<_> = recorded.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["account.created", "account.owner_changed"]);
    assert_eq!(recorded[1].1, json!({ "from": admin, "to": sam }));
}

#[tokio::test]
async fn viewers_cannot_change_accounts_and_only_admins_delete_them() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let id = create_account(&app, json!({ "name": "Acme" })).await;
    let delete = "mutation($id: ID!) { deleteAccount(id: $id) }";

    let created = app
        .graphql_as(&viewer, CREATE, json!({ "input": { "name": "X" } }))
        .await;
    let updated = app
        .graphql_as(
            &viewer,
            UPDATE,
            json!({ "id": id, "input": { "name": "X" } }),
        )
        .await;
    let deleted_by_csm = app.graphql_as(&csm, delete, json!({ "id": id })).await;
    let still_there = app.graphql(READ, json!({ "id": id })).await;
    let deleted = app.graphql(delete, json!({ "id": id })).await;

    assert_eq!(error_code(&created), Some("FORBIDDEN"));
    assert_eq!(error_code(&updated), Some("FORBIDDEN"));
    assert_eq!(error_code(&deleted_by_csm), Some("FORBIDDEN"));
    assert_eq!(data(&still_there)["account"]["name"], "Acme");
    assert_eq!(data(&deleted)["deleteAccount"], true);
    let gone = app.graphql(READ, json!({ "id": id })).await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"));
}

#[tokio::test]
async fn accounts_are_filtered_by_owner_segment_and_name() {
    let app = TestApp::spawn().await;
    let admin = member_id(&app, &app.token).await;
    create_account(
        &app,
        json!({ "name": "Acme Rockets", "ownerId": admin, "segment": "enterprise" }),
    )
    .await;
    create_account(&app, json!({ "name": "ACME Anvils", "segment": "smb" })).await;
    create_account(&app, json!({ "name": "Globex 100%" })).await;
    let query = "query($owner: ID, $segment: String, $search: String) { accounts(ownerId: $owner, segment: $segment, search: $search) { edges { node { name } } } }";

    let by_owner = app.graphql(query, json!({ "owner": admin })).await;
    let by_segment = app.graphql(query, json!({ "segment": "smb" })).await;
    let by_name = app.graphql(query, json!({ "search": "acme" })).await;
    let by_percent = app.graphql(query, json!({ "search": "0%" })).await;
    let no_wildcard = app.graphql(query, json!({ "search": "e%" })).await;

    assert_eq!(names(&by_owner, "accounts"), ["Acme Rockets"]);
    assert_eq!(names(&by_segment, "accounts"), ["ACME Anvils"]);
    assert_eq!(names(&by_name, "accounts"), ["Acme Rockets", "ACME Anvils"]);
    assert_eq!(names(&by_percent, "accounts"), ["Globex 100%"]);
    assert!(names(&no_wildcard, "accounts").is_empty());
}

#[tokio::test]
async fn paging_with_after_walks_every_account_once() {
    let app = TestApp::spawn().await;
    for n in 0..7 {
        create_account(&app, json!({ "name": format!("Account {n}") })).await;
    }
    let query = "query($after: String) { accounts(first: 3, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }";

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let body = app.graphql(query, json!({ "after": after })).await;
        seen.extend(names(&body, "accounts"));
        pages += 1;
        let info = &data(&body)["accounts"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }

    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..7).map(|n| format!("Account {n}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn another_workspace_cannot_read_change_or_delete_an_account() {
    let app = TestApp::spawn().await;
    let globex = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let id = create_account(&app, json!({ "name": "Acme", "externalId": "crm-1" })).await;

    let read = app.graphql_as(&globex, READ, json!({ "id": id })).await;
    let by_external = app
        .graphql_as(
            &globex,
            "{ accountByExternalId(externalId: \"crm-1\") { id } }",
            json!({}),
        )
        .await;
    let listed = app
        .graphql_as(
            &globex,
            "{ accounts { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let updated = app
        .graphql_as(
            &globex,
            UPDATE,
            json!({ "id": id, "input": { "name": "Hacked" } }),
        )
        .await;
    let deleted = app
        .graphql_as(
            &globex,
            "mutation($id: ID!) { deleteAccount(id: $id) }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(error_code(&read), Some("NOT_FOUND"));
    assert_eq!(error_code(&by_external), Some("NOT_FOUND"));
    assert!(names(&listed, "accounts").is_empty());
    assert_eq!(error_code(&updated), Some("NOT_FOUND"));
    assert_eq!(error_code(&deleted), Some("NOT_FOUND"));
    let mine = app.graphql(READ, json!({ "id": id })).await;
    assert_eq!(data(&mine)["account"]["name"], "Acme");
    let own = app
        .graphql_as(
            &globex,
            CREATE,
            json!({ "input": { "name": "Globex", "externalId": "crm-1" } }),
        )
        .await;
    assert_eq!(data(&own)["createAccount"]["externalId"], "crm-1");
}

#[tokio::test]
async fn a_page_of_accounts_shows_each_ones_contacts_projects_and_latest_response() {
    let app = TestApp::spawn().await;
    let acme = create_account(&app, json!({ "name": "Acme" })).await;
    create_account(&app, json!({ "name": "Globex" })).await;
    let ada = create_contact(&app, &acme, "ada@acme.io").await;
    create_contact(&app, &acme, "bob@acme.io").await;
    respond(&app, &ada, 2, NpsCategory::Detractor, 5).await;
    start_project(&app, &acme).await;
    let query = "{ accounts { edges { node {
        name latestResponse { score }
        contacts(first: 1) { edges { node { email latestResponse { score } } } pageInfo { hasNextPage } }
        all: contacts { edges { node { email } } }
        projects { edges { node { name } } }
    } } } }";

    let body = app.graphql(query, json!({})).await;

    let edges = &data(&body)["accounts"]["edges"];
    assert_eq!(
        edges[0]["node"],
        json!({
            "name": "Acme",
            "latestResponse": { "score": 2 },
            "contacts": { "edges": [{ "node": { "email": "ada@acme.io", "latestResponse": { "score": 2 } } }], "pageInfo": { "hasNextPage": true } },
            "all": { "edges": [{ "node": { "email": "ada@acme.io" } }, { "node": { "email": "bob@acme.io" } }] },
            "projects": { "edges": [{ "node": { "name": "Recovery" } }] }
        })
    );
    assert_eq!(edges[1]["node"]["latestResponse"], Value::Null);
    assert_eq!(edges[1]["node"]["contacts"]["edges"], json!([]));
}

/// The assignee emails of a project's tasks, milestone by milestone.
fn assignees(project: &Value) -> Vec<String> {
    let milestones = project["milestones"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tasks = milestones
        .iter()
        .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default());
    tasks
        .map(|t| {
            t["assignee"]["email"]
                .as_str()
                .unwrap_or("nobody")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_new_owner_takes_over_the_open_tasks_that_follow_the_owner_unless_the_change_is_refused()
{
    let app = TestApp::spawn().await;
    let sam = member_id(
        &app,
        &app.token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
            .await,
    )
    .await;
    let kim = member_id(
        &app,
        &app.token_for("Default workspace", "kim@acme.io", MemberRole::Csm)
            .await,
    )
    .await;
    let id = create_account(&app, json!({ "name": "Acme", "ownerId": sam })).await;
    create_account(&app, json!({ "name": "Globex", "externalId": "crm-2" })).await;
    let project = data(&start_detractor(&app, &id, json!({})).await)["startProject"]["id"].clone();
    let tasks =
        "query($id: ID!) { project(id: $id) { milestones { tasks { assignee { email } } } } }";

    let refused = app
        .graphql(
            UPDATE,
            json!({ "id": id, "input": { "ownerId": kim, "externalId": "crm-2" } }),
        )
        .await;
    let before = app.graphql(tasks, json!({ "id": project })).await;
    let changed = app
        .graphql(UPDATE, json!({ "id": id, "input": { "ownerId": kim } }))
        .await;
    let after = app.graphql(tasks, json!({ "id": project })).await;

    assert_eq!(error_code(&refused), Some("CONFLICT"));
    assert!(
        assignees(&data(&before)["project"])
            .iter()
            .all(|email| email == "sam@acme.io")
    );
    assert_eq!(
        data(&changed)["updateAccount"]["owner"]["email"],
        "kim@acme.io"
    );
    let moved = assignees(&data(&after)["project"]);
    assert!(
        !moved.is_empty() && moved.iter().all(|email| email == "kim@acme.io"),
        "{moved:?}"
    );
}
