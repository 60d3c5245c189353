//! Weekly and monthly trends, in the workspace's time zone.

use serde_json::{Value, json};

use super::{answer, report};
use crate::accounts::create_account;
use crate::contacts::create_contact;
use crate::helpers::{TestApp, data};

async fn set_timezone(app: &TestApp, timezone: &str) {
    let body = app
        .graphql(
            "mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { timezone } }",
            json!({ "input": { "timezone": timezone } }),
        )
        .await;
    assert_eq!(data(&body)["updateWorkspace"]["timezone"], timezone);
}

/// A New York workspace's answers, each near a local boundary that UTC would cross.
async fn seed_new_york(app: &TestApp) {
    set_timezone(app, "America/New_York").await;
    let acme = create_account(app, json!({ "name": "Acme" })).await;
    let ada = create_contact(app, &acme, "ada@acme.test").await;
    // Saturday 31 January, 23:30 in New York: already February in UTC.
    answer(app, &ada, 9, "2026-02-01T04:30:00Z").await;
    // Sunday 8 March, 23:30 in New York (daylight saving since 02:00): Monday in UTC.
    answer(app, &ada, 7, "2026-03-09T03:30:00Z").await;
    answer(app, &ada, 2, "2026-03-10T12:00:00Z").await;
    // Tuesday 31 March, 23:30 in New York: already April in UTC.
    answer(app, &ada, 10, "2026-04-01T03:30:00Z").await;
}

fn periods(body: &Value) -> Vec<Value> {
    data(body)["npsReport"]["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|p| {
            json!([
                p["startsOn"],
                p["startsAt"],
                p["figures"]["responses"],
                p["figures"]["nps"]
            ])
        })
        .collect()
}

#[tokio::test]
async fn the_monthly_trend_follows_the_workspace_time_zone_and_keeps_empty_months() {
    let app = TestApp::spawn().await;
    seed_new_york(&app).await;
    let selection = "trend(interval: MONTH) { startsOn startsAt endsAt figures { responses nps } }";

    let body = report(
        &app,
        selection,
        Value::Null,
        ["2026-01-10T00:00:00Z", "2026-04-10T00:00:00Z"],
    )
    .await;

    assert_eq!(
        periods(&body),
        vec![
            json!(["2026-01-01", "2026-01-01T05:00:00+00:00", 1, 100.0]),
            json!(["2026-02-01", "2026-02-01T05:00:00+00:00", 0, null]),
            json!(["2026-03-01", "2026-03-01T05:00:00+00:00", 3, 0.0]),
            json!(["2026-04-01", "2026-04-01T04:00:00+00:00", 0, null]),
        ]
    );
    assert_eq!(
        data(&body)["npsReport"]["trend"][3]["endsAt"],
        "2026-05-01T04:00:00+00:00"
    );
}

#[tokio::test]
async fn the_weekly_trend_starts_on_local_mondays_across_daylight_saving() {
    let app = TestApp::spawn().await;
    seed_new_york(&app).await;
    let selection = "trend(interval: WEEK) { startsOn startsAt figures { responses nps } }";

    let body = report(
        &app,
        selection,
        Value::Null,
        ["2026-03-04T00:00:00Z", "2026-03-20T00:00:00Z"],
    )
    .await;

    assert_eq!(
        periods(&body),
        vec![
            json!(["2026-03-02", "2026-03-02T05:00:00+00:00", 1, 0.0]),
            json!(["2026-03-09", "2026-03-09T04:00:00+00:00", 1, -100.0]),
            json!(["2026-03-16", "2026-03-16T04:00:00+00:00", 0, null]),
        ]
    );
}
