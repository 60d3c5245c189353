//! The viewer, their workspace, settings, authentication and roles.

use closeloop::entities::enums::MemberRole;
use serde_json::json;

use crate::helpers::{TestApp, data, error_code};

#[tokio::test]
async fn viewer_is_the_bootstrap_admin_of_the_default_workspace() {
    let app = TestApp::spawn().await;

    let body = app
        .graphql("{ viewer { role member { email } workspace { name timezone npsRanges { detractorMax passiveMax } } } }", json!({}))
        .await;

    let viewer = &data(&body)["viewer"];
    assert_eq!(viewer["role"], "ADMIN");
    assert_eq!(viewer["member"]["email"], "admin@closeloop.localhost");
    assert_eq!(viewer["workspace"]["name"], "Default workspace");
    assert_eq!(viewer["workspace"]["timezone"], "UTC");
    assert_eq!(
        viewer["workspace"]["npsRanges"],
        json!({ "detractorMax": 6, "passiveMax": 8 })
    );
}

#[tokio::test]
async fn a_request_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let body = app
        .graphql_as("", "{ workspace { name } }", json!({}))
        .await;

    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let app = TestApp::spawn().await;
    let created = app
        .graphql(
            "mutation { createApiToken(name: \"laptop\") { secret token { id } } }",
            json!({}),
        )
        .await;
    let secret = data(&created)["createApiToken"]["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = data(&created)["createApiToken"]["token"]["id"].clone();
    assert!(
        error_code(
            &app.graphql_as(&secret, "{ workspace { name } }", json!({}))
                .await
        )
        .is_none()
    );

    let revoked = app
        .graphql(
            "mutation($id: ID!) { revokeApiToken(id: $id) }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(data(&revoked)["revokeApiToken"], true);
    let refused = app
        .graphql_as(&secret, "{ workspace { name } }", json!({}))
        .await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn admin_updates_workspace_settings_and_bad_values_are_refused() {
    let app = TestApp::spawn().await;

    let updated = app
        .graphql(
            "mutation { updateWorkspace(input: { timezone: \"Europe/Paris\", senderEmail: \"cs@acme.io\", senderName: \"Acme CS\" }) { timezone senderEmail senderName } }",
            json!({}),
        )
        .await;
    let bad_zone = app
        .graphql(
            "mutation { updateWorkspace(input: { timezone: \"Mars/Olympus\" }) { timezone } }",
            json!({}),
        )
        .await;
    let bad_email = app
        .graphql(
            "mutation { updateWorkspace(input: { senderEmail: \"not an email\" }) { timezone } }",
            json!({}),
        )
        .await;

    assert_eq!(
        data(&updated)["updateWorkspace"],
        json!({ "timezone": "Europe/Paris", "senderEmail": "cs@acme.io", "senderName": "Acme CS" })
    );
    assert_eq!(error_code(&bad_zone), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&bad_email), Some("BAD_USER_INPUT"));
    let after = app
        .graphql("{ workspace { timezone senderEmail } }", json!({}))
        .await;
    assert_eq!(
        data(&after)["workspace"],
        json!({ "timezone": "Europe/Paris", "senderEmail": "cs@acme.io" })
    );
}

#[tokio::test]
async fn a_viewer_cannot_change_settings() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "watcher@acme.io", MemberRole::Viewer)
        .await;

    let body = app
        .graphql_as(
            &viewer,
            "mutation { updateWorkspace(input: { name: \"Renamed\" }) { name } }",
            json!({}),
        )
        .await;

    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let after = app.graphql("{ workspace { name } }", json!({})).await;
    assert_eq!(data(&after)["workspace"]["name"], "Default workspace");
}
