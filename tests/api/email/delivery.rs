//! What arrives at the SMTP server, and what happens when the server is silent, down or
//! refuses the message.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::email::outbox::{EnqueueOutcome, Suppression};
use serde_json::json;

use super::{Customer, app_sending_to, email, enqueue, queued};
use crate::helpers::{TestApp, data, logs_contain};
use crate::smtp::{Mode, SmtpServer, decoded, header};

#[tokio::test]
async fn a_customer_email_arrives_from_the_csm_via_the_workspace_with_both_parts_and_unsubscribe_headers()
 {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let report = app.deliver_outbox().await;

    assert_eq!(report.sent, 1);
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.to, ["ada@initech.io"]);
    assert_eq!(message.from, "success@acme-cs.io");
    let from = header(&message.data, "From").unwrap_or_default();
    assert!(
        from.contains("Sam Rivera via Acme Success") && from.ends_with("<success@acme-cs.io>"),
        "{from}"
    );
    assert_eq!(
        header(&message.data, "Reply-To").as_deref(),
        Some("sam@acme-cs.io")
    );
    assert!(
        header(&message.data, "To")
            .is_some_and(|to| to.contains("Ada Lovelace") && to.ends_with("<ada@initech.io>"))
    );
    assert_eq!(
        header(&message.data, "Subject").as_deref(),
        Some("Thank you, Ada")
    );
    assert!(
        header(&message.data, "Content-Type")
            .is_some_and(|t| t.starts_with("multipart/alternative"))
    );
    let body = decoded(&message.data);
    assert!(body.contains("Content-Type: text/plain") && body.contains("Content-Type: text/html"));
    assert!(body.contains("Hi Ada,") && body.contains("<p>Hi Ada,</p>"));
    let unsubscribe = header(&message.data, "List-Unsubscribe").unwrap_or_default();
    assert!(
        unsubscribe.starts_with("<https://closeloop.test/unsubscribe/"),
        "{unsubscribe}"
    );
    assert_eq!(
        header(&message.data, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        body.contains(unsubscribe.trim_matches(['<', '>'])),
        "the footer carries the same link"
    );
    let stored = email(&app, &id).await;
    assert_eq!(stored["status"], "SENT");
    assert!(stored["sentAt"].is_string());
    assert_eq!(
        header(&message.data, "Message-ID").as_ref(),
        stored["messageId"].as_str().map(str::to_owned).as_ref()
    );
}

#[tokio::test]
async fn a_sent_customer_email_is_logged_as_a_conversation_on_the_account() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    app.deliver_outbox().await;

    let query = "query($a: ID) { conversations(accountId: $a) { edges { node { direction channel subject body contact { email } member { name } } } } }";
    let body = app
        .graphql(query, json!({ "a": customer.account_id }))
        .await;
    let conversation = &data(&body)["conversations"]["edges"][0]["node"];
    assert_eq!(conversation["direction"], "OUTBOUND");
    assert_eq!(conversation["channel"], "EMAIL");
    assert_eq!(conversation["subject"], "Thank you, Ada");
    assert_eq!(conversation["contact"]["email"], "ada@initech.io");
    assert_eq!(conversation["member"]["name"], "Sam Rivera");
    assert!(
        conversation["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("Hi Ada,"))
    );
}

#[tokio::test]
async fn a_server_that_never_answers_fails_the_send_within_its_deadline_and_it_is_retried() {
    let smtp = SmtpServer::start_in(Mode::Silent).await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let started = Instant::now();
    let first = app.deliver_outbox().await;
    let took = started.elapsed();
    let after_timeout = email(&app, &id).await;
    smtp.set(Mode::Up).await;
    app.clock.advance(Duration::minutes(2));
    let second = app.deliver_outbox().await;

    assert_eq!(first.retried, 1);
    assert!(
        took < StdDuration::from_secs(6),
        "the 3 s deadline held: {took:?}"
    );
    assert_eq!(after_timeout["status"], "PENDING");
    assert_eq!(after_timeout["attempts"], 1);
    assert_eq!(
        after_timeout["lastError"],
        "no answer from the mail server within 3 s"
    );
    assert_eq!(second.sent, 1);
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        header(&received[0].data, "Message-ID"),
        after_timeout["messageId"].as_str().map(str::to_owned)
    );
    assert!(logs_contain("email send failed; will retry"));
}

