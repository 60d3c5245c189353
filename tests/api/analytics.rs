//! NPS analytics and detractor resolution, checked against figures worked out by hand on
//! small fixed data sets: each scope, excluded responses, the distribution, weekly and
//! monthly trends in a workspace's time zone, each account's latest score, the
//! resolution figures, and refused input.

mod resolution;
mod trend;

use chrono::{DateTime, Utc};
use closeloop::entities::enums::{MemberRole, NpsCategory};
use closeloop::entities::nps_response;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{create_account, default_workspace_id};
use crate::contacts::create_contact;
use crate::helpers::{TestApp, data, error_code};
use crate::projects::add_member;

pub const FIGURES: &str = "responses promoters passives detractors
    promoterPercent passivePercent detractorPercent nps";

pub const SCOPES: &str = "($scope: AnalyticsScope, $from: DateTime!, $to: DateTime!)";

pub const MARCH: [&str; 2] = ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"];

pub fn at(time: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(time)
        .map(|t| t.with_timezone(&Utc))
        .expect("a test time")
}

pub fn uuid(id: &Value) -> Uuid {
    Uuid::parse_str(id.as_str().unwrap_or_default()).expect("an id")
}

/// The category under the default ranges: 0–6, 7–8, 9–10.
fn category(score: i16) -> NpsCategory {
    match score {
        0..=6 => NpsCategory::Detractor,
        7..=8 => NpsCategory::Passive,
        _ => NpsCategory::Promoter,
    }
}

/// Stores a response of `contact` answered at `time`; returns its id.
pub async fn answer(app: &TestApp, contact: &Value, score: i16, time: &str) -> Uuid {
    let workspace_id = default_workspace_id(app).await;
    closeloop::surveys::service::record_raw(
        &app.db,
        workspace_id,
        uuid(contact),
        score,
        None,
        at(time),
        category(score),
        at(time),
    )
    .await
    .expect("response")
    .id
}

