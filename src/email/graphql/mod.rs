//! Queries and mutations for email templates and the outbox. Resolvers are thin: who may do
//! what is decided here, everything else in the email services.

mod types;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};

pub use self::types::{
    Email, EmailPreview, EmailTemplate, EmailTemplateInput, EmailTemplateSourceInput,
    UpdateDraftEmailInput,
};
use super::preview::{self, Previewer};
use super::review::{self, Actor, DraftChanges, EmailFilter};
use super::template_store;
use super::templates::{TemplateKey, TemplateSource};
use super::worker::Outbound;
use crate::auth::Viewer;
use crate::entities::enums::{MemberRole, OutboxStatus};
use crate::error::{AppError, AppResult};
use crate::graphql::ContextExt;
use crate::graphql::inputs::optional;
use crate::graphql::pagination::{self, Page};
use crate::values::{Text, parse_id};

fn outbound<'a>(ctx: &'a Context<'_>) -> AppResult<&'a Outbound> {
    ctx.data::<Outbound>()
        .map_err(|_| AppError::internal(anyhow::anyhow!("email delivery missing from schema data")))
}

fn actor(viewer: &Viewer) -> Actor {
    Actor {
        workspace_id: viewer.workspace_id,
        member_id: viewer.member_id,
    }
}

#[derive(Default)]
pub struct EmailQuery;

#[Object]
impl EmailQuery {
    /// Every email template, the workspace's own versions and the defaults it kept.
    async fn email_templates(&self, ctx: &Context<'_>) -> Result<Vec<EmailTemplate>> {
        let viewer = ctx.viewer()?;
        let templates = template_store::list(ctx.db()?, viewer.workspace_id).await?;
        Ok(templates.into_iter().map(EmailTemplate::from).collect())
    }

    async fn email_template(&self, ctx: &Context<'_>, key: TemplateKey) -> Result<EmailTemplate> {
        let viewer = ctx.viewer()?;
        Ok(template_store::get(ctx.db()?, viewer.workspace_id, key)
            .await?
            .into())
    }

    /// Renders a template (the workspace's, or `source` when given) for a real contact, or
    /// with sample data; nothing is sent.
    async fn preview_email_template(
        &self,
        ctx: &Context<'_>,
        key: TemplateKey,
        contact_id: Option<ID>,
        source: Option<EmailTemplateSourceInput>,
    ) -> Result<EmailPreview> {
        let viewer = ctx.viewer()?;
        let db = ctx.db()?;
        let contact_id = contact_id
            .map(|id| parse_id("contactId", &id))
            .transpose()?;
        let source: TemplateSource = match source {
            Some(source) => source.into(),
            None => {
                template_store::get(db, viewer.workspace_id, key)
                    .await?
                    .source
            }
        };
        let previewer = Previewer {
            workspace_id: viewer.workspace_id,
            member_id: viewer.member_id,
        };
        let rendered =
            preview::render(db, previewer, &source, contact_id, outbound(ctx)?.links()).await?;
        Ok(rendered.into())
    }

    /// Emails in the outbox in the order they were queued, optionally by status or contact.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn emails(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<OutboxStatus>,
        contact_id: Option<ID>,
    ) -> Result<Connection<String, Email>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let contact_id = contact_id
            .map(|id| parse_id("contactId", &id))
            .transpose()?;
        let filter = EmailFilter { status, contact_id };
        let rows = review::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        let links = outbound(ctx)?.links();
        Ok(pagination::connection(
            rows,
            page,
            |row| row.id,
            |row| Email::new(row, links),
        ))
    }

    async fn email(&self, ctx: &Context<'_>, id: ID) -> Result<Email> {
        let viewer = ctx.viewer()?;
        let row = review::find(ctx.db()?, viewer.workspace_id, parse_id("id", &id)?).await?;
        Ok(Email::new(row, outbound(ctx)?.links()))
    }
}

#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Replaces the workspace's version of a template (managers and admins). A template that
    /// does not compile is refused with the part named.
    async fn update_email_template(
        &self,
        ctx: &Context<'_>,
        key: TemplateKey,
        input: EmailTemplateInput,
    ) -> Result<EmailTemplate> {
        let viewer = ctx.member_with(MemberRole::Manager)?;
        let source = TemplateSource {
            subject: input.subject,
            body_text: input.body_text,
            body_html: input.body_html,
        };
        let now = ctx.clock()?.now();
        let txn = crate::db::begin_write(ctx.db()?)
            .await
            .map_err(AppError::from)?;
        let stored = template_store::update(
            &txn,
            viewer.workspace_id,
            key,
            source,
            input.hold_for_review,
            now,
        )
        .await?;
        txn.commit().await.map_err(AppError::from)?;
        Ok(stored.into())
    }

    /// Goes back to the built-in template (managers and admins).
    async fn reset_email_template(
        &self,
        ctx: &Context<'_>,
        key: TemplateKey,
    ) -> Result<EmailTemplate> {
        let viewer = ctx.member_with(MemberRole::Manager)?;
        Ok(template_store::reset(ctx.db()?, viewer.workspace_id, key)
            .await?
            .into())
    }

    /// Edits a held draft; an email that is no longer held is a `CONFLICT`.
    async fn update_draft_email(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateDraftEmailInput,
    ) -> Result<Email> {
        let viewer = ctx.writer()?;
        let changes = DraftChanges {
            subject: input.subject,
            body_text: input
                .body_text
                .as_deref()
                .map(|t| Text::parse_required("bodyText", t))
                .transpose()?,
            body_html: optional(input.body_html, |html| {
                Text::parse_required("bodyHtml", &html)
            })?,
        };
        let row = review::update_draft(
            ctx.db()?,
            actor(viewer),
            parse_id("id", &id)?,
            changes,
            ctx.clock()?.now(),
        )
        .await?;
        Ok(Email::new(row, outbound(ctx)?.links()))
    }

    /// Sends a held draft now instead of at the end of its review window.
    async fn send_draft_email(&self, ctx: &Context<'_>, id: ID) -> Result<Email> {
        let viewer = ctx.writer()?;
        let row = review::send_draft(
            ctx.db()?,
            actor(viewer),
            parse_id("id", &id)?,
            ctx.clock()?.now(),
        )
        .await?;
        let outbound = outbound(ctx)?;
        outbound.wake();
        Ok(Email::new(row, outbound.links()))
    }

    /// Keeps a held or pending email from ever being sent.
    async fn discard_email(&self, ctx: &Context<'_>, id: ID) -> Result<Email> {
        let viewer = ctx.writer()?;
        let row = review::discard(
            ctx.db()?,
            actor(viewer),
            parse_id("id", &id)?,
            ctx.clock()?.now(),
        )
        .await?;
        Ok(Email::new(row, outbound(ctx)?.links()))
    }

    /// Tries a failed email again from its first attempt (admins only).
    async fn retry_email(&self, ctx: &Context<'_>, id: ID) -> Result<Email> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let row = review::retry(
            ctx.db()?,
            actor(viewer),
            parse_id("id", &id)?,
            ctx.clock()?.now(),
        )
        .await?;
        let outbound = outbound(ctx)?;
        outbound.wake();
        Ok(Email::new(row, outbound.links()))
    }
}
