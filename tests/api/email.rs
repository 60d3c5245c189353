//! Email, end to end against a real SMTP server (mailin-embedded on a loopback port):
//! what arrives, what happens when the server is slow, down or refuses, unsubscribing,
//! the per-contact cap, the review window, templates and header injection.
//!
//! Most tests queue email the way playbooks and jobs do, `closeloop::email::outbox::enqueue`
//! inside a transaction, for people made through the API; one goes through `recordNpsResponse`.

mod delivery;
mod review;
mod templates;
mod unsubscribe;

use closeloop::clock::Clock;
use closeloop::email::outbox::{self, EnqueueOutcome, OutgoingEmail, Recipient};
use closeloop::email::templates::TemplateKey;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{create_account, default_workspace_id};
use crate::helpers::{TestApp, data};
use crate::smtp::SmtpServer;

/// A CSM, their account and a contact there, in a workspace with its own sender.
pub struct Customer {
    pub workspace_id: Uuid,
    pub csm_id: Uuid,
    pub account_id: Value,
    pub contact_id: Uuid,
}

impl Customer {
    pub async fn create(app: &TestApp) -> Customer {
        let sender = json!({ "input": { "senderEmail": "success@acme-cs.io", "senderName": "Acme Success" } });
        data(
            &app.graphql(
                "mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id } }",
                sender,
            )
            .await,
        );
        let csm = app
            .graphql(
                "mutation($input: CreateTeamMemberInput!) { createTeamMember(input: $input) { id } }",
                json!({ "input": { "email": "sam@acme-cs.io", "name": "Sam Rivera", "role": "CSM" } }),
            )
            .await;
        let csm_id = data(&csm)["createTeamMember"]["id"].clone();
        let account_id = create_account(app, json!({ "name": "Initech", "ownerId": csm_id })).await;
        let contact = app
            .graphql(
                "mutation($input: CreateContactInput!) { createContact(input: $input) { id } }",
                json!({ "input": { "accountId": account_id, "email": "ada@initech.io", "name": "Ada Lovelace", "role": "ADMIN" } }),
            )
            .await;
        Customer {
            workspace_id: default_workspace_id(app).await,
            csm_id: uuid(&csm_id),
            account_id,
            contact_id: uuid(&data(&contact)["createContact"]["id"]),
        }
    }

    /// The promoter thank-you from the CSM to the contact, under `key`.
    pub fn thank_you(&self, key: &str) -> OutgoingEmail {
        OutgoingEmail {
            workspace_id: self.workspace_id,
            idempotency_key: key.to_owned(),
            template: TemplateKey::PromoterThankYou,
            recipient: Recipient::Contact(self.contact_id),
            sender_member_id: Some(self.csm_id),
            account_id: None,
            context: json!({ "response": { "score": 10, "comment": "You fixed it in a day" } }),
            hold_for_review: false,
        }
    }

    /// A notice to the CSM (internal email), under `key`.
    pub fn notice(&self, key: &str) -> OutgoingEmail {
        OutgoingEmail {
            template: TemplateKey::MemberNotification,
            recipient: Recipient::Member(self.csm_id),
            sender_member_id: None,
            context: json!({ "message": "Ada answered the survey." }),
            ..self.thank_you(key)
        }
    }
}

pub fn uuid(id: &Value) -> Uuid {
    Uuid::parse_str(id.as_str().unwrap_or_default()).expect("an id")
}

/// Queues `email` in a transaction of its own, as a mutation would.
pub async fn enqueue(app: &TestApp, email: OutgoingEmail) -> EnqueueOutcome {
    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    let outcome = outbox::enqueue(&txn, email, app.clock.now())
        .await
        .expect("enqueue");
    txn.commit().await.expect("commit");
    outcome
}

/// The id of a queued email.
pub fn queued(outcome: EnqueueOutcome) -> String {
    match outcome {
        EnqueueOutcome::Queued(id) => id.to_string(),
        other => panic!("expected the email to be queued, got {other:?}"),
    }
}

/// A server with email going to `smtp`.
pub async fn app_sending_to(smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    TestApp::spawn_with(move |email| email.smtp_url = Some(url.parse().expect("SMTP URL"))).await
}

const EMAIL: &str = "query($id: ID!) { email(id: $id) { status attempts lastError nextAttemptAt sentAt messageId subject bodyText bodyHtml to } }";

/// An email as the API shows it.
pub async fn email(app: &TestApp, id: &str) -> Value {
    data(&app.graphql(EMAIL, json!({ "id": id })).await)["email"].clone()
}
