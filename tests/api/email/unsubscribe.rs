//! The unsubscribe link, from the received message to the pages and what changes after.

use closeloop::email::outbox::{EnqueueOutcome, Suppression};
use serde_json::json;

use super::{Customer, app_sending_to, email, enqueue, queued};
use crate::helpers::{TestApp, data};
use crate::smtp::{SmtpServer, header};

/// The path of the List-Unsubscribe link of the first message received.
fn unsubscribe_path(smtp: &SmtpServer) -> String {
    let received = smtp.received();
    let link = header(&received[0].data, "List-Unsubscribe").unwrap_or_default();
    let link = link.trim_matches(['<', '>']);
    link.strip_prefix("https://closeloop.test")
        .unwrap_or(link)
        .to_owned()
}

async fn unsubscribed(app: &TestApp, customer: &Customer) -> bool {
    let body = app
        .graphql(
            "query($id: ID!) { contact(id: $id) { unsubscribed } }",
            json!({ "id": customer.contact_id }),
        )
        .await;
    data(&body)["contact"]["unsubscribed"] == true
}

#[tokio::test]
async fn the_unsubscribe_link_confirms_then_stops_customer_email_but_not_internal_email() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    app.deliver_outbox().await;
    let link = format!("{}{}", app.address, unsubscribe_path(&smtp));

    let page = app.client.get(&link).send().await.expect("GET");
    let page_status = page.status();
    let page_html = page.text().await.expect("page");
    let still_subscribed = !unsubscribed(&app, &customer).await;
    let click = app.client.post(&link).send().await.expect("POST");
    let click_status = click.status();
    let click_html = click.text().await.expect("page");

    assert_eq!(page_status, 200);
    assert!(page_html.contains("<form method=\"post\"") && page_html.contains("Acme Success"));
    assert!(still_subscribed, "showing the page changes nothing");
    assert_eq!(click_status, 200);
    assert!(click_html.contains("You are unsubscribed"));
    assert!(unsubscribed(&app, &customer).await);
    let later = enqueue(&app, customer.thank_you("response-2:thanks")).await;
    assert_eq!(later, EnqueueOutcome::Suppressed(Suppression::Unsubscribed));
    queued(enqueue(&app, customer.notice("response-2:notice")).await);
    assert_eq!(app.deliver_outbox().await.sent, 1);
    assert_eq!(smtp.received()[1].to, ["sam@acme-cs.io"]);
    let history = app
        .graphql(
            "query($a: ID) { activities(accountId: $a) { edges { node { action } } } }",
            json!({ "a": customer.account_id }),
        )
        .await;
    assert!(
        data(&history)["activities"]["edges"]
            .as_array()
            .is_some_and(|e| e
                .iter()
                .any(|e| e["node"]["action"] == "contact.unsubscribed"))
    );
}

#[tokio::test]
async fn a_one_click_post_from_a_mail_client_unsubscribes_at_once() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    app.deliver_outbox().await;
    let link = format!("{}{}", app.address, unsubscribe_path(&smtp));

    let response = app
        .client
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 200);
    assert!(unsubscribed(&app, &customer).await);
}

#[tokio::test]
async fn email_queued_before_an_unsubscribe_is_discarded_when_it_is_due() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let token = app.outbound.links().token(customer.contact_id);
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    app.client
        .post(format!("{}/unsubscribe/{token}", app.address))
        .send()
        .await
        .expect("POST");

    let report = app.deliver_outbox().await;

    assert_eq!(report.suppressed, 1);
    assert!(smtp.received().is_empty());
    let discarded = email(&app, &id).await;
    assert_eq!(
        (
            discarded["status"].as_str(),
            discarded["lastError"].as_str()
        ),
        (Some("DISCARDED"), Some("unsubscribed"))
    );
}

#[tokio::test]
async fn a_link_with_a_wrong_signature_is_not_found_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let token = app.outbound.links().token(customer.contact_id);
    let (id, _) = token.split_once('.').unwrap_or_default();
    let forged = format!(
        "{}/unsubscribe/{id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        app.address
    );

    let get = app.client.get(&forged).send().await.expect("GET");
    let post = app.client.post(&forged).send().await.expect("POST");

    assert_eq!(get.status(), 404);
    assert_eq!(post.status(), 404);
    assert!(!unsubscribed(&app, &customer).await);
}
