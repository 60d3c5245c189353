//! `POST /webhooks/nps`: signed NPS responses from survey tools, and the secrets that sign
//! them.

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::entities::enums::MemberRole;
use closeloop::surveys::webhook::signature::sign;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code};
use crate::ingestion::{acme_with_contact, stored_responses};

const CREATE: &str = "mutation($name: String!) { createWebhookSecret(name: $name) { secret webhookSecret { id keyId name } } }";
const ROTATE: &str = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhookSecret { keyId rotatedAt previousValidUntil } } }";
const LIST: &str = "{ webhookSecrets(first: 10) { edges { node { name keyId rotatedAt } } } }";

/// A secret made through the API: (id, key id, value).
async fn create_secret(app: &TestApp) -> (Value, String, String) {
    let body = app.graphql(CREATE, json!({ "name": "Typeform" })).await;
    let issued = &data(&body)["createWebhookSecret"];
    (
        issued["webhookSecret"]["id"].clone(),
        issued["webhookSecret"]["keyId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        issued["secret"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Now on the test clock, as a sender stamps it.
fn now(app: &TestApp) -> i64 {
    app.clock.now().timestamp()
}

/// Posts `body` stamped with the test clock's time.
async fn post(
    app: &TestApp,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    post_stamped(app, key_id, Some(now(app)), signature, body).await
}

async fn post_stamped(
    app: &TestApp,
    key_id: Option<&str>,
    timestamp: Option<i64>,
    signature: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(format!("{}/webhooks/nps", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key_id) = key_id {
        request = request.header("X-Closeloop-Key", key_id);
    }
    if let Some(timestamp) = timestamp {
        request = request.header("X-Closeloop-Timestamp", timestamp.to_string());
    }
    if let Some(signature) = signature {
        request = request.header("X-Closeloop-Signature", signature);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_signed(app: &TestApp, key_id: &str, secret: &str, body: &str) -> (StatusCode, Value) {
    post(
        app,
        Some(key_id),
        Some(&sign(secret, now(app), body.as_bytes())),
        body,
    )
    .await
}

fn response_body(external_id: &str) -> String {
    json!({ "external_id": external_id, "contact_email": "ada@acme.io", "account_external_id": "acme-1", "score": 4, "comment": "Slow", "extra": "ignored" })
        .to_string()
}

#[tokio::test]
async fn a_signed_response_is_stored_once() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (_, key_id, secret) = create_secret(&app).await;

    let (first_status, first) = post_signed(&app, &key_id, &secret, &response_body("tf-1")).await;
    let (second_status, second) = post_signed(&app, &key_id, &secret, &response_body("tf-1")).await;

    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    assert_eq!(first["created"], true);
    assert_eq!(second_status, StatusCode::OK);
    assert_eq!(second["created"], false);
    assert_eq!(second["id"], first["id"]);
    let stored = stored_responses(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["node"]["category"], "DETRACTOR");
}

#[tokio::test]
async fn a_missing_or_wrong_signature_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (_, key_id, secret) = create_secret(&app).await;
    let body = response_body("tf-1");
    let other_body = response_body("tf-2");
    let at = now(&app);

    let cases = [
        post(&app, Some(&key_id), None, &body).await,
        post(&app, None, Some(&sign(&secret, at, body.as_bytes())), &body).await,
        post_stamped(
            &app,
            Some(&key_id),
            None,
            Some(&sign(&secret, at, body.as_bytes())),
            &body,
        )
        .await,
        post(
            &app,
            Some(&key_id),
            Some(&sign("whsec_guess", at, body.as_bytes())),
            &body,
        )
        .await,
        post(
            &app,
            Some(&key_id),
            Some(&sign(&secret, at, other_body.as_bytes())),
            &body,
        )
        .await,
        post(
            &app,
            Some("whk_unknown"),
            Some(&sign(&secret, at, body.as_bytes())),
            &body,
        )
        .await,
        post(&app, Some(&key_id), Some("sha256=nothex"), &body).await,
    ];

    for (status, answer) in cases {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        assert_eq!(answer["code"], "UNAUTHENTICATED");
    }
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn a_request_signed_more_than_five_minutes_away_is_refused() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (_, key_id, secret) = create_secret(&app).await;
    let body = response_body("tf-1");
    let stale = now(&app) - 301;
    let early = now(&app) + 301;

    let (old_status, old_answer) = post_stamped(
        &app,
        Some(&key_id),
        Some(stale),
        Some(&sign(&secret, stale, body.as_bytes())),
        &body,
    )
    .await;
    let (future_status, _) = post_stamped(
        &app,
        Some(&key_id),
        Some(early),
        Some(&sign(&secret, early, body.as_bytes())),
        &body,
    )
    .await;

    assert_eq!(old_status, StatusCode::UNAUTHORIZED);
    assert_eq!(old_answer["code"], "UNAUTHENTICATED");
    assert!(
        old_answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("five minutes")),
        "{old_answer}"
    );
    assert_eq!(future_status, StatusCode::UNAUTHORIZED);
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn a_replayed_request_without_an_external_id_stores_one_response() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (_, key_id, secret) = create_secret(&app).await;
    let body =
        json!({ "contact_email": "ada@acme.io", "account_external_id": "acme-1", "score": 9 })
            .to_string();
    let at = now(&app);
    let signature = sign(&secret, at, body.as_bytes());

    let (first, _) = post_stamped(&app, Some(&key_id), Some(at), Some(&signature), &body).await;
    let (replay, answer) =
        post_stamped(&app, Some(&key_id), Some(at), Some(&signature), &body).await;
    let (resent, _) = post_stamped(
        &app,
        Some(&key_id),
        Some(at + 1),
        Some(&sign(&secret, at + 1, body.as_bytes())),
        &body,
    )
    .await;

    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(replay, StatusCode::OK);
    assert_eq!(answer["created"], false);
    assert_eq!(resent, StatusCode::CREATED);
    assert_eq!(stored_responses(&app).await.len(), 2);
}

#[tokio::test]
async fn a_bad_body_is_refused_with_a_json_error() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (_, key_id, secret) = create_secret(&app).await;
    let out_of_range =
        json!({ "contact_email": "ada@acme.io", "account_external_id": "acme-1", "score": 11 })
            .to_string();
    let fractional =
        json!({ "contact_email": "ada@acme.io", "account_external_id": "acme-1", "score": 6.5 })
            .to_string();

    let (not_json, not_json_body) = post_signed(&app, &key_id, &secret, "score=4").await;
    let (invalid, invalid_body) = post_signed(&app, &key_id, &secret, &out_of_range).await;
    let (fraction, _) = post_signed(&app, &key_id, &secret, &fractional).await;

    assert_eq!(not_json, StatusCode::BAD_REQUEST);
    assert_eq!(not_json_body["code"], "BAD_REQUEST");
    assert_eq!(invalid, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid_body["code"], "BAD_USER_INPUT");
    assert_eq!(invalid_body["field"], "score");
    assert_eq!(fraction, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn the_old_secret_works_for_a_day_after_rotation() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let (id, key_id, old) = create_secret(&app).await;
    let body = app.graphql(ROTATE, json!({ "id": id })).await;
    let new = data(&body)["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let (with_old, _) = post_signed(&app, &key_id, &old, &response_body("tf-1")).await;
    let (with_new, _) = post_signed(&app, &key_id, &new, &response_body("tf-2")).await;
    app.clock
        .advance(Duration::hours(24) + Duration::seconds(1));
    let (old_after_grace, _) = post_signed(&app, &key_id, &old, &response_body("tf-3")).await;
    let (new_after_grace, _) = post_signed(&app, &key_id, &new, &response_body("tf-4")).await;

    assert_eq!(with_old, StatusCode::CREATED);
    assert_eq!(with_new, StatusCode::CREATED);
    assert_eq!(old_after_grace, StatusCode::UNAUTHORIZED);
    assert_eq!(new_after_grace, StatusCode::CREATED);
    assert_eq!(stored_responses(&app).await.len(), 3);
}

#[tokio::test]
async fn secrets_are_listed_without_their_values_and_only_to_admins() {
    let app = TestApp::spawn().await;
    let (_, key_id, _) = create_secret(&app).await;
    let manager = app
        .token_for("Default workspace", "mo@acme.io", MemberRole::Manager)
        .await;

    let listed = app.graphql(LIST, json!({})).await;
    let refused_list = app.graphql_as(&manager, LIST, json!({})).await;
    let refused_create = app
        .graphql_as(&manager, CREATE, json!({ "name": "x" }))
        .await;
    let asking_for_value = app
        .graphql(
            "{ webhookSecrets(first: 1) { edges { node { secret } } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        data(&listed)["webhookSecrets"]["edges"][0]["node"]["keyId"],
        key_id.as_str()
    );
    assert_eq!(error_code(&refused_list), Some("FORBIDDEN"));
    assert_eq!(error_code(&refused_create), Some("FORBIDDEN"));
    assert_eq!(
        error_code(&asking_for_value),
        Some("GRAPHQL_VALIDATION_FAILED")
    );
}
