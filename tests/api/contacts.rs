//! Contacts and the NPS responses they gave: adding and changing contacts, reading
//! responses, refusals, isolation.

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::entities::enums::{MemberRole, NpsCategory};
use closeloop::values::Text;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{create_account, default_workspace_id};
use crate::helpers::{TestApp, data, error_code};

const CREATE: &str = "mutation($input: CreateContactInput!) { createContact(input: $input) { id email name role unsubscribed account { name } latestResponse { score } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { email name role } }";
const READ: &str = "query($id: ID!) { contact(id: $id) { email name role } }";

/// Adds a contact with `email` to an account as the default admin; returns its id.
pub async fn create_contact(app: &TestApp, account_id: &Value, email: &str) -> Value {
    let input = json!({ "accountId": account_id, "email": email, "role": "CHAMPION" });
    let body = app.graphql(CREATE, json!({ "input": input })).await;
    data(&body)["createContact"]["id"].clone()
}

/// Stores a response of `contact_id`, `minutes` after the start of the test.
#[expect(
    clippy::expect_used,
    reason = "test set-up: a failure must stop the test"
)]
pub async fn respond(
    app: &TestApp,
    contact_id: &Value,
    score: i16,
    category: NpsCategory,
    minutes: i64,
) {
    let workspace_id = default_workspace_id(app).await;
    let contact_id = Uuid::parse_str(contact_id.as_str().unwrap_or_default()).expect("contact id");
    let at = app.clock.now() + Duration::minutes(minutes);
    let comment = Text::parse("comment", "Support is slow").ok();
    closeloop::surveys::service::record_raw(
        &app.db,
        workspace_id,
        contact_id,
        score,
        comment,
        at,
        category,
        app.clock.now(),
    )
    .await
    .expect("response");
}

#[tokio::test]
async fn a_csm_adds_a_contact_to_an_account() {
    let app = TestApp::spawn().await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let input =
        json!({ "accountId": account, "email": " Ada@Acme.IO ", "name": "Ada", "role": "ADMIN" });

    let body = app
        .graphql_as(&csm, CREATE, json!({ "input": input }))
        .await;

    let contact = &data(&body)["createContact"];
    assert_eq!(contact["email"], "ada@acme.io");
    assert_eq!(contact["role"], "ADMIN");
    assert_eq!(contact["unsubscribed"], false);
    assert_eq!(contact["account"]["name"], "Acme");
    assert_eq!(contact["latestResponse"], Value::Null);
    let listed = app
        .graphql(
            "query($a: ID) { contacts(accountId: $a) { edges { node { email } } } }",
            json!({ "a": account }),
        )
        .await;
    assert_eq!(
        data(&listed)["contacts"]["edges"][0]["node"]["email"],
        "ada@acme.io"
    );
}

#[tokio::test]
async fn bad_emails_unknown_accounts_and_duplicates_are_refused() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    create_contact(&app, &account, "ada@acme.io").await;
    let input = |account: &Value, email: &str| json!({ "input": { "accountId": account, "email": email, "role": "USER" } });

    let bad_email = app.graphql(CREATE, input(&account, "ada-at-acme")).await;
    let unknown = app
        .graphql(
            CREATE,
            input(
                &json!("0190d9a0-0000-7000-8000-000000000000"),
                "bob@acme.io",
            ),
        )
        .await;
    let duplicate = app.graphql(CREATE, input(&account, "ADA@acme.io")).await;
    let by_viewer = app
        .graphql_as(&viewer, CREATE, input(&account, "bob@acme.io"))
        .await;

    assert_eq!(error_code(&bad_email), Some("BAD_USER_INPUT"));
    assert_eq!(bad_email["errors"][0]["extensions"]["field"], "email");
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
    assert_eq!(error_code(&by_viewer), Some("FORBIDDEN"));
    let listed = app
        .graphql("{ contacts { edges { node { email } } } }", json!({}))
        .await;
    assert_eq!(
        data(&listed)["contacts"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_contact_is_changed_and_taking_anothers_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, &account, "ada@acme.io").await;
    create_contact(&app, &account, "bob@acme.io").await;

    let changed = app
        .graphql(UPDATE, json!({ "id": ada, "input": { "email": "ada.l@acme.io", "name": "Ada L", "role": "USER" } }))
        .await;
    let taken = app
        .graphql(
            UPDATE,
            json!({ "id": ada, "input": { "email": "bob@acme.io" } }),
        )
        .await;

    assert_eq!(
        data(&changed)["updateContact"],
        json!({ "email": "ada.l@acme.io", "name": "Ada L", "role": "USER" })
    );
    assert_eq!(error_code(&taken), Some("CONFLICT"));
    let read = app.graphql(READ, json!({ "id": ada })).await;
    assert_eq!(data(&read)["contact"]["email"], "ada.l@acme.io");
}

