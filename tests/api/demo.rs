//! The demo seeder makes a workspace worth exploring.

use closeloop::entities::enums::MemberRole;
use serde_json::json;

use crate::helpers::{TestApp, data, error_code};

#[tokio::test]
async fn seed_demo_creates_a_team_accounts_responses_and_detractor_projects() {
    let app = TestApp::spawn().await;

    let report = closeloop::demo::seed(
        &app.db,
        "Demo",
        1,
        closeloop::clock::Clock::now(app.clock.as_ref()),
    )
    .await
    .expect("seed");

    assert_eq!(
        (report.accounts, report.contacts, report.responses),
        (25, 75, 150)
    );
    assert!(
        report.projects > 0,
        "no detractor project was started: {report}"
    );
    let token = app
        .token_for("Demo", "head@demo.closeloop.localhost", MemberRole::Admin)
        .await;
    let body = app
        .graphql_as(&token, "{ accounts(first: 100) { edges { node { owner { name } } } } projects(first: 100) { edges { node { kind milestones { title } } } } }", json!({}))
        .await;
    let accounts = data(&body)["accounts"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(accounts, 25);
    assert!(data(&body)["accounts"]["edges"][0]["node"]["owner"]["name"].is_string());
    assert_eq!(
        data(&body)["projects"]["edges"][0]["node"]["kind"],
        "NPS_DETRACTOR"
    );
    assert_eq!(
        data(&body)["projects"]["edges"][0]["node"]["milestones"]
            .as_array()
            .map_or(0, Vec::len),
        4
    );
}

#[tokio::test]
async fn seed_demo_refuses_an_existing_workspace_name() {
    let app = TestApp::spawn().await;

    let refused = closeloop::demo::seed(
        &app.db,
        "Default workspace",
        1,
        closeloop::clock::Clock::now(app.clock.as_ref()),
    )
    .await;

    assert!(matches!(
        refused,
        Err(closeloop::error::AppError::Conflict(_))
    ));
    let body = app
        .graphql(
            "{ accounts(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(error_code(&body).is_none());
    assert_eq!(data(&body)["accounts"]["edges"], json!([]));
}