#[tokio::test]
async fn an_email_due_while_the_server_is_down_is_delivered_once_when_it_is_back() {
    let smtp = SmtpServer::start_in(Mode::Down).await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let while_down = app.deliver_outbox().await;
    let too_early = app.deliver_outbox().await;
    smtp.set(Mode::Up).await;
    app.clock.advance(Duration::minutes(1));
    let back_up = app.deliver_outbox().await;
    let afterwards = app.deliver_outbox().await;

    assert_eq!(while_down.retried, 1);
    assert_eq!(
        too_early.total(),
        0,
        "nothing is due before the backoff ends"
    );
    assert_eq!(back_up.sent, 1);
    assert_eq!(afterwards.total(), 0);
    assert_eq!(smtp.received().len(), 1);
    let sent = email(&app, &id).await;
    assert_eq!(
        (sent["status"].as_str(), sent["attempts"].as_i64()),
        (Some("SENT"), Some(2))
    );
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_email_after_one_attempt_and_an_admin_can_retry_it() {
    let smtp = SmtpServer::start().await;
    smtp.reject("ada@initech.io");
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let report = app.deliver_outbox().await;

    assert_eq!(report.failed, 1);
    let failed = app
        .graphql(
            "{ emails(status: FAILED) { edges { node { id attempts lastError } } } }",
            json!({}),
        )
        .await;
    let node = &data(&failed)["emails"]["edges"][0]["node"];
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["attempts"], 1);
    assert!(
        node["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("550")),
        "{node}"
    );
    let retried = app
        .graphql(
            "mutation($id: ID!) { retryEmail(id: $id) { status attempts } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data(&retried)["retryEmail"],
        json!({ "status": "PENDING", "attempts": 0 })
    );
}

#[tokio::test]
async fn a_mailbox_that_does_not_exist_stops_customer_email_to_that_contact() {
    let smtp = SmtpServer::start().await;
    smtp.reject("ada@initech.io");
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    app.deliver_outbox().await;
    app.clock.advance(Duration::days(30));

    let later = enqueue(&app, customer.thank_you("response-2:thanks")).await;

    assert_eq!(later, EnqueueOutcome::Suppressed(Suppression::Bounced));
}

#[tokio::test]
async fn the_same_trigger_queued_twice_sends_one_email() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let first = enqueue(&app, customer.thank_you("response-1:thanks")).await;

    let second = enqueue(&app, customer.thank_you("response-1:thanks")).await;
    app.deliver_outbox().await;
    app.deliver_outbox().await;

    let id = queued(first);
    assert_eq!(
        second,
        EnqueueOutcome::AlreadyQueued(id.parse().expect("uuid"))
    );
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files_and_the_log_says_where() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);

    let report = app.deliver_outbox().await;

    assert_eq!(report.sent, 1);
    let files: Vec<_> = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).expect("eml");
    assert_eq!(header(&eml, "Subject").as_deref(), Some("Thank you, Ada"));
    assert!(logs_contain("email goes to `.eml` files in"));
}

#[tokio::test]
async fn two_workers_delivering_side_by_side_send_each_email_once() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    for n in 0..40 {
        queued(enqueue(&app, customer.notice(&format!("notice-{n}"))).await);
    }

    let (one, two) = tokio::join!(app.deliver_outbox(), app.deliver_outbox());
    let rest = app.deliver_outbox().await;

    assert_eq!(one.sent + two.sent + rest.sent, 40);
    let mut ids: Vec<_> = smtp
        .received()
        .iter()
        .filter_map(|m| header(&m.data, "Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
}

#[tokio::test]
async fn a_claim_takes_at_most_its_limit_and_the_oldest_first() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let mut queued_ids = Vec::new();
    for n in 0..12 {
        queued_ids.push(queued(
            enqueue(&app, customer.notice(&format!("notice-{n}"))).await,
        ));
        app.clock.advance(Duration::seconds(1));
    }
    let now = app.clock.now();
    let lease = app.outbound.settings.lease;

    let first = closeloop::email::claim::claim_due(&app.db, now, now + lease, 5)
        .await
        .expect("first claim");
    let second = closeloop::email::claim::claim_due(&app.db, now, now + lease, 5)
        .await
        .expect("second claim");

    assert_eq!(first.len(), 5);
    assert_eq!(second.len(), 5);
    let mut claimed: Vec<String> = first
        .iter()
        .chain(&second)
        .map(|row| row.id.to_string())
        .collect();
    claimed.sort();
    let mut oldest: Vec<String> = queued_ids[..10].to_vec();
    oldest.sort();
    assert_eq!(claimed, oldest);
}

#[tokio::test]
async fn an_email_whose_worker_died_mid_send_goes_out_when_its_lease_ends() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let id = queued(enqueue(&app, customer.thank_you("response-1:thanks")).await);
    let now = app.clock.now();
    let lease = app.outbound.settings.lease;
    closeloop::email::claim::claim_due(&app.db, now, now + lease, 10)
        .await
        .expect("claimed by a worker that then dies");

    let during_lease = app.deliver_outbox().await;
    app.clock.advance(lease + Duration::seconds(1));
    let after_lease = app.deliver_outbox().await;

    assert_eq!(during_lease.total(), 0);
    assert_eq!(after_lease.sent, 1);
    let sent = email(&app, &id).await;
    assert_eq!(
        (sent["status"].as_str(), sent["attempts"].as_i64()),
        (Some("SENT"), Some(2))
    );
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn a_promoter_response_submitted_twice_sends_one_thank_you() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let record = "mutation($input: NpsResponseInput!) { recordNpsResponse(input: $input) { created emailsQueued } }";
    let input = json!({ "input": { "contactId": customer.contact_id, "score": 10, "externalId": "survey-42" } });

    let first = app.graphql(record, input.clone()).await;
    let retried = app.graphql(record, input).await;
    let report = app.deliver_outbox().await;

    assert_eq!(data(&first)["recordNpsResponse"]["created"], true);
    assert_eq!(data(&first)["recordNpsResponse"]["emailsQueued"], 1);
    assert_eq!(data(&retried)["recordNpsResponse"]["created"], false);
    assert_eq!(data(&retried)["recordNpsResponse"]["emailsQueued"], 0);
    assert_eq!(report.sent, 1);
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["ada@initech.io"]);
    assert_eq!(
        header(&received[0].data, "Reply-To").as_deref(),
        Some("sam@acme-cs.io")
    );
}