/// Marks a response excluded from the figures.
pub async fn exclude(app: &TestApp, response_id: Uuid) {
    let response = nps_response::Entity::find_by_id(response_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("response");
    let mut response: nps_response::ActiveModel = response.into();
    response.excluded_at = Set(Some(at("2026-03-31T00:00:00Z")));
    response.exclusion_reason = Set(Some("test answer".into()));
    response.update(&app.db).await.expect("exclude");
}

pub async fn report(app: &TestApp, selection: &str, scope: Value, window: [&str; 2]) -> Value {
    let query = format!(
        "query{SCOPES} {{ npsReport(scope: $scope, from: $from, to: $to) {{ {selection} }} }}"
    );
    let variables = json!({ "scope": scope, "from": window[0], "to": window[1] });
    app.graphql(&query, variables).await
}

/// Three accounts and their March answers:
/// - Acme (enterprise, owned by Sam): 10, 9, 3, and a 0 that is excluded;
/// - Globex (enterprise, no owner): 7, 8, 0, 6;
/// - Initech (smb, owned by Sam): 10, 5;
/// - and two answers just outside March (Acme 1 on 28 February, Globex 10 at 1 April 00:00).
struct Portfolio {
    acme: Value,
    sam: Value,
}

impl Portfolio {
    async fn seed(app: &TestApp) -> Portfolio {
        let sam = add_member(app, "sam@closeloop.test", None).await;
        let acme = create_account(
            app,
            json!({ "name": "Acme", "segment": "enterprise", "ownerId": sam }),
        )
        .await;
        let globex =
            create_account(app, json!({ "name": "Globex", "segment": "enterprise" })).await;
        let initech = create_account(
            app,
            json!({ "name": "Initech", "segment": "smb", "ownerId": sam }),
        )
        .await;
        let ada = create_contact(app, &acme, "ada@acme.test").await;
        let gus = create_contact(app, &globex, "gus@globex.test").await;
        let ian = create_contact(app, &initech, "ian@initech.test").await;

        answer(app, &ada, 1, "2026-02-28T23:59:59Z").await;
        answer(app, &ada, 10, "2026-03-01T00:00:00Z").await;
        answer(app, &ada, 9, "2026-03-10T12:00:00Z").await;
        answer(app, &ada, 3, "2026-03-20T12:00:00Z").await;
        let test_answer = answer(app, &ada, 0, "2026-03-25T12:00:00Z").await;
        exclude(app, test_answer).await;
        answer(app, &gus, 7, "2026-03-02T12:00:00Z").await;
        answer(app, &gus, 8, "2026-03-03T12:00:00Z").await;
        answer(app, &gus, 0, "2026-03-04T12:00:00Z").await;
        answer(app, &gus, 6, "2026-03-30T12:00:00Z").await;
        answer(app, &gus, 10, "2026-04-01T00:00:00Z").await;
        answer(app, &ian, 10, "2026-03-05T12:00:00Z").await;
        answer(app, &ian, 5, "2026-03-06T12:00:00Z").await;

        Portfolio { acme, sam }
    }
}

#[tokio::test]
async fn workspace_figures_match_the_hand_computed_nps() {
    let app = TestApp::spawn().await;
    Portfolio::seed(&app).await;

    let body = report(
        &app,
        &format!("figures {{ {FIGURES} }}"),
        Value::Null,
        MARCH,
    )
    .await;

    // 9 answers in March: promoters 10, 9, 10; passives 7, 8; detractors 3, 0, 6, 5.
    assert_eq!(
        data(&body)["npsReport"]["figures"],
        json!({
            "responses": 9, "promoters": 3, "passives": 2, "detractors": 4,
            "promoterPercent": 33.3, "passivePercent": 22.2, "detractorPercent": 44.4,
            "nps": -11.1,
        })
    );
}

#[tokio::test]
async fn figures_narrow_to_an_account_a_segment_or_an_owner() {
    let app = TestApp::spawn().await;
    let portfolio = Portfolio::seed(&app).await;
    let nps_of = |body: Value| {
        let figures = &data(&body)["npsReport"]["figures"];
        (figures["responses"].clone(), figures["nps"].clone())
    };

    let account = report(
        &app,
        "figures { responses nps }",
        json!({ "accountId": portfolio.acme }),
        MARCH,
    )
    .await;
    let segment = report(
        &app,
        "figures { responses nps }",
        json!({ "segment": "enterprise" }),
        MARCH,
    )
    .await;
    let owner = report(
        &app,
        "figures { responses nps }",
        json!({ "ownerId": portfolio.sam }),
        MARCH,
    )
    .await;
    let unknown_segment = report(
        &app,
        "figures { responses nps }",
        json!({ "segment": "startup" }),
        MARCH,
    )
    .await;

    // Acme 10, 9, 3: 66.7% − 33.3%.
    assert_eq!(nps_of(account), (json!(3), json!(33.3)));
    // Acme and Globex, 10 9 3 7 8 0 6: 28.57% − 42.86%.
    assert_eq!(nps_of(segment), (json!(7), json!(-14.3)));
    // Acme and Initech, 10 9 3 10 5: 60% − 40%.
    assert_eq!(nps_of(owner), (json!(5), json!(20.0)));
    assert_eq!(nps_of(unknown_segment), (json!(0), Value::Null));
}

#[tokio::test]
async fn an_excluded_response_stops_counting_and_the_window_end_is_excluded() {
    let app = TestApp::spawn().await;
    let sam = add_member(&app, "sam@closeloop.test", None).await;
    let acme = create_account(&app, json!({ "name": "Acme", "ownerId": sam })).await;
    let ada = create_contact(&app, &acme, "ada@acme.test").await;
    answer(&app, &ada, 9, "2026-03-10T12:00:00Z").await;
    let spam = answer(&app, &ada, 0, "2026-03-11T12:00:00Z").await;
    answer(&app, &ada, 0, "2026-04-01T00:00:00Z").await;
    let before = report(&app, "figures { responses nps }", Value::Null, MARCH).await;

    exclude(&app, spam).await;
    let after = report(&app, "figures { responses nps }", Value::Null, MARCH).await;

    assert_eq!(
        data(&before)["npsReport"]["figures"],
        json!({ "responses": 2, "nps": 0.0 })
    );
    assert_eq!(
        data(&after)["npsReport"]["figures"],
        json!({ "responses": 1, "nps": 100.0 })
    );
}

#[tokio::test]
async fn the_distribution_lists_all_eleven_scores_zeros_included() {
    let app = TestApp::spawn().await;
    Portfolio::seed(&app).await;

    let body = report(&app, "distribution { score count }", Value::Null, MARCH).await;

    let counts: Vec<(i64, i64)> = data(&body)["npsReport"]["distribution"]
        .as_array()
        .expect("distribution")
        .iter()
        .map(|bucket| {
            (
                bucket["score"].as_i64().unwrap_or(-1),
                bucket["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            (0, 1),
            (1, 0),
            (2, 0),
            (3, 1),
            (4, 0),
            (5, 1),
            (6, 1),
            (7, 1),
            (8, 1),
            (9, 1),
            (10, 2)
        ]
    );
}

#[tokio::test]
async fn each_account_is_listed_once_with_its_latest_score_in_the_window() {
    let app = TestApp::spawn().await;
    Portfolio::seed(&app).await;
    let page = "latestScores(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { score category respondedAt account { name } } } }";
    let query = format!(
        "query($from: DateTime!, $to: DateTime!, $after: String) {{ npsReport(from: $from, to: $to) {{ {page} }} }}"
    );
    let names = |body: &Value| -> Vec<Value> {
        data(body)["npsReport"]["latestScores"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| {
                json!([
                    e["node"]["account"]["name"],
                    e["node"]["score"],
                    e["node"]["category"]
                ])
            })
            .collect()
    };

    let first = app
        .graphql(&query, json!({ "from": MARCH[0], "to": MARCH[1] }))
        .await;
    let cursor = data(&first)["npsReport"]["latestScores"]["pageInfo"]["endCursor"].clone();
    let second = app
        .graphql(
            &query,
            json!({ "from": MARCH[0], "to": MARCH[1], "after": cursor }),
        )
        .await;

    // Acme's excluded 0 and Globex's answer on 1 April do not count.
    assert_eq!(
        names(&first),
        vec![
            json!(["Acme", 3, "DETRACTOR"]),
            json!(["Globex", 6, "DETRACTOR"])
        ]
    );
    assert_eq!(
        data(&first)["npsReport"]["latestScores"]["pageInfo"]["hasNextPage"],
        true
    );
    assert_eq!(names(&second), vec![json!(["Initech", 5, "DETRACTOR"])]);
    assert_eq!(
        data(&second)["npsReport"]["latestScores"]["pageInfo"]["hasNextPage"],
        false
    );
}

#[tokio::test]
async fn latest_scores_load_their_accounts_in_one_batch() {
    let app = TestApp::spawn().await;
    Portfolio::seed(&app).await;
    let query = "query($from: DateTime!, $to: DateTime!) { npsReport(from: $from, to: $to) {
        latestScores(first: 10) { edges { node { score account { name owner { email } } } } } } }";

    let (statements, body) = app
        .fewest_statements(query, json!({ "from": MARCH[0], "to": MARCH[1] }))
        .await;

    assert_eq!(
        data(&body)["npsReport"]["latestScores"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // Authentication, the scope, the scores, the accounts, their owners.
    assert!(statements <= 6, "{statements} statements");
}

#[tokio::test]
async fn bad_windows_and_scopes_are_refused_with_codes() {
    let app = TestApp::spawn().await;
    let acme = create_account(&app, json!({ "name": "Acme" })).await;
    let other = app
        .token_for("Other workspace", "olga@other.test", MemberRole::Admin)
        .await;
    let unknown = Uuid::now_v7().to_string();
    let selection = "figures { responses }";

    let backwards = report(&app, selection, Value::Null, [MARCH[1], MARCH[0]]).await;
    let too_long = report(
        &app,
        selection,
        Value::Null,
        ["2020-01-01T00:00:00Z", MARCH[1]],
    )
    .await;
    let two_scopes = report(
        &app,
        selection,
        json!({ "accountId": acme, "segment": "smb" }),
        MARCH,
    )
    .await;
    let unknown_account = report(&app, selection, json!({ "accountId": unknown }), MARCH).await;
    let unknown_owner = report(&app, selection, json!({ "ownerId": unknown }), MARCH).await;
    let query = format!(
        "query{SCOPES} {{ npsReport(scope: $scope, from: $from, to: $to) {{ {selection} }} }}"
    );
    let foreign = app
        .graphql_as(
            &other,
            &query,
            json!({ "scope": { "accountId": acme }, "from": MARCH[0], "to": MARCH[1] }),
        )
        .await;

    assert_eq!(error_code(&backwards), Some("BAD_USER_INPUT"));
    assert_eq!(backwards["errors"][0]["extensions"]["field"], "to");
    assert_eq!(error_code(&too_long), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&two_scopes), Some("BAD_USER_INPUT"));
    assert_eq!(two_scopes["errors"][0]["extensions"]["field"], "scope");
    assert_eq!(error_code(&unknown_account), Some("NOT_FOUND"));
    assert_eq!(error_code(&unknown_owner), Some("NOT_FOUND"));
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"));
}
