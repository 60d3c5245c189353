//! Emails held for review: drafts that can be read, edited, sent or discarded, and that go
//! out by themselves when the review window ends; and the per-contact cap.

use chrono::Duration;
use closeloop::email::outbox::{EnqueueOutcome, OutgoingEmail, Suppression};
use closeloop::entities::enums::MemberRole;
use serde_json::json;

use super::{Customer, app_sending_to, email, enqueue, queued};
use crate::helpers::{TestApp, data, error_code};
use crate::smtp::{SmtpServer, decoded, header};

const EDIT: &str = "mutation($id: ID!, $input: UpdateDraftEmailInput!) { updateDraftEmail(id: $id, input: $input) { status subject bodyText } }";
const SEND: &str = "mutation($id: ID!) { sendDraftEmail(id: $id) { status } }";
const DISCARD: &str = "mutation($id: ID!) { discardEmail(id: $id) { status } }";

fn held(email: OutgoingEmail) -> OutgoingEmail {
    OutgoingEmail {
        hold_for_review: true,
        ..email
    }
}

async fn hold_thank_yous(app: &TestApp) {
    let input = json!({ "subject": "Thanks, {{ contact.first_name }}", "bodyText": "Hi {{ contact.first_name }}, thank you.", "holdForReview": true });
    let body = app
        .graphql("mutation($input: EmailTemplateInput!) { updateEmailTemplate(key: PROMOTER_THANK_YOU, input: $input) { holdForReview } }", json!({ "input": input }))
        .await;
    assert_eq!(data(&body)["updateEmailTemplate"]["holdForReview"], true);
}

#[tokio::test]
async fn a_held_draft_is_edited_by_the_csm_and_sent_at_once() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    hold_thank_yous(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    let csm = app
        .token_for("Default workspace", "sam@acme-cs.io", MemberRole::Csm)
        .await;

    let before_review = app.deliver_outbox().await;
    let edit = json!({ "subject": "A personal thank-you", "bodyText": "Ada, thank you - Sam" });
    let edited = app
        .graphql_as(&csm, EDIT, json!({ "id": id, "input": edit }))
        .await;
    let sent = app.graphql_as(&csm, SEND, json!({ "id": id })).await;
    let delivered = app.deliver_outbox().await;

    assert_eq!(before_review.total(), 0, "a held draft waits");
    assert_eq!(data(&edited)["updateDraftEmail"]["status"], "HELD");
    assert_eq!(data(&sent)["sendDraftEmail"]["status"], "PENDING");
    assert_eq!(delivered.sent, 1);
    let message = &smtp.received()[0];
    assert_eq!(
        header(&message.data, "Subject").as_deref(),
        Some("A personal thank-you")
    );
    assert!(decoded(&message.data).contains("Ada, thank you - Sam"));
    let again = app
        .graphql_as(
            &csm,
            EDIT,
            json!({ "id": id, "input": { "subject": "Too late" } }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
}

#[tokio::test]
async fn a_discarded_draft_is_never_sent() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, held(customer.thank_you("response-1:thanks"))).await);

    let discarded = app.graphql(DISCARD, json!({ "id": id })).await;
    app.clock.advance(Duration::hours(3));
    let report = app.deliver_outbox().await;

    assert_eq!(data(&discarded)["discardEmail"]["status"], "DISCARDED");
    assert_eq!(report.total(), 0);
    assert!(smtp.received().is_empty());
    let send = app.graphql(SEND, json!({ "id": id })).await;
    assert_eq!(error_code(&send), Some("CONFLICT"));
}

#[tokio::test]
async fn a_held_draft_goes_out_by_itself_when_the_review_window_ends() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let window = json!({ "input": { "reviewWindowMinutes": 30 } });
    data(&app.graphql("mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { reviewWindowMinutes } }", window).await);
    let id = queued(enqueue(&app, held(customer.thank_you("response-1:thanks"))).await);

    app.clock.advance(Duration::minutes(29));
    let during = app.deliver_outbox().await;
    app.clock.advance(Duration::minutes(2));
    let after = app.deliver_outbox().await;

    assert_eq!(during.total(), 0);
    assert_eq!(after.sent, 1);
    assert_eq!(email(&app, &id).await["status"], "SENT");
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn viewers_cannot_touch_drafts_and_other_workspaces_cannot_see_them() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, held(customer.thank_you("response-1:thanks"))).await);
    let viewer = app
        .token_for("Default workspace", "vera@acme-cs.io", MemberRole::Viewer)
        .await;
    let stranger = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;

    let by_viewer = app.graphql_as(&viewer, DISCARD, json!({ "id": id })).await;
    let by_stranger = app
        .graphql_as(
            &stranger,
            "query($id: ID!) { email(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(error_code(&by_viewer), Some("FORBIDDEN"));
    assert_eq!(error_code(&by_stranger), Some("NOT_FOUND"));
    assert_eq!(email(&app, &id).await["status"], "HELD");
}

#[tokio::test]
async fn a_contact_gets_one_customer_email_within_the_workspaces_cap() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let same_week = enqueue(&app, customer.thank_you("response-2:thanks")).await;
    let internal = enqueue(&app, customer.notice("response-2:notice")).await;
    app.clock.advance(Duration::days(8));
    let next_week = enqueue(&app, customer.thank_you("response-3:thanks")).await;
    let no_cap = json!({ "input": { "contactEmailCapDays": 0 } });
    data(&app.graphql("mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { contactEmailCapDays } }", no_cap).await);
    let uncapped = enqueue(&app, customer.thank_you("response-4:thanks")).await;

    assert_eq!(
        same_week,
        EnqueueOutcome::Suppressed(Suppression::FrequencyCap)
    );
    assert!(
        matches!(internal, EnqueueOutcome::Queued(_)),
        "the cap is for customer email only"
    );
    assert!(matches!(next_week, EnqueueOutcome::Queued(_)));
    assert!(matches!(uncapped, EnqueueOutcome::Queued(_)));
}

#[tokio::test]
async fn workspace_email_settings_are_checked_and_for_admins() {
    let app = TestApp::spawn().await;
    let manager = app
        .token_for("Default workspace", "max@acme-cs.io", MemberRole::Manager)
        .await;
    let mutation = "mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { contactEmailCapDays reviewWindowMinutes } }";

    let negative = app
        .graphql(mutation, json!({ "input": { "contactEmailCapDays": -1 } }))
        .await;
    let by_manager = app
        .graphql_as(
            &manager,
            mutation,
            json!({ "input": { "reviewWindowMinutes": 5 } }),
        )
        .await;
    let read = app
        .graphql(
            "{ workspace { contactEmailCapDays reviewWindowMinutes } }",
            json!({}),
        )
        .await;

    assert_eq!(error_code(&negative), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&by_manager), Some("FORBIDDEN"));
    assert_eq!(
        data(&read)["workspace"],
        json!({ "contactEmailCapDays": 7, "reviewWindowMinutes": 60 })
    );
}
