//! Recording NPS responses one at a time: contacts found or created, classification,
//! idempotency on the external id, concurrent duplicates, refusals.

use serde_json::{Value, json};

use crate::accounts::create_account;
use crate::contacts::create_contact;
use crate::helpers::{TestApp, data, error_code};

pub const RECORD: &str = "mutation($input: NpsResponseInput!) { recordNpsResponse(input: $input) { created emailsQueued tasksCreated projectsStarted { id } response { id score category comment externalId survey channel respondedAt contact { email name role } account { name } } } }";
const COUNT: &str = "{ npsResponses(first: 100) { edges { node { id score category } } } }";

/// An account with external id `acme-1` and a contact `ada@acme.io`; returns the contact id.
pub async fn acme_with_contact(app: &TestApp) -> Value {
    let account = create_account(app, json!({ "name": "Acme", "externalId": "acme-1" })).await;
    create_contact(app, &account, "ada@acme.io").await
}

pub async fn record(app: &TestApp, input: Value) -> Value {
    app.graphql(RECORD, json!({ "input": input })).await
}

pub async fn stored_responses(app: &TestApp) -> Vec<Value> {
    let body = app.graphql(COUNT, json!({})).await;
    data(&body)["npsResponses"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_response_of_a_known_contact_is_recorded_and_classified() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;

    let body = record(
        &app,
        json!({ "contactId": contact, "score": 3, "comment": "Too slow", "externalId": "typeform-1", "survey": "Q1", "channel": "email" }),
    )
    .await;

    let payload = &data(&body)["recordNpsResponse"];
    assert_eq!(payload["created"], true);
    assert_eq!(payload["response"]["score"], 3);
    assert_eq!(payload["response"]["category"], "DETRACTOR");
    assert_eq!(payload["response"]["comment"], "Too slow");
    assert_eq!(payload["response"]["survey"], "Q1");
    assert_eq!(payload["response"]["contact"]["email"], "ada@acme.io");
    assert_eq!(
        payload["response"]["respondedAt"],
        "2026-03-02T09:00:00+00:00"
    );
    assert_eq!(stored_responses(&app).await.len(), 1);
}

#[tokio::test]
async fn an_unknown_email_at_a_known_account_becomes_a_user_contact() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;

    let body = record(
        &app,
        json!({ "contactEmail": "Bob@Acme.io", "contactName": "Bob", "accountExternalId": "acme-1", "score": 9 }),
    )
    .await;

    let response = &data(&body)["recordNpsResponse"]["response"];
    assert_eq!(response["contact"]["email"], "bob@acme.io");
    assert_eq!(response["contact"]["name"], "Bob");
    assert_eq!(response["contact"]["role"], "USER");
    assert_eq!(response["account"]["name"], "Acme");
    assert_eq!(response["category"], "PROMOTER");
}

#[tokio::test]
async fn a_known_email_records_for_the_existing_contact() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;

    let body = record(
        &app,
        json!({ "contactEmail": "ada@acme.io", "accountExternalId": "acme-1", "score": 8 }),
    )
    .await;

    let response = &data(&body)["recordNpsResponse"]["response"];
    assert_eq!(response["contact"]["role"], "CHAMPION");
    assert_eq!(response["category"], "PASSIVE");
}

#[tokio::test]
async fn the_same_external_id_twice_returns_the_stored_response_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let first = record(
        &app,
        json!({ "contactId": contact, "score": 2, "externalId": "ext-1" }),
    )
    .await;

    let second = record(
        &app,
        json!({ "contactId": contact, "score": 10, "externalId": "ext-1" }),
    )
    .await;

    let first = &data(&first)["recordNpsResponse"];
    let second = &data(&second)["recordNpsResponse"];
    assert_eq!(second["created"], false);
    assert_eq!(second["response"]["id"], first["response"]["id"]);
    assert_eq!(second["response"]["score"], 2);
    assert_eq!(stored_responses(&app).await.len(), 1);
}

#[tokio::test]
async fn a_duplicate_with_a_new_email_creates_no_contact() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    record(
        &app,
        json!({ "contactId": contact, "score": 2, "externalId": "ext-1" }),
    )
    .await;

    record(
        &app,
        json!({ "contactEmail": "new@acme.io", "accountExternalId": "acme-1", "score": 2, "externalId": "ext-1" }),
    )
    .await;

    let body = app
        .graphql(
            "{ contacts(first: 10) { edges { node { email } } } }",
            json!({}),
        )
        .await;
    let contacts = data(&body)["contacts"]["edges"].as_array().map(Vec::len);
    assert_eq!(contacts, Some(1));
}

