//! Classification of NPS responses by the workspace's ranges, changing the ranges, and
//! excluding responses from the figures.

use closeloop::entities::enums::MemberRole;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code};
use crate::ingestion::{acme_with_contact, record};

const RANGES: &str = "mutation($input: NpsRangesInput!) { updateNpsRanges(input: $input) { npsRanges { detractorMax passiveMax } } }";
const EXCLUDE: &str = "mutation($id: ID!, $reason: String!) { excludeNpsResponse(id: $id, reason: $reason) { excluded excludedAt exclusionReason } }";
const INCLUDE: &str =
    "mutation($id: ID!) { includeNpsResponse(id: $id) { excluded excludedAt exclusionReason } }";

fn ranges(detractor: (i32, i32), passive: (i32, i32), promoter: (i32, i32)) -> Value {
    let range = |(min, max): (i32, i32)| json!({ "min": min, "max": max });
    json!({ "input": { "detractor": range(detractor), "passive": range(passive), "promoter": range(promoter) } })
}

async fn category_of(app: &TestApp, contact: &Value, score: i32) -> String {
    let body = record(app, json!({ "contactId": contact, "score": score })).await;
    data(&body)["recordNpsResponse"]["response"]["category"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn recorded_id(app: &TestApp, contact: &Value) -> Value {
    let body = record(app, json!({ "contactId": contact, "score": 4 })).await;
    data(&body)["recordNpsResponse"]["response"]["id"].clone()
}

#[tokio::test]
async fn default_ranges_classify_the_boundary_scores() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let expected = [
        (0, "DETRACTOR"),
        (6, "DETRACTOR"),
        (7, "PASSIVE"),
        (8, "PASSIVE"),
        (9, "PROMOTER"),
        (10, "PROMOTER"),
    ];

    for (score, category) in expected {
        let got = category_of(&app, &contact, score).await;

        assert_eq!(got, category, "score {score}");
    }
}

#[tokio::test]
async fn custom_ranges_classify_the_boundary_scores() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let body = app.graphql(RANGES, ranges((0, 4), (5, 7), (8, 10))).await;
    assert_eq!(
        data(&body)["updateNpsRanges"]["npsRanges"]["detractorMax"],
        4,
        "{body}"
    );
    let expected = [
        (0, "DETRACTOR"),
        (4, "DETRACTOR"),
        (5, "PASSIVE"),
        (6, "PASSIVE"),
        (7, "PASSIVE"),
        (8, "PROMOTER"),
        (10, "PROMOTER"),
    ];

    for (score, category) in expected {
        let got = category_of(&app, &contact, score).await;

        assert_eq!(got, category, "score {score}");
    }
}

#[tokio::test]
async fn a_response_keeps_its_category_when_the_ranges_change() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let id = recorded_id(&app, &contact).await;

    app.graphql(RANGES, ranges((0, 2), (3, 5), (6, 10))).await;

    let body = app
        .graphql(
            "query($id: ID!) { npsResponse(id: $id) { score category } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&body)["npsResponse"]["category"], "DETRACTOR");
    let body = app
        .graphql(
            "{ workspace { npsRanges { detractorMax passiveMax } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["workspace"]["npsRanges"],
        json!({ "detractorMax": 2, "passiveMax": 5 })
    );
}

#[tokio::test]
async fn ranges_with_gaps_overlaps_or_outside_zero_to_ten_are_refused() {
    let app = TestApp::spawn().await;
    let cases = [
        ranges((0, 4), (6, 7), (8, 10)),
        ranges((0, 5), (5, 7), (8, 10)),
        ranges((1, 4), (5, 7), (8, 10)),
        ranges((0, 4), (5, 7), (8, 11)),
        ranges((0, 4), (5, 7), (8, 9)),
        ranges((-1, 4), (5, 7), (8, 10)),
        ranges((0, 4), (5, 10), (11, 10)),
        ranges((0, 6), (8, 7), (8, 10)),
    ];

    for input in cases {
        let body = app.graphql(RANGES, input.clone()).await;

        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
    }
    let body = app
        .graphql(
            "{ workspace { npsRanges { detractorMax passiveMax } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["workspace"]["npsRanges"],
        json!({ "detractorMax": 6, "passiveMax": 8 })
    );
}

#[tokio::test]
async fn only_admins_change_the_ranges() {
    let app = TestApp::spawn().await;
    let manager = app
        .token_for("Default workspace", "mo@acme.io", MemberRole::Manager)
        .await;

    let body = app
        .graphql_as(&manager, RANGES, ranges((0, 4), (5, 7), (8, 10)))
        .await;

    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_manager_excludes_a_response_with_a_reason_and_includes_it_again() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let id = recorded_id(&app, &contact).await;
    let manager = app
        .token_for("Default workspace", "mo@acme.io", MemberRole::Manager)
        .await;

    let excluded = app
        .graphql_as(
            &manager,
            EXCLUDE,
            json!({ "id": id, "reason": "Test answer" }),
        )
        .await;
    let included = app.graphql_as(&manager, INCLUDE, json!({ "id": id })).await;

    let excluded = &data(&excluded)["excludeNpsResponse"];
    assert_eq!(excluded["excluded"], true);
    assert_eq!(excluded["exclusionReason"], "Test answer");
    assert_eq!(excluded["excludedAt"], "2026-03-02T09:00:00+00:00");
    let included = &data(&included)["includeNpsResponse"];
    assert_eq!(included["excluded"], false);
    assert_eq!(included["exclusionReason"], Value::Null);
    let body = app
        .graphql(
            "{ activities(first: 20) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions = data(&body)["activities"]["edges"].to_string();
    assert!(actions.contains("nps_response.excluded") && actions.contains("nps_response.included"));
}

#[tokio::test]
async fn excluding_needs_a_reason_and_a_manager() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let id = recorded_id(&app, &contact).await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;

    let no_reason = app
        .graphql(EXCLUDE, json!({ "id": id, "reason": "  " }))
        .await;
    let as_csm = app
        .graphql_as(&csm, EXCLUDE, json!({ "id": id, "reason": "spam" }))
        .await;
    let unknown = app
        .graphql(
            EXCLUDE,
            json!({ "id": "00000000-0000-7000-8000-000000000000", "reason": "spam" }),
        )
        .await;

    assert_eq!(error_code(&no_reason), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&as_csm), Some("FORBIDDEN"));
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    let body = app
        .graphql(
            "query($id: ID!) { npsResponse(id: $id) { excluded } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&body)["npsResponse"]["excluded"], false);
}
