//! The GraphQL face of email: outbox emails, templates, previews and their inputs.

use async_graphql::{ID, InputObject, MaybeUndefined, SimpleObject};
use chrono::{DateTime, Utc};

use crate::email::template_store::StoredTemplate;
use crate::email::templates::{Audience, RenderedEmail, TemplateKey, TemplateSource};
use crate::email::unsubscribe::UnsubscribeLinks;
use crate::entities::email_outbox;
use crate::entities::enums::OutboxStatus;

/// An email in the outbox: waiting (`PENDING`), a draft waiting for review (`HELD`), on its
/// way (`SENDING`), `SENT`, given up (`FAILED`) or not sent on purpose (`DISCARDED`).
#[derive(SimpleObject)]
pub struct Email {
    pub id: ID,
    /// The template it was written from.
    pub template: Option<TemplateKey>,
    pub status: OutboxStatus,
    /// The recipient's address.
    pub to: String,
    pub to_name: Option<String>,
    /// The name on From: the CSM's, or the workspace sender's.
    pub from_name: Option<String>,
    /// Where replies go: the CSM's address.
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Send attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed, or why the email was discarded at send time.
    pub last_error: Option<String>,
    /// When it is tried next; for a held draft, when it goes out by itself.
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The same on every attempt, so a receiver can drop a duplicate.
    pub message_id: Option<String>,
    pub contact_id: Option<ID>,
    pub member_id: Option<ID>,
    pub account_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Email {
    /// The bodies show the contact's real unsubscribe link.
    pub fn new(model: email_outbox::Model, links: &UnsubscribeLinks) -> Self {
        let id = |uuid: uuid::Uuid| ID(uuid.to_string());
        Email {
            id: id(model.id),
            template: TemplateKey::parse(&model.template_key),
            status: model.status,
            to: model.to_email,
            to_name: model.to_name,
            from_name: model.from_name,
            reply_to: model.reply_to,
            subject: model.subject,
            body_text: links.fill(&model.body_text, model.contact_id),
            body_html: model
                .body_html
                .map(|html| links.fill(&html, model.contact_id)),
            attempts: model.attempts,
            last_error: model.last_error,
            next_attempt_at: model.next_attempt_at,
            sent_at: model.sent_at,
            message_id: model.message_id,
            contact_id: model.contact_id.map(id),
            member_id: model.member_id.map(id),
            account_id: model.account_id.map(id),
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A template as the workspace uses it: its own version, or the built-in default.
#[derive(SimpleObject)]
pub struct EmailTemplate {
    pub key: TemplateKey,
    /// Whether it goes to customer contacts (unsubscribes and the cap apply) or to the team.
    pub customer_facing: bool,
    /// minijinja source, like the two bodies.
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Emails from it wait as drafts for the workspace's review window.
    pub hold_for_review: bool,
    /// Whether the workspace changed it (false: the built-in default).
    pub customized: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<StoredTemplate> for EmailTemplate {
    fn from(template: StoredTemplate) -> Self {
        EmailTemplate {
            key: template.key,
            customer_facing: template.key.audience() == Audience::Customer,
            subject: template.source.subject,
            body_text: template.source.body_text,
            body_html: template.source.body_html,
            hold_for_review: template.hold_for_review,
            customized: template.updated_at.is_some(),
            updated_at: template.updated_at,
        }
    }
}

/// A template rendered for a preview; nothing was sent.
#[derive(SimpleObject)]
pub struct EmailPreview {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

impl From<RenderedEmail> for EmailPreview {
    fn from(rendered: RenderedEmail) -> Self {
        EmailPreview {
            subject: rendered.subject,
            body_text: rendered.body_text,
            body_html: rendered.body_html,
        }
    }
}

/// A template's parts, as minijinja source.
#[derive(InputObject)]
pub struct EmailTemplateSourceInput {
    pub subject: String,
    pub body_text: String,
    /// Without it, emails are plain text only.
    pub body_html: Option<String>,
}

impl From<EmailTemplateSourceInput> for TemplateSource {
    fn from(input: EmailTemplateSourceInput) -> Self {
        TemplateSource {
            subject: input.subject,
            body_text: input.body_text,
            body_html: input.body_html,
        }
    }
}

#[derive(InputObject)]
pub struct EmailTemplateInput {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Hold emails from this template as drafts for the review window.
    #[graphql(default)]
    pub hold_for_review: bool,
}

/// New text for a held draft; a part left out stays as it is, `bodyHtml: null` removes it.
#[derive(InputObject)]
pub struct UpdateDraftEmailInput {
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: MaybeUndefined<String>,
}