#[tokio::test]
async fn recording_writes_an_activity_record_on_the_account() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;

    record(&app, json!({ "contactId": contact, "score": 5 })).await;

    let body = app
        .graphql(
            "{ activities(first: 20) { edges { node { action subjectType } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = data(&body)["activities"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    assert!(actions.contains(&"nps_response.recorded"), "{actions:?}");
}

#[tokio::test]
async fn twenty_concurrent_submissions_of_one_external_id_store_one_response() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let input = json!({ "contactEmail": "new@acme.io", "accountExternalId": "acme-1", "score": 1, "externalId": "race-1" });

    let requests = (0..20).map(|_| record(&app, input.clone()));
    let bodies = futures::future::join_all(requests).await;

    let created = bodies
        .iter()
        .filter(|b| data(b)["recordNpsResponse"]["created"] == true)
        .count();
    let ids: std::collections::HashSet<String> = bodies
        .iter()
        .map(|b| data(b)["recordNpsResponse"]["response"]["id"].to_string())
        .collect();
    assert_eq!(created, 1, "{bodies:?}");
    assert_eq!(ids.len(), 1);
    assert_eq!(stored_responses(&app).await.len(), 1);
    let projects = app
        .graphql(
            "{ projects(first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let projects = data(&projects)["projects"]["edges"]
        .as_array()
        .map(Vec::len);
    assert!(projects.unwrap_or(0) <= 1);
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let cases = [
        (json!({ "contactId": contact, "score": 11 }), "score"),
        (json!({ "contactId": contact, "score": -1 }), "score"),
        (
            json!({ "contactId": "00000000-0000-7000-8000-000000000000", "score": 5 }),
            "contactId",
        ),
        (json!({ "contactId": "not-an-id", "score": 5 }), "contactId"),
        (
            json!({ "contactEmail": "new@acme.io", "accountExternalId": "nope", "score": 5 }),
            "accountExternalId",
        ),
        (
            json!({ "contactEmail": "new@acme.io", "accountId": "00000000-0000-7000-8000-000000000000", "score": 5 }),
            "accountId",
        ),
        (
            json!({ "contactEmail": "not an email", "accountExternalId": "acme-1", "score": 5 }),
            "contactEmail",
        ),
        (
            json!({ "contactEmail": "new@acme.io", "score": 5 }),
            "accountExternalId",
        ),
        (json!({ "score": 5 }), "contactEmail"),
        (
            json!({ "contactId": contact, "score": 5, "respondedAt": "2026-03-02T09:06:00Z" }),
            "respondedAt",
        ),
    ];

    for (input, field) in cases {
        let body = record(&app, input.clone()).await;

        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{input}: {body}"
        );
    }
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn a_score_that_is_not_an_integer_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;

    let body = record(&app, json!({ "contactId": contact, "score": 7.5 })).await;

    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn a_time_within_the_clock_skew_is_accepted() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;

    let body = record(
        &app,
        json!({ "contactId": contact, "score": 5, "respondedAt": "2026-03-02T09:04:59Z" }),
    )
    .await;

    assert_eq!(data(&body)["recordNpsResponse"]["created"], true, "{body}");
}

#[tokio::test]
async fn viewers_may_not_record_responses() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let viewer = app
        .token_for(
            "Default workspace",
            "vic@acme.io",
            closeloop::entities::enums::MemberRole::Viewer,
        )
        .await;

    let body = app
        .graphql_as(
            &viewer,
            RECORD,
            json!({ "input": { "contactId": contact, "score": 5 } }),
        )
        .await;

    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn another_workspaces_contact_is_unknown() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let other = app
        .token_for(
            "Other workspace",
            "olga@other.io",
            closeloop::entities::enums::MemberRole::Admin,
        )
        .await;

    let body = app
        .graphql_as(
            &other,
            RECORD,
            json!({ "input": { "contactId": contact, "score": 5 } }),
        )
        .await;

    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(stored_responses(&app).await.is_empty());
}
