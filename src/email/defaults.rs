//! The built-in templates every workspace starts with. They are written to sound like the
//! CSM who sends them, and a workspace can replace any of them.
//!
//! Variables: `contact` (name, first_name, email), `account` (name), `csm` (name,
//! first_name, email: the account owner the email comes from), `member` (name, first_name:
//! the team member an internal email goes to), `workspace` (name), `response` (score,
//! comment), `project` (name), `tasks` (a list: title, account, due_at, days_overdue,
//! assignee, level), `message`, `sla` (project, clock, due_at, timezone: the clock an owner
//! is warned of), `breaches` (a list: project, account, clock, due_at, owner), and
//! `unsubscribe_url` on customer email.

use super::templates::{TemplateKey, TemplateSource};

const CUSTOMER_FOOTER_TEXT: &str = "{% if unsubscribe_url %}\n\n--\nYou are receiving this because you answered a survey from {{ workspace.name }}. To stop these emails: {{ unsubscribe_url }}{% endif %}";
const CUSTOMER_FOOTER_HTML: &str = "{% if unsubscribe_url %}<hr><p style=\"color:#666;font-size:12px\">You are receiving this because you answered a survey from {{ workspace.name }}. <a href=\"{{ unsubscribe_url }}\">Stop these emails</a>.</p>{% endif %}";

/// The default source for a template.
pub fn source(key: TemplateKey) -> TemplateSource {
    let (subject, text, html) = parts(key);
    let customer = key.audience() == super::templates::Audience::Customer;
    TemplateSource {
        subject: subject.to_owned(),
        body_text: if customer {
            format!("{text}{CUSTOMER_FOOTER_TEXT}")
        } else {
            text.to_owned()
        },
        body_html: html.map(|html| {
            if customer {
                format!("{html}{CUSTOMER_FOOTER_HTML}")
            } else {
                html.to_owned()
            }
        }),
    }
}

fn parts(key: TemplateKey) -> (&'static str, &'static str, Option<&'static str>) {
    match key {
        TemplateKey::PromoterThankYou => (PROMOTER_SUBJECT, PROMOTER_TEXT, Some(PROMOTER_HTML)),
        TemplateKey::DetractorAcknowledgement => (ACK_SUBJECT, ACK_TEXT, Some(ACK_HTML)),
        TemplateKey::DetractorFollowUp => (FOLLOW_UP_SUBJECT, FOLLOW_UP_TEXT, Some(FOLLOW_UP_HTML)),
        TemplateKey::EscalationAssignee => (ASSIGNEE_SUBJECT, ASSIGNEE_TEXT, None),
        TemplateKey::EscalationManager => (MANAGER_SUBJECT, MANAGER_TEXT, None),
        TemplateKey::EscalationHeadOfCs => (HEAD_SUBJECT, HEAD_TEXT, None),
        TemplateKey::MemberNotification => (NOTIFY_SUBJECT, NOTIFY_TEXT, None),
        TemplateKey::SlaWarning => (SLA_WARNING_SUBJECT, SLA_WARNING_TEXT, None),
        TemplateKey::SlaBreach => (SLA_BREACH_SUBJECT, SLA_BREACH_TEXT, None),
    }
}

const PROMOTER_SUBJECT: &str =
    "Thank you, {{ contact.first_name or contact.name or 'and thanks' }}";
const PROMOTER_TEXT: &str = "Hi {{ contact.first_name or 'there' }},

I saw your answer to our survey{% if response.score is not none %} ({{ response.score }} out of 10){% endif %} and wanted to say thank you myself. It means a lot to the whole team at {{ workspace.name }}{% if account.name %}, and it is great to hear that things are going well at {{ account.name }}{% endif %}.
{% if response.comment %}
You wrote: \"{{ response.comment }}\" - I have shared that with the team.
{% endif %}
Would you be open to telling others about it? A short case study, a review, or an introduction to someone who could use what you use - whichever suits you, and no pressure at all. Just reply to this email and we will take it from there.

Thanks again,
{{ csm.name or workspace.name }}";
const PROMOTER_HTML: &str = "<p>Hi {{ contact.first_name or 'there' }},</p>
<p>I saw your answer to our survey{% if response.score is not none %} ({{ response.score }} out of 10){% endif %} and wanted to say thank you myself. It means a lot to the whole team at {{ workspace.name }}{% if account.name %}, and it is great to hear that things are going well at {{ account.name }}{% endif %}.</p>
{% if response.comment %}<blockquote>{{ response.comment }}</blockquote><p>I have shared that with the team.</p>{% endif %}
<p>Would you be open to telling others about it? A short case study, a review, or an introduction to someone who could use what you use - whichever suits you, and no pressure at all. Just reply to this email and we will take it from there.</p>
<p>Thanks again,<br>{{ csm.name or workspace.name }}</p>";

const ACK_SUBJECT: &str = "About your feedback";
const ACK_TEXT: &str = "Hi {{ contact.first_name or 'there' }},

