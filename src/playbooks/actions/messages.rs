//! `SEND_EMAIL` and `NOTIFY_MEMBER`: email always goes through the outbox (the batch's), in
//! the event's transaction, under a key that names the playbook, the event and the template, so a
//! replayed event or a retried request never queues it twice.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Run, Step, record};
use crate::email::outbox::{EnqueueOutcome, OutgoingEmail, Recipient};
use crate::email::templates::TemplateKey;
use crate::entities::playbook;
use crate::error::AppResult;
use crate::playbooks::batch::{Known, State};
use crate::playbooks::engine::{Effects, Event};
use crate::playbooks::model::{Action, MemberTarget, email_template};

/// Queues a customer-facing email to the event's contact from the account owner. An event
/// without a contact has nobody to write to, and the action does nothing.
pub(super) fn send_email(
    run: &Run<'_>,
    state: &mut State,
    template: &str,
    hold_for_review: bool,
    effects: &mut Effects,
) -> AppResult<()> {
    let (playbook, event) = (run.playbook, run.event);
    let template = email_template(template)?;
    let Some(contact) = &event.contact else {
        tracing::info!(playbook.id = %playbook.id, event.id = %event.id, "no contact to email");
        return Ok(());
    };
    let email = OutgoingEmail {
        workspace_id: event.workspace_id,
        idempotency_key: key(playbook, event, template, None),
        template,
        recipient: Recipient::Contact(contact.id),
        sender_member_id: event.account.owner_id,
        account_id: Some(event.account.id),
        context: context(event, None),
        hold_for_review,
    };
    let outcome = state.outbox.enqueue(email, run.now)?;

    let details = json!({ "template": template.as_str(), "outcome": describe(outcome) });
    record(state, Step::new(run, "SEND_EMAIL", details));
    if let EnqueueOutcome::Queued(id) = outcome {
        effects.emails_queued.push(id);
    }
    Ok(())
}

/// Tells a team member: an activity record, and an internal email through the outbox. A
/// rule that names nobody (an account without owner, no head of CS) does nothing.
pub(super) fn notify_member(
    run: &Run<'_>,
    state: &mut State,
    target: MemberTarget,
    message: Option<&str>,
    effects: &mut Effects,
) -> AppResult<()> {
    let (playbook, event) = (run.playbook, run.event);
    let Some(member_id) = run.known.member_of(event, target) else {
        tracing::info!(playbook.id = %playbook.id, event.id = %event.id, "nobody to notify");
        return Ok(());
    };
    let template = TemplateKey::MemberNotification;
    let message = message.map_or_else(|| default_message(playbook, event), str::to_owned);
    let email = OutgoingEmail {
        workspace_id: event.workspace_id,
        idempotency_key: key(playbook, event, template, Some(member_id)),
        template,
        recipient: Recipient::Member(member_id),
        sender_member_id: None,
        account_id: Some(event.account.id),
        context: context(event, Some(&message)),
        hold_for_review: false,
    };
    let outcome = state.outbox.enqueue(email, run.now)?;

    let details =
        json!({ "memberId": member_id, "message": message, "outcome": describe(outcome) });
    record(state, Step::new(run, "NOTIFY_MEMBER", details));
    if let EnqueueOutcome::Queued(id) = outcome {
        effects.emails_queued.push(id);
    }
    effects.members_notified.push(member_id);
    Ok(())
}

/// The key of the email an action would queue for the event, if it queues one: read
/// with the batch, so the outbox knows the keys queued already.
pub fn email_key(
    known: &Known,
    playbook: &playbook::Model,
    event: &Event,
    action: &Action,
) -> Option<String> {
    match action {
        Action::SendEmail { template, .. } => {
            let template = email_template(template).ok()?;
            event.contact.as_ref()?;
            Some(key(playbook, event, template, None))
        }
        Action::NotifyMember { target, .. } => {
            let member = known.member_of(event, *target)?;
            Some(key(
                playbook,
                event,
                TemplateKey::MemberNotification,
                Some(member),
            ))
        }
        Action::StartProject { .. }
        | Action::CreateTask { .. }
        | Action::ScheduleFollowUp { .. }
        | Action::SkipFollowUp { .. } => None,
    }
}

/// `playbook:<playbook>:<event>:<template>`, plus the member for notices.
fn key(
    playbook: &playbook::Model,
    event: &Event,
    template: TemplateKey,
    member: Option<Uuid>,
) -> String {
    let base = format!(
        "playbook:{}:{}:{}",
        playbook.id,
        event.id,
        template.as_str()
    );
    match member {
        Some(member) => format!("{base}:{member}"),
        None => base,
    }
}

fn context(event: &Event, message: Option<&str>) -> Value {
    let mut context = json!({});
    if let Some(response) = &event.response {
        context["response"] = json!({ "score": response.score, "comment": response.comment });
    }
    if let Some(project) = &event.project {
        context["project"] = json!({ "name": project.name });
    }
    if let Some(message) = message {
        context["message"] = json!(message);
        context["subject"] = json!(format!("{}: {}", event.account.name, first_line(message)));
    }
    context
}

fn default_message(playbook: &playbook::Model, event: &Event) -> String {
    format!(
        "The playbook \"{}\" fired for {}.",
        playbook.name, event.account.name
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect()
}

fn describe(outcome: EnqueueOutcome) -> String {
    match outcome {
        EnqueueOutcome::Queued(_) => "queued".to_owned(),
        EnqueueOutcome::AlreadyQueued(_) => "already_queued".to_owned(),
        EnqueueOutcome::Suppressed(reason) => format!("suppressed: {reason:?}"),
    }
}
