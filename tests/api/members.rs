//! Team members: creation, reporting lines, refusals.

use closeloop::entities::enums::MemberRole;
use serde_json::json;

use crate::helpers::{TestApp, data, error_code};

const CREATE: &str = "mutation($input: CreateTeamMemberInput!) { createTeamMember(input: $input) { id email name role manager { email } } }";

#[tokio::test]
async fn admin_adds_a_csm_who_reports_to_a_manager() {
    let app = TestApp::spawn().await;
    let manager = app
        .graphql(
            CREATE,
            json!({ "input": { "email": "Maria@Acme.io", "name": "Maria", "role": "MANAGER" } }),
        )
        .await;
    let manager_id = data(&manager)["createTeamMember"]["id"].clone();

    let csm = app
        .graphql(CREATE, json!({ "input": { "email": "sam@acme.io", "name": "Sam", "role": "CSM", "managerId": manager_id } }))
        .await;

    assert_eq!(data(&manager)["createTeamMember"]["email"], "maria@acme.io");
    assert_eq!(
        data(&csm)["createTeamMember"]["manager"]["email"],
        "maria@acme.io"
    );
    let list = app
        .graphql(
            "{ teamMembers(first: 10) { edges { node { email } } } }",
            json!({}),
        )
        .await;
    let emails: Vec<_> = data(&list)["teamMembers"]["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"]["email"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        emails,
        vec![
            json!("admin@closeloop.localhost"),
            json!("maria@acme.io"),
            json!("sam@acme.io")
        ]
    );
}

#[tokio::test]
async fn duplicate_emails_invalid_input_and_loops_are_refused() {
    let app = TestApp::spawn().await;
    let first = app
        .graphql(
            CREATE,
            json!({ "input": { "email": "a@acme.io", "name": "A", "role": "CSM" } }),
        )
        .await;
    let a = data(&first)["createTeamMember"]["id"].clone();
    let second = app
        .graphql(CREATE, json!({ "input": { "email": "b@acme.io", "name": "B", "role": "CSM", "managerId": a } }))
        .await;
    let b = data(&second)["createTeamMember"]["id"].clone();

    let duplicate = app
        .graphql(
            CREATE,
            json!({ "input": { "email": "A@acme.io", "name": "A2", "role": "CSM" } }),
        )
        .await;
    let bad_email = app
        .graphql(
            CREATE,
            json!({ "input": { "email": "nope", "name": "X", "role": "CSM" } }),
        )
        .await;
    let empty_name = app
        .graphql(
            CREATE,
            json!({ "input": { "email": "x@acme.io", "name": "  ", "role": "CSM" } }),
        )
        .await;
    let looped = app
        .graphql(
            "mutation($id: ID!, $m: ID!) { updateTeamMember(id: $id, input: { managerId: $m }) { id } }",
            json!({ "id": a, "m": b }),
        )
        .await;

    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
    assert_eq!(error_code(&bad_email), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&empty_name), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&looped), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn only_admins_manage_the_team() {
    let app = TestApp::spawn().await;
    let csm = app
        .token_for("Default workspace", "csm@acme.io", MemberRole::Csm)
        .await;

    let body = app
        .graphql_as(
            &csm,
            CREATE,
            json!({ "input": { "email": "z@acme.io", "name": "Z", "role": "ADMIN" } }),
        )
        .await;

    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn another_workspaces_member_is_not_found() {
    let app = TestApp::spawn().await;
    let other = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let mine = app.graphql("{ viewer { member { id } } }", json!({})).await;
    let my_id = data(&mine)["viewer"]["member"]["id"].clone();

    let read = app
        .graphql_as(
            &other,
            "query($id: ID!) { teamMember(id: $id) { email } }",
            json!({ "id": my_id }),
        )
        .await;
    let write = app
        .graphql_as(&other, "mutation($id: ID!) { updateTeamMember(id: $id, input: { name: \"Hacked\" }) { name } }", json!({ "id": my_id }))
        .await;

    assert_eq!(error_code(&read), Some("NOT_FOUND"));
    assert_eq!(error_code(&write), Some("NOT_FOUND"));
    let after = app
        .graphql("{ viewer { member { name } } }", json!({}))
        .await;
    assert_eq!(data(&after)["viewer"]["member"]["name"], "Admin");
}
