//! Detractor resolution: first contact, project completion, due dates and recovery.

use closeloop::entities::enums::MemberRole;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{FIGURES, MARCH, SCOPES, answer, at, exclude};
use crate::accounts::create_account;
use crate::contacts::create_contact;
use crate::helpers::{TestApp, data};
use crate::projects::start_detractor;

/// Four detractor answers in March, and what happened next (see the test below).
async fn seed_detractors(app: &TestApp) -> Value {
    let acme = create_account(app, json!({ "name": "Acme" })).await;
    let globex = create_account(app, json!({ "name": "Globex" })).await;
    let ada = create_contact(app, &acme, "ada@acme.test").await;
    let gus = create_contact(app, &globex, "gus@globex.test").await;
    let gia = create_contact(app, &globex, "gia@globex.test").await;

    answer(app, &gus, 2, "2026-02-20T09:00:00Z").await;
    let first = answer(app, &ada, 3, "2026-03-02T09:00:00Z").await;
    let second = answer(app, &gus, 5, "2026-03-05T09:00:00Z").await;
    let third = answer(app, &gia, 0, "2026-03-10T09:00:00Z").await;
    let excluded = answer(app, &gia, 10, "2026-03-12T09:00:00Z").await;
    exclude(app, excluded).await;
    let fourth = answer(app, &ada, 6, "2026-03-20T09:00:00Z").await;
    answer(app, &gus, 4, "2026-04-05T09:00:00Z").await;
    answer(app, &ada, 9, "2026-04-10T09:00:00Z").await;

    app.clock.set(at("2026-04-15T09:00:00Z"));
    talk(app, &acme, &ada, "OUTBOUND", "2026-03-01T09:00:00Z").await;
    talk(app, &acme, &ada, "INBOUND", "2026-03-02T11:00:00Z").await;
    talk(app, &acme, &ada, "OUTBOUND", "2026-03-02T19:00:00Z").await;
    talk(app, &globex, &gus, "OUTBOUND", "2026-03-06T15:00:00Z").await;
    talk(app, &acme, &ada, "OUTBOUND", "2026-03-21T09:00:00Z").await;

    let on_time = start(app, &acme, first, "2026-03-02T09:00:00Z").await;
    let late = start(app, &globex, second, "2026-03-05T09:00:00Z").await;
    start(app, &globex, third, "2026-03-10T09:00:00Z").await;
    let cancelled = start(app, &acme, fourth, "2026-03-20T09:00:00Z").await;
    finish(app, "completeProject", &on_time, "2026-03-04T09:00:00Z").await;
    finish(app, "completeProject", &late, "2026-03-25T09:00:00Z").await;
    finish(app, "cancelProject", &cancelled, "2026-03-21T09:00:00Z").await;
    app.clock.set(at("2026-04-15T09:00:00Z"));
    acme
}

async fn talk(app: &TestApp, account: &Value, contact: &Value, direction: &str, time: &str) {
    let input = json!({
        "accountId": account, "contactId": contact, "direction": direction,
        "channel": "EMAIL", "body": "About your feedback", "occurredAt": time,
    });
    let body = app
        .graphql(
            "mutation($input: LogConversationInput!) { logConversation(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    data(&body);
}

/// Starts the detractor blueprint (its last task is due 14 days after the start).
async fn start(app: &TestApp, account: &Value, response: Uuid, time: &str) -> Value {
    let extra = json!({ "triggeringResponseId": response.to_string(), "startsAt": time });
    let body = start_detractor(app, account, extra).await;
    data(&body)["startProject"]["id"].clone()
}

async fn finish(app: &TestApp, mutation: &str, project: &Value, time: &str) {
    app.clock.set(at(time));
    let body = app
        .graphql(
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
            json!({ "id": project }),
        )
        .await;
    data(&body);
}

const RESOLUTION: &str = "firstContact { detractors reached notReached averageHours medianHours }
    projects { projects completed active cancelled averageHoursToComplete medianHoursToComplete
        judged onTime late onTimePercent }
    recovery { detractors resurveyed recovered recoveredPercent }";

async fn resolution(app: &TestApp, scope: Value) -> Value {
    let query = format!(
        "query{SCOPES} {{ detractorResolution(scope: $scope, from: $from, to: $to) {{ {RESOLUTION} }} }}"
    );
    let body = app
        .graphql(
            &query,
            json!({ "scope": scope, "from": MARCH[0], "to": MARCH[1] }),
        )
        .await;
    data(&body)["detractorResolution"].clone()
}

#[tokio::test]
async fn detractor_resolution_matches_hand_computed_figures() {
    let app = TestApp::spawn().await;
    seed_detractors(&app).await;

    let figures = resolution(&app, Value::Null).await;

    // Reached after 10 h (Ada, 2 March), 30 h (Gus) and 24 h (Ada, 20 March); Gia never.
    assert_eq!(
        figures["firstContact"],
        json!({ "detractors": 4, "reached": 3, "notReached": 1, "averageHours": 21.33, "medianHours": 24.0 })
    );
    // Completed after 48 h (on time) and 480 h (after the 19 March due date); Gia's
    // project is open past its 24 March due date; the fourth was cancelled.
    assert_eq!(
        figures["projects"],
        json!({
            "projects": 4, "completed": 2, "active": 1, "cancelled": 1,
            "averageHoursToComplete": 264.0, "medianHoursToComplete": 264.0,
            "judged": 3, "onTime": 1, "late": 2, "onTimePercent": 33.3,
        })
    );
    // Ada answered 9 in April (both her answers recover); Gus answered 4; Gia's later
    // 10 is excluded.
    assert_eq!(
        figures["recovery"],
        json!({ "detractors": 4, "resurveyed": 3, "recovered": 2, "recoveredPercent": 50.0 })
    );
}

#[tokio::test]
async fn detractor_resolution_narrows_to_an_account() {
    let app = TestApp::spawn().await;
    let acme = seed_detractors(&app).await;

    let figures = resolution(&app, json!({ "accountId": acme })).await;

    assert_eq!(
        figures["firstContact"],
        json!({ "detractors": 2, "reached": 2, "notReached": 0, "averageHours": 17.0, "medianHours": 17.0 })
    );
    assert_eq!(
        (
            figures["projects"]["completed"].clone(),
            figures["projects"]["onTimePercent"].clone()
        ),
        (json!(1), json!(100.0))
    );
    assert_eq!(figures["recovery"]["recovered"], 2);
}

#[tokio::test]
async fn a_viewer_reads_the_figures_of_an_empty_window() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for(
            "Default workspace",
            "vic@closeloop.test",
            MemberRole::Viewer,
        )
        .await;
    let query = format!(
        "query{SCOPES} {{ npsReport(scope: $scope, from: $from, to: $to) {{ figures {{ {FIGURES} }} }}
            detractorResolution(scope: $scope, from: $from, to: $to) {{ {RESOLUTION} }} }}"
    );

    let body = app
        .graphql_as(&viewer, &query, json!({ "from": MARCH[0], "to": MARCH[1] }))
        .await;

    assert_eq!(data(&body)["npsReport"]["figures"]["responses"], 0);
    assert_eq!(data(&body)["npsReport"]["figures"]["nps"], Value::Null);
    assert_eq!(
        data(&body)["detractorResolution"]["firstContact"]["medianHours"],
        Value::Null
    );
    assert_eq!(
        data(&body)["detractorResolution"]["projects"]["onTimePercent"],
        Value::Null
    );
}
