//! Rendering a template without sending anything, so an admin editing one sees what a
//! customer or a team member would get: with a real contact (their account, its owner as the
//! CSM, their latest NPS response) or with sample data. Variables a real contact cannot
//! supply (an escalation's task list) come from the sample.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use super::parties::{Parties, Recipient};
use super::templates::{self, RenderedEmail, TemplateSource};
use super::unsubscribe::UnsubscribeLinks;
use crate::entities::nps_response;
use crate::error::AppResult;

/// Who is previewing: they stand in for the team member an internal email goes to, and
/// for the CSM when there is no real contact.
#[derive(Debug, Clone, Copy)]
pub struct Previewer {
    pub workspace_id: Uuid,
    pub member_id: Uuid,
}

/// Renders `source` for `contact_id` (or sample data), with the unsubscribe link filled in.
pub async fn render(
    db: &impl ConnectionTrait,
    previewer: Previewer,
    source: &TemplateSource,
    contact_id: Option<Uuid>,
    links: &UnsubscribeLinks,
) -> AppResult<RenderedEmail> {
    let (real, link_for) = match contact_id {
        Some(contact_id) => (real_context(db, previewer, contact_id).await?, contact_id),
        None => (sample_people(db, previewer).await?, Uuid::nil()),
    };
    let mut context = sample();
    merge(&mut context, real);
    let rendered = templates::render(source, &context)?;
    Ok(RenderedEmail {
        subject: rendered.subject,
        body_text: links.fill(&rendered.body_text, Some(link_for)),
        body_html: rendered
            .body_html
            .map(|html| links.fill(&html, Some(link_for))),
    })
}

async fn real_context(
    db: &impl ConnectionTrait,
    previewer: Previewer,
    contact_id: Uuid,
) -> AppResult<Value> {
    let ws = previewer.workspace_id;
    let contact = crate::contacts::service::find(db, ws, contact_id).await?;
    let account = crate::accounts::service::find(db, ws, contact.account_id).await?;
    let mut parties = Parties::load(
        db,
        ws,
        Recipient::Contact(contact_id),
        account.owner_id,
        None,
    )
    .await?;
    parties.member = Some(crate::members::service::find(db, ws, previewer.member_id).await?);
    let latest = nps_response::Entity::find()
        .filter(nps_response::Column::WorkspaceId.eq(ws))
        .filter(nps_response::Column::ContactId.eq(contact_id))
        .order_by_desc(nps_response::Column::RespondedAt)
        .one(db)
        .await?;
    let response =
        latest.map(|r| json!({ "response": { "score": r.score, "comment": r.comment } }));
    Ok(parties.context(&response.unwrap_or(Value::Null)))
}

/// The workspace's real name and the previewer as both CSM and recipient.
async fn sample_people(db: &impl ConnectionTrait, previewer: Previewer) -> AppResult<Value> {
    let ws = previewer.workspace_id;
    let me = previewer.member_id;
    let parties = Parties::load(db, ws, Recipient::Member(me), Some(me), None).await?;
    Ok(parties.context(&Value::Null))
}

fn sample() -> Value {
    json!({
        "contact": { "name": "Ada Lovelace", "first_name": "Ada", "email": "ada@example.com" },
        "account": { "name": "Acme Corp" },
        "response": { "score": 9, "comment": "Support answered within the hour." },
        "project": { "name": "NPS Detractor: Acme Corp" },
        "message": "A promoter answered the survey.",
        "subject": "A promoter answered",
        "tasks": [
            { "title": "Call the customer", "account": "Acme Corp", "due_at": "2026-03-02", "days_overdue": 2, "assignee": "Sam Rivera", "level": 1 },
            { "title": "Write the recovery plan", "account": "Globex", "due_at": "2026-03-01", "days_overdue": 3, "assignee": "Sam Rivera", "level": 2 }
        ],
        "total": 2,
        "team": [{ "name": "Sam Rivera", "overdue": 2 }],
        "unsubscribe_url": super::unsubscribe::LINK_PLACEHOLDER
    })
}

/// Overlays `real` on `base`, one top-level variable at a time.
fn merge(base: &mut Value, real: Value) {
    if let (Value::Object(base), Value::Object(real)) = (base, real) {
        base.extend(real);
    }
}