#[tokio::test]
async fn deleting_a_contact_removes_their_responses() {
    let app = TestApp::spawn().await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, &account, "ada@acme.io").await;
    respond(&app, &ada, 3, NpsCategory::Detractor, 0).await;

    let deleted = app
        .graphql(
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({ "id": ada }),
        )
        .await;

    assert_eq!(data(&deleted)["deleteContact"], true);
    let read = app.graphql(READ, json!({ "id": ada })).await;
    assert_eq!(error_code(&read), Some("NOT_FOUND"));
    let responses = app
        .graphql("{ npsResponses { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(data(&responses)["npsResponses"]["edges"], json!([]));
}

#[tokio::test]
async fn responses_are_read_by_contact_account_and_category_with_the_latest_first_found() {
    let app = TestApp::spawn().await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, &account, "ada@acme.io").await;
    let bob = create_contact(&app, &account, "bob@acme.io").await;
    respond(&app, &ada, 9, NpsCategory::Promoter, 30).await;
    respond(&app, &ada, 4, NpsCategory::Detractor, 10).await;
    respond(&app, &bob, 7, NpsCategory::Passive, 20).await;
    let query = "query($a: ID!, $c: ID!) {
        account(id: $a) { latestResponse { score contact { email } } }
        contact(id: $c) { latestResponse { score } responses(first: 1) { edges { node { score } } pageInfo { hasNextPage } } }
        detractors: npsResponses(category: DETRACTOR) { edges { node { score comment category excluded account { name } } } }
        ofAda: npsResponses(contactId: $c) { edges { node { score } } }
    }";

    let body = app.graphql(query, json!({ "a": account, "c": ada })).await;

    let body = data(&body);
    assert_eq!(
        body["account"]["latestResponse"],
        json!({ "score": 9, "contact": { "email": "ada@acme.io" } })
    );
    assert_eq!(body["contact"]["latestResponse"]["score"], 9);
    assert_eq!(body["contact"]["responses"]["edges"][0]["node"]["score"], 9);
    assert_eq!(
        body["contact"]["responses"]["pageInfo"]["hasNextPage"],
        true
    );
    let detractor = &body["detractors"]["edges"][0]["node"];
    assert_eq!(
        detractor,
        &json!({ "score": 4, "comment": "Support is slow", "category": "DETRACTOR", "excluded": false, "account": { "name": "Acme" } })
    );
    assert_eq!(body["ofAda"]["edges"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn another_workspace_cannot_read_or_change_a_contact_or_response() {
    let app = TestApp::spawn().await;
    let globex = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let account = create_account(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, &account, "ada@acme.io").await;
    respond(&app, &ada, 3, NpsCategory::Detractor, 0).await;
    let mine = app
        .graphql("{ npsResponses { edges { node { id } } } }", json!({}))
        .await;
    let response_id = data(&mine)["npsResponses"]["edges"][0]["node"]["id"].clone();

    let read = app.graphql_as(&globex, READ, json!({ "id": ada })).await;
    let response = app
        .graphql_as(
            &globex,
            "query($id: ID!) { npsResponse(id: $id) { score } }",
            json!({ "id": response_id }),
        )
        .await;
    let updated = app
        .graphql_as(
            &globex,
            UPDATE,
            json!({ "id": ada, "input": { "name": "Hacked" } }),
        )
        .await;
    let deleted = app
        .graphql_as(
            &globex,
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({ "id": ada }),
        )
        .await;
    let added = app
        .graphql_as(
            &globex,
            CREATE,
            json!({ "input": { "accountId": account, "email": "eve@globex.io", "role": "USER" } }),
        )
        .await;

    assert_eq!(error_code(&read), Some("NOT_FOUND"));
    assert_eq!(error_code(&response), Some("NOT_FOUND"));
    assert_eq!(error_code(&updated), Some("NOT_FOUND"));
    assert_eq!(error_code(&deleted), Some("NOT_FOUND"));
    assert_eq!(error_code(&added), Some("NOT_FOUND"));
    let after = app.graphql(READ, json!({ "id": ada })).await;
    assert_eq!(
        data(&after)["contact"],
        json!({ "email": "ada@acme.io", "name": null, "role": "CHAMPION" })
    );
}
