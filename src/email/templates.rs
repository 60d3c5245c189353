//! Rendering email templates. Templates are minijinja source kept per workspace (with
//! built-in defaults); the HTML part is auto-escaped, and a rendered subject is one line,
//! so nothing a customer typed can add a header.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// Which email a template writes. Customer-facing ones respect unsubscribes and the
/// per-contact cap; internal ones (to team members) always go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum TemplateKey {
    /// A promoter's thank-you from their CSM, with an advocacy ask.
    PromoterThankYou,
    /// "Your CSM has seen this and will be in touch", to a detractor.
    DetractorAcknowledgement,
    /// After a detractor project completes: is it resolved? A new score is welcome.
    DetractorFollowUp,
    /// An overdue task, to its assignee.
    EscalationAssignee,
    /// Newly escalated tasks of a manager's team.
    EscalationManager,
    /// The last level of escalation, to the head of CS.
    EscalationHeadOfCs,
    /// A playbook telling a team member about something.
    MemberNotification,
    /// A detractor project's response-time target is close, to its owner.
    SlaWarning,
    /// Response-time targets missed, to the owners, their managers and the head of CS.
    SlaBreach,
}

/// Whether an email goes to a customer contact or to the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customer,
    Internal,
}

impl TemplateKey {
    pub const ALL: [TemplateKey; 9] = [
        TemplateKey::PromoterThankYou,
        TemplateKey::DetractorAcknowledgement,
        TemplateKey::DetractorFollowUp,
        TemplateKey::EscalationAssignee,
        TemplateKey::EscalationManager,
        TemplateKey::EscalationHeadOfCs,
        TemplateKey::MemberNotification,
        TemplateKey::SlaWarning,
        TemplateKey::SlaBreach,
    ];

    /// The key as stored in the outbox and in playbook actions.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKey::PromoterThankYou => "promoter_thank_you",
            TemplateKey::DetractorAcknowledgement => "detractor_acknowledgement",
            TemplateKey::DetractorFollowUp => "detractor_follow_up",
            TemplateKey::EscalationAssignee => "escalation_assignee",
            TemplateKey::EscalationManager => "escalation_manager",
            TemplateKey::EscalationHeadOfCs => "escalation_head_of_cs",
            TemplateKey::MemberNotification => "member_notification",
            TemplateKey::SlaWarning => "sla_warning",
            TemplateKey::SlaBreach => "sla_breach",
        }
    }

    pub fn parse(raw: &str) -> Option<TemplateKey> {
        TemplateKey::ALL.into_iter().find(|key| key.as_str() == raw)
    }

    pub fn audience(self) -> Audience {
        match self {
            TemplateKey::PromoterThankYou
            | TemplateKey::DetractorAcknowledgement
            | TemplateKey::DetractorFollowUp => Audience::Customer,
            _ => Audience::Internal,
        }
    }
}

/// The source of one template: a subject line, a plain-text part and an optional HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// A rendered email, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// Renders a template with `context`; a template that does not compile or render is a
/// `BAD_USER_INPUT` on the part named, so an admin editing one sees what is wrong.
pub fn render(source: &TemplateSource, context: &impl Serialize) -> AppResult<RenderedEmail> {
    let env = environment();
    let context = minijinja::Value::from(minijinja::value::Serde(context));
    let subject = render_part(&env, "subject.txt", &source.subject, &context, "subject")?;
    let body_text = render_part(&env, "body.txt", &source.body_text, &context, "bodyText")?;
    let body_html = source
        .body_html
        .as_deref()
        .map(|html| render_part(&env, "body.html", html, &context, "bodyHtml"))
        .transpose()?;
    Ok(RenderedEmail {
        subject: one_line(&subject),
        body_text,
        body_html,
    })
}

/// Checks that a template compiles, without rendering it.
pub fn check(source: &TemplateSource) -> AppResult<()> {
    let env = environment();
    let parts = [
        ("subject", Some(&source.subject)),
        ("bodyText", Some(&source.body_text)),
        ("bodyHtml", source.body_html.as_ref()),
    ];
    for (field, part) in parts {
        if let Some(part) = part {
            env.template_from_str(part).map_err(|e| {
                AppError::bad_input(field, format!("the template does not compile: {e}"))
            })?;
        }
    }
    Ok(())
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env
}

fn render_part(
    env: &Environment<'_>,
    name: &str,
    source: &str,
    context: &minijinja::Value,
    field: &'static str,
) -> AppResult<String> {
    env.render_named_str(name, source, context)
        .map_err(|e| AppError::bad_input(field, format!("the template does not render: {e}")))
}

/// Folds a rendered subject onto one line: line breaks and other control characters
/// become spaces, so a name like "Ada\r\nBcc: x" cannot start a header.
pub fn one_line(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn html_is_escaped_and_subjects_stay_on_one_line() {
        let source = TemplateSource {
            subject: "Thanks, {{ contact.first_name }}".into(),
            body_text: "Hi {{ contact.first_name }}".into(),
            body_html: Some("<p>Hi {{ contact.first_name }}</p>".into()),
        };
        let context = json!({ "contact": { "first_name": "Ada\r\nBcc: evil@example.com <b>" } });

        let rendered = render(&source, &context);

        let rendered = rendered.ok();
        let rendered = rendered.as_ref();
        assert_eq!(
            rendered.map(|r| r.subject.as_str()),
            Some("Thanks, Ada Bcc: evil@example.com <b>")
        );
        assert_eq!(
            rendered.and_then(|r| r.body_html.as_deref()),
            Some("<p>Hi Ada\r\nBcc: evil@example.com &lt;b&gt;</p>")
        );
    }

    #[test]
    fn a_broken_template_is_refused_with_the_part_named() {
        let source = TemplateSource {
            subject: "{% if %}".into(),
            body_text: String::new(),
            body_html: None,
        };

        let error = check(&source).err().map(|e| e.to_string());

        assert!(error.is_some_and(|e| e.contains("does not compile")));
    }
}
