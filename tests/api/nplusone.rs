//! No N+1: a page of 100 accounts with their owners, contacts and latest responses costs as
//! many SQL statements as a page of 5.

use chrono::Duration;
use closeloop::accounts::service::{self as accounts, NewAccount};
use closeloop::clock::Clock;
use closeloop::contacts::service::{self as contacts, NewContact};
use closeloop::entities::enums::{ContactRole, NpsCategory};
use closeloop::values::{EmailAddress, Name};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::default_workspace_id;
use crate::helpers::{TestApp, data};

const PAGE: &str = "query($first: Int!) { accounts(first: $first) { edges { node {
    owner { email }
    contacts(first: 10) { edges { node { email latestResponse { score } } } }
} } } }";

/// 100 accounts owned by the admin, each with 3 contacts who answered twice.
#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
async fn seed(app: &TestApp) {
    let workspace_id = default_workspace_id(app).await;
    let admin = closeloop::members::service::find_by_email(
        &app.db,
        workspace_id,
        &email("admin@closeloop.localhost"),
    )
    .await
    .expect("query")
    .expect("admin");
    let now = app.clock.now();
    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    for a in 0..100 {
        let new = NewAccount {
            name: Name::parse("name", &format!("Account {a}")).expect("name"),
            external_id: None,
            owner_id: Some(admin.id),
            mrr_cents: None,
            segment: None,
        };
        let account = accounts::create(&txn, workspace_id, None, new, now)
            .await
            .expect("account");
        for c in 0..3 {
            let new = NewContact {
                account_id: account.id,
                email: email(&format!("c{c}@a{a}.io")),
                name: None,
                role: ContactRole::User,
            };
            let contact = contacts::create(&txn, workspace_id, None, new, now)
                .await
                .expect("contact");
            respond_twice(&txn, workspace_id, contact.id, now).await;
        }
    }
    txn.commit().await.expect("commit");
}

#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
async fn respond_twice(
    db: &impl sea_orm::ConnectionTrait,
    workspace_id: Uuid,
    contact_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) {
    for (score, days_ago) in [(3, 30), (9, 1)] {
        let at = now - Duration::days(days_ago);
        let category = if score > 8 {
            NpsCategory::Promoter
        } else {
            NpsCategory::Detractor
        };
        closeloop::surveys::service::record_raw(
            db,
            workspace_id,
            contact_id,
            score,
            None,
            at,
            category,
            now,
        )
        .await
        .expect("response");
    }
}

#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
fn email(raw: &str) -> EmailAddress {
    EmailAddress::parse("email", raw).expect("email")
}

/// Runs the page query for `first` accounts; returns the statements it cost and the body.
async fn statements_for(app: &TestApp, first: i32) -> (usize, Value) {
    app.reset_statements();
    let body = app.graphql(PAGE, json!({ "first": first })).await;
    (app.statement_count(), body)
}

#[tokio::test]
async fn a_page_of_100_accounts_costs_as_many_statements_as_a_page_of_5() {
    let app = TestApp::spawn().await;
    seed(&app).await;

    let (small, small_body) = statements_for(&app, 5).await;
    let (large, large_body) = statements_for(&app, 100).await;

    let edges = data(&large_body)["accounts"]["edges"]
        .as_array()
        .map(Vec::len);
    assert_eq!(edges, Some(100));
    let first = &data(&small_body)["accounts"]["edges"][0]["node"];
    assert_eq!(first["owner"]["email"], "admin@closeloop.localhost");
    assert_eq!(first["contacts"]["edges"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        first["contacts"]["edges"][0]["node"]["latestResponse"]["score"],
        9
    );
    assert_eq!(small, large, "statements for 5 accounts vs 100");
    assert!(large <= 8, "{large} statements for one page");
}

#[tokio::test]
async fn nested_objects_of_a_wide_contact_list_are_loaded_in_batches() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let query = "{ contacts(first: 100) { edges { node {
        account { name owner { email } }
        latestResponse { score }
        responses(first: 5) { edges { node { score } } }
    } } } }";

    app.reset_statements();
    let body = app.graphql(query, json!({})).await;
    let statements = app.statement_count();

    let first = &data(&body)["contacts"]["edges"][0]["node"];
    assert_eq!(
        first["account"]["owner"]["email"],
        "admin@closeloop.localhost"
    );
    assert_eq!(first["latestResponse"]["score"], 9);
    assert_eq!(
        first["responses"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(statements <= 12, "{statements} statements for 100 contacts");
}
