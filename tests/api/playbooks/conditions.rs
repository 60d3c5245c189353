//! Each condition, holding and not holding; snoozes and the frequency bound.

use chrono::Duration;
use closeloop::clock::Clock;
use serde_json::json;

use super::{Customer, add_contact, answer, disable_builtins, runs, task_playbook};
use crate::helpers::{TestApp, data, error_code};
use crate::projects::start_detractor;

fn later(app: &TestApp, by: Duration) -> String {
    (app.clock.now() + by).to_rfc3339()
}

fn fired(response: uuid::Uuid) -> (String, String) {
    ("FIRED".to_owned(), response.to_string())
}

#[tokio::test]
async fn a_category_condition_fires_for_that_category_only() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({ "categories": ["PASSIVE"] })).await;

    let (passive, _) = answer(&app, &acme.contact_id, 7).await;
    answer(&app, &acme.contact_id, 6).await;
    answer(&app, &acme.contact_id, 9).await;

    assert_eq!(runs(&app, &playbook).await, [fired(passive)]);
}

#[tokio::test]
async fn a_score_range_condition_includes_both_ends() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({ "scoreMin": 3, "scoreMax": 5 })).await;

    answer(&app, &acme.contact_id, 2).await;
    let (three, _) = answer(&app, &acme.contact_id, 3).await;
    let (five, _) = answer(&app, &acme.contact_id, 5).await;
    answer(&app, &acme.contact_id, 6).await;

    assert_eq!(runs(&app, &playbook).await, [fired(three), fired(five)]);
}

#[tokio::test]
async fn a_contact_role_condition_fires_for_those_roles_only() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "CHAMPION").await;
    let user = add_contact(&app, &acme.account_id, "bob@acme.com", "USER").await;
    let playbook = task_playbook(&app, json!({ "contactRoles": ["ADMIN", "CHAMPION"] })).await;

    let (champion, _) = answer(&app, &acme.contact_id, 4).await;
    answer(&app, &user, 4).await;

    assert_eq!(runs(&app, &playbook).await, [fired(champion)]);
}

#[tokio::test]
async fn a_segment_condition_ignores_case_and_skips_accounts_without_a_segment() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let big = Customer::create(&app, "Big", json!({ "segment": "enterprise" }), "USER").await;
    let small = Customer::create(&app, "Small", json!({ "segment": "SMB" }), "USER").await;
    let none = Customer::create(&app, "None", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({ "segments": ["Enterprise"] })).await;

    let (enterprise, _) = answer(&app, &big.contact_id, 4).await;
    answer(&app, &small.contact_id, 4).await;
    answer(&app, &none.contact_id, 4).await;

    assert_eq!(runs(&app, &playbook).await, [fired(enterprise)]);
}

#[tokio::test]
async fn an_mrr_condition_fires_within_its_range_only() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let big = Customer::create(&app, "Big", json!({ "mrrCents": 500_000 }), "USER").await;
    let small = Customer::create(&app, "Small", json!({ "mrrCents": 9_999 }), "USER").await;
    let huge = Customer::create(&app, "Huge", json!({ "mrrCents": 10_000_001 }), "USER").await;
    let none = Customer::create(&app, "None", json!({}), "USER").await;
    let playbook = task_playbook(
        &app,
        json!({ "mrrMinCents": 10_000, "mrrMaxCents": 10_000_000 }),
    )
    .await;

    let (inside, _) = answer(&app, &big.contact_id, 4).await;
    for customer in [&small, &huge, &none] {
        answer(&app, &customer.contact_id, 4).await;
    }

    assert_eq!(runs(&app, &playbook).await, [fired(inside)]);
}

#[tokio::test]
async fn no_open_project_from_a_template_holds_until_one_is_started_and_again_once_it_completes() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let playbook = task_playbook(
        &app,
        json!({ "noOpenProjectFrom": { "builtinKey": "nps_detractor" } }),
    )
    .await;

    let (before, _) = answer(&app, &acme.contact_id, 4).await;
    let started = start_detractor(&app, &acme.account_id, json!({})).await;
    let project = data(&started)["startProject"]["id"].clone();
    answer(&app, &acme.contact_id, 4).await;
    app.graphql(
        "mutation($id: ID!) { completeProject(id: $id) { id } }",
        json!({ "id": project }),
    )
    .await;
    let (after, _) = answer(&app, &acme.contact_id, 4).await;

    assert_eq!(runs(&app, &playbook).await, [fired(before), fired(after)]);
}