Thank you for being honest in our survey. I have read your answer{% if response.comment %} (\"{{ response.comment }}\"){% endif %}, and I want you to know it has not gone into a void: I am looking into it now and will be in touch within the next couple of days to talk it through.

If there is anything you would like me to know before then, just reply to this email.

{{ csm.name or workspace.name }}";
const ACK_HTML: &str = "<p>Hi {{ contact.first_name or 'there' }},</p>
<p>Thank you for being honest in our survey. I have read your answer{% if response.comment %} (<em>{{ response.comment }}</em>){% endif %}, and I want you to know it has not gone into a void: I am looking into it now and will be in touch within the next couple of days to talk it through.</p>
<p>If there is anything you would like me to know before then, just reply to this email.</p>
<p>{{ csm.name or workspace.name }}</p>";

const FOLLOW_UP_SUBJECT: &str = "Did we get it right?";
const FOLLOW_UP_TEXT: &str = "Hi {{ contact.first_name or 'there' }},

A little while ago you told us things were not going as they should{% if account.name %} at {{ account.name }}{% endif %}, and we have been working on it since. I would like to know, honestly: is it resolved for you?

If it is not, reply and tell me what is still in the way. If it is, we would be grateful if you answered our next survey with how things look now.

{{ csm.name or workspace.name }}";
const FOLLOW_UP_HTML: &str = "<p>Hi {{ contact.first_name or 'there' }},</p>
<p>A little while ago you told us things were not going as they should{% if account.name %} at {{ account.name }}{% endif %}, and we have been working on it since. I would like to know, honestly: is it resolved for you?</p>
<p>If it is not, reply and tell me what is still in the way. If it is, we would be grateful if you answered our next survey with how things look now.</p>
<p>{{ csm.name or workspace.name }}</p>";

const ASSIGNEE_SUBJECT: &str = "{{ total }} overdue task{% if total != 1 %}s{% endif %} need{% if total == 1 %}s{% endif %} you";
const ASSIGNEE_TEXT: &str = "Hi {{ member.first_name or member.name }},

These detractor-recovery tasks are past their due date:
{% for task in tasks %}
- {{ task.title }} ({{ task.account }}), due {{ task.due_at }}, {{ task.days_overdue }} day{% if task.days_overdue != 1 %}s{% endif %} overdue
{%- endfor %}{% if total > tasks | length %}
- and {{ total - tasks | length }} more{% endif %}

Each of them is a customer who told us they are unhappy. Please pick them up today, or reassign them if someone else should.

- Closeloop";

const MANAGER_SUBJECT: &str =
    "Your team: {{ total }} escalated task{% if total != 1 %}s{% endif %}";
const MANAGER_TEXT: &str = "Hi {{ member.first_name or member.name }},

These tasks of your team slipped and have been escalated to you:
{% for task in tasks %}
- {{ task.title }} ({{ task.account }}) - {{ task.assignee }}, {{ task.days_overdue }} day{% if task.days_overdue != 1 %}s{% endif %} overdue
{%- endfor %}{% if total > tasks | length %}
- and {{ total - tasks | length }} more{% endif %}
{% if team %}
Overdue tasks per person:
{% for person in team %}
- {{ person.name }}: {{ person.overdue }}
{%- endfor %}
{% endif %}
- Closeloop";

const HEAD_SUBJECT: &str =
    "Escalation: {{ total }} detractor task{% if total != 1 %}s{% endif %} still open";
const HEAD_TEXT: &str = "Hi {{ member.first_name or member.name }},

These detractor-recovery tasks are well past due and reached the last level of escalation:
{% for task in tasks %}
- {{ task.title }} ({{ task.account }}) - {{ task.assignee }}, {{ task.days_overdue }} days overdue
{%- endfor %}{% if total > tasks | length %}
- and {{ total - tasks | length }} more{% endif %}

- Closeloop";

const NOTIFY_SUBJECT: &str = "{{ subject or 'A note from Closeloop' }}";
const NOTIFY_TEXT: &str = "Hi {{ member.first_name or member.name }},

{{ message }}
{% if account.name %}
Account: {{ account.name }}{% endif %}{% if contact.email %}
Contact: {{ contact.name or contact.email }}{% endif %}{% if response.score is not none %}
Score: {{ response.score }}{% if response.comment %} - \"{{ response.comment }}\"{% endif %}{% endif %}

- Closeloop";

const SLA_WARNING_SUBJECT: &str =
    "Due soon: {{ sla.clock or 'response' }} for {{ sla.project or 'a detractor project' }}";
const SLA_WARNING_TEXT: &str = "Hi {{ member.first_name or member.name }},

The {{ sla.clock }} target of {{ sla.project }} is due {{ sla.due_at }}, and most of the time for it has passed.
{% if sla.clock == 'first contact' %}
Reach out to the customer, then log the conversation or complete the \"reach out\" task so the clock stops.{% else %}
Complete the project before then, or tell your manager what stands in the way.{% endif %}

- Closeloop";

const SLA_BREACH_SUBJECT: &str = "Missed: {{ breaches | length }} detractor response target{% if breaches | length != 1 %}s{% endif %}";
const SLA_BREACH_TEXT: &str = "Hi {{ member.first_name or member.name }},

These detractor projects missed a response-time target:
{% for breach in breaches %}
- {{ breach.project }} ({{ breach.account }}): {{ breach.clock }} was due {{ breach.due_at }}{% if breach.owner %}, owner {{ breach.owner }}{% endif %}
{%- endfor %}

Each of them is a customer who is still waiting. Please make sure someone picks them up today.

- Closeloop";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::email::templates::render;

    #[test]
    fn every_default_template_renders() {
        let context = json!({
            "contact": { "name": "Ada Lovelace", "first_name": "Ada", "email": "ada@acme.io" },
            "account": { "name": "Acme" }, "csm": { "name": "Sam Rivera", "first_name": "Sam" },
            "member": { "name": "Sam Rivera", "first_name": "Sam" }, "workspace": { "name": "Closeloop" },
            "response": { "score": 9, "comment": "Great support" }, "message": "A promoter answered",
            "tasks": [{ "title": "Call Ada", "account": "Acme", "due_at": "2026-03-02", "days_overdue": 2, "assignee": "Sam" }],
            "unsubscribe_url": "https://example.com/u/abc"
        });

        for key in TemplateKey::ALL {
            let rendered = render(&source(key), &context);
            assert!(rendered.is_ok(), "{key:?} failed: {:?}", rendered.err());
        }
    }
}
