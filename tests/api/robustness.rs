//! Concurrency and failure: writers wait instead of failing, internals never leak.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, data, error_code, logs_contain};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_writes_all_succeed() {
    let app = TestApp::spawn().await;
    let mutation =
        "mutation($input: CreateTeamMemberInput!) { createTeamMember(input: $input) { id } }";

    let requests = (0..50).map(|i| {
        let input = json!({ "input": { "email": format!("csm{i}@acme.io"), "name": format!("CSM {i}"), "role": "CSM" } });
        app.graphql(mutation, input)
    });
    let bodies = futures::future::join_all(requests).await;

    for body in &bodies {
        assert!(
            body.get("errors").is_none(),
            "a concurrent write failed: {body}"
        );
    }
    let list = app
        .graphql(
            "{ teamMembers(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let count = data(&list)["teamMembers"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(count, 51);
}

#[tokio::test]
async fn a_database_failure_reaches_the_client_as_a_generic_error_with_a_correlation_id() {
    let app = TestApp::spawn().await;
    app.db
        .execute_unprepared("DROP TABLE activities")
        .await
        .expect("drop a table to force a database error");

    let body = app
        .graphql(
            "{ activities(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;

    assert_eq!(error_code(&body), Some("INTERNAL_SERVER_ERROR"));
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(message, "Internal server error");
    let extensions = body["errors"][0]["extensions"].to_string().to_lowercase();
    for internal in ["activities", "sql", "no such table", "does not exist"] {
        assert!(!extensions.contains(internal), "internals leaked: {body}");
    }
    let correlation_id = body["errors"][0]["extensions"]["correlationId"]
        .as_str()
        .unwrap_or_default();
    assert!(!correlation_id.is_empty());
    assert!(
        logs_contain(correlation_id),
        "the correlation id is not in the log"
    );
}
