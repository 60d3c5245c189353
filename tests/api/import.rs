//! Bulk import of NPS responses, through the mutation and through the CSV import the
//! `closeloop import responses` command runs.

use closeloop::clock::Clock;
use closeloop::values::Name;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code};
use crate::ingestion::{acme_with_contact, stored_responses};

const IMPORT: &str = "mutation($rows: [NpsResponseInput!]!) { importNpsResponses(rows: $rows) { stored duplicates invalid errors { row field reason } } }";

async fn import(app: &TestApp, rows: Value) -> Value {
    app.graphql(IMPORT, json!({ "rows": rows })).await
}

fn mixed_rows(contact: &Value) -> Value {
    json!([
        { "contactId": contact, "score": 9, "externalId": "r-1" },
        { "contactId": contact, "score": 11, "externalId": "r-2" },
        { "contactEmail": "new@acme.io", "accountExternalId": "acme-1", "score": 3, "externalId": "r-3" },
        { "contactEmail": "nobody@else.io", "accountExternalId": "missing", "score": 3, "externalId": "r-4" },
        { "contactEmail": "broken", "accountExternalId": "acme-1", "score": 3 },
        { "contactId": contact, "score": 7.5 },
        { "contactId": contact, "score": 7, "respondedAt": "2026-02-01T10:00:00Z" },
        { "contactId": contact, "score": 5, "respondedAt": "2027-01-01T00:00:00Z" },
        { "contactId": contact, "score": 9, "externalId": "r-1" },
    ])
}

#[tokio::test]
async fn a_bulk_import_stores_the_valid_rows_and_reports_each_invalid_one() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;

    let body = import(&app, mixed_rows(&contact)).await;

    let payload = &data(&body)["importNpsResponses"];
    assert_eq!(payload["stored"], 3, "{body}");
    assert_eq!(payload["duplicates"], 1);
    assert_eq!(payload["invalid"], 5);
    let errors: Vec<(i64, &str)> = payload["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (2, "score"),
            (4, "accountExternalId"),
            (5, "contactEmail"),
            (6, "score"),
            (8, "respondedAt")
        ]
    );
    assert_eq!(
        payload["errors"][0]["reason"],
        "`score` must be between 0 and 10"
    );
    assert_eq!(stored_responses(&app).await.len(), 3);
}

#[tokio::test]
async fn importing_the_same_rows_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    import(&app, mixed_rows(&contact)).await;

    let body = import(&app, mixed_rows(&contact)).await;

    let payload = &data(&body)["importNpsResponses"];
    assert_eq!(payload["stored"], 0, "{body}");
    assert_eq!(payload["duplicates"], 4);
    assert_eq!(stored_responses(&app).await.len(), 3);
}

#[tokio::test]
async fn more_than_ten_thousand_rows_are_refused() {
    let app = TestApp::spawn().await;
    let contact = acme_with_contact(&app).await;
    let rows: Vec<Value> = (0..10_001)
        .map(|_| json!({ "contactId": contact, "score": 5 }))
        .collect();

    let body = import(&app, json!(rows)).await;

    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(stored_responses(&app).await.is_empty());
}

#[tokio::test]
async fn a_csv_file_is_imported_and_a_second_import_changes_nothing() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let csv = "\
external_id,contact_email,contact_name,account_external_id,score,comment,responded_at,survey,channel
t-1,ada@acme.io,,acme-1,2,\"Slow, and buggy\",2026-03-01T10:00:00Z,Q1,email
,bob@acme.io,Bob,acme-1,10,Love it,2026-03-01T11:00:00Z,Q1,email
t-3,carl@acme.io,,acme-1,ten,,2026-03-01T12:00:00Z,Q1,email
t-4,dora@nowhere.io,,unknown,8,,2026-03-01T12:00:00Z,Q1,email
";
    let workspace = Name::parse("workspace", "Default workspace").expect("name");

    let first = closeloop::surveys::import::import_csv(
        &app.db,
        &workspace,
        csv.as_bytes(),
        app.clock.now(),
    )
    .await
    .expect("import");
    let second = closeloop::surveys::import::import_csv(
        &app.db,
        &workspace,
        csv.as_bytes(),
        app.clock.now(),
    )
    .await
    .expect("import");

    assert_eq!(
        (first.stored, first.duplicates, first.invalid.len()),
        (2, 0, 2)
    );
    let lines: Vec<(usize, Option<&str>)> =
        first.invalid.iter().map(|e| (e.row, e.field)).collect();
    assert_eq!(
        lines,
        [(4, Some("score")), (5, Some("account_external_id"))]
    );
    assert_eq!(
        (second.stored, second.duplicates, second.invalid.len()),
        (0, 2, 2)
    );
    assert_eq!(stored_responses(&app).await.len(), 2);
}

#[tokio::test]
async fn a_csv_file_with_an_unknown_column_is_refused_whole() {
    let app = TestApp::spawn().await;
    acme_with_contact(&app).await;
    let csv = "external_id,contact_email,account_external_id,scroe\nt-1,ada@acme.io,acme-1,2\n";
    let workspace = Name::parse("workspace", "Default workspace").expect("name");

    let result = closeloop::surveys::import::import_csv(
        &app.db,
        &workspace,
        csv.as_bytes(),
        app.clock.now(),
    )
    .await;

    assert!(result.is_err());
    assert!(stored_responses(&app).await.is_empty());
}