#[tokio::test]
async fn a_frequency_bound_per_account_holds_the_playbook_back_until_the_days_pass() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let other_contact = add_contact(&app, &acme.account_id, "bob@acme.com", "USER").await;
    let playbook = task_playbook(
        &app,
        json!({ "frequency": { "days": 7, "per": "ACCOUNT" } }),
    )
    .await;

    let (first, _) = answer(&app, &acme.contact_id, 4).await;
    app.clock.advance(Duration::days(6));
    let (too_soon, effects) = answer(&app, &other_contact, 4).await;
    app.clock.advance(Duration::days(2));
    let (later, _) = answer(&app, &acme.contact_id, 4).await;

    assert!(effects.tasks_created.is_empty());
    assert_eq!(
        runs(&app, &playbook).await,
        [
            fired(first),
            ("RATE_LIMITED".to_owned(), too_soon.to_string()),
            fired(later)
        ]
    );
}

#[tokio::test]
async fn a_frequency_bound_per_contact_lets_other_contacts_of_the_account_through() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let other_contact = add_contact(&app, &acme.account_id, "bob@acme.com", "USER").await;
    let playbook = task_playbook(
        &app,
        json!({ "frequency": { "days": 30, "per": "CONTACT" } }),
    )
    .await;

    let (first, _) = answer(&app, &acme.contact_id, 4).await;
    let (other, _) = answer(&app, &other_contact, 4).await;
    let (again, _) = answer(&app, &acme.contact_id, 4).await;

    assert_eq!(
        runs(&app, &playbook).await,
        [
            fired(first),
            fired(other),
            ("RATE_LIMITED".to_owned(), again.to_string())
        ]
    );
}

#[tokio::test]
async fn a_snoozed_playbook_does_not_fire_for_that_account_until_it_wakes_or_is_unsnoozed() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let globex = Customer::create(&app, "Globex", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({})).await;
    let until = later(&app, Duration::days(3));
    let snooze = app
        .graphql(
            "mutation($p: ID!, $a: ID!, $until: DateTime!) { snoozePlaybook(playbookId: $p, accountId: $a, until: $until) { accountId until } }",
            json!({ "p": playbook, "a": acme.account_id, "until": until }),
        )
        .await;

    let (snoozed, _) = answer(&app, &acme.contact_id, 4).await;
    let (elsewhere, _) = answer(&app, &globex.contact_id, 4).await;
    app.clock.advance(Duration::days(4));
    let (woke, _) = answer(&app, &acme.contact_id, 4).await;

    assert_eq!(
        data(&snooze)["snoozePlaybook"]["accountId"],
        acme.account_id
    );
    assert_eq!(
        runs(&app, &playbook).await,
        [
            ("SNOOZED".to_owned(), snoozed.to_string()),
            fired(elsewhere),
            fired(woke)
        ]
    );
}

#[tokio::test]
async fn unsnoozing_a_playbook_lets_it_fire_again_and_a_past_date_is_refused() {
    let app = TestApp::spawn().await;
    disable_builtins(&app).await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let playbook = task_playbook(&app, json!({})).await;
    let snooze = "mutation($p: ID!, $a: ID!, $until: DateTime!) { snoozePlaybook(playbookId: $p, accountId: $a, until: $until) { until } }";
    let vars = |until: String| json!({ "p": playbook, "a": acme.account_id, "until": until });
    app.graphql(snooze, vars(later(&app, Duration::days(30))))
        .await;

    let listed = app
        .graphql(
            "query($p: ID!) { playbookSnoozes(playbookId: $p) { accountId } }",
            json!({ "p": playbook }),
        )
        .await;
    let woke = app
        .graphql(
            "mutation($p: ID!, $a: ID!) { unsnoozePlaybook(playbookId: $p, accountId: $a) }",
            json!({ "p": playbook, "a": acme.account_id }),
        )
        .await;
    let (after, _) = answer(&app, &acme.contact_id, 4).await;
    let past = app
        .graphql(snooze, vars(later(&app, Duration::days(-1))))
        .await;

    assert_eq!(
        data(&listed)["playbookSnoozes"],
        json!([{ "accountId": acme.account_id }])
    );
    assert_eq!(data(&woke)["unsnoozePlaybook"], true);
    assert_eq!(runs(&app, &playbook).await, [fired(after)]);
    assert_eq!(error_code(&past), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn listing_playbooks_with_their_runs_costs_the_same_statements_for_two_or_six_playbooks() {
    let app = TestApp::spawn().await;
    let acme = Customer::create(&app, "Acme", json!({}), "USER").await;
    let query = "{ playbooks { name runs(first: 5) { edges { node { outcome } } } } }";
    answer(&app, &acme.contact_id, 4).await;
    let (two, _) = app.fewest_statements(query, json!({})).await;
    for _ in 0..4 {
        task_playbook(&app, json!({})).await;
    }
    answer(&app, &acme.contact_id, 4).await;

    let (six, body) = app.fewest_statements(query, json!({})).await;

    let listed = data(&body)["playbooks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed.len(), 6);
    assert_eq!(listed[2]["runs"]["edges"][0]["node"]["outcome"], "FIRED");
    assert_eq!(six, two);
}
