//! Turning an outbox row into the message that goes on the wire: From the workspace sender
//! with the CSM's name, Reply-To the CSM, a text and an HTML part, the Message-ID kept on
//! the row (so a retry after an unknown outcome reuses it and the receiving side can drop the
//! duplicate), and for customer email the RFC 8058 one-click unsubscribe headers.
//!
//! lettre's typed headers encode what they are given, and every name and subject goes
//! through [`one_line`] as well, so nothing stored in a row can start a header of its own.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::templates::one_line;
use super::transport::SendError;
use super::unsubscribe::UnsubscribeLinks;
use crate::entities::{email_outbox, workspace};

/// What a message needs besides its row.
pub struct Sender<'a> {
    pub workspace: &'a workspace::Model,
    /// The installation's address, for workspaces without a sender address of their own.
    pub mail_from: &'a str,
    pub links: &'a UnsubscribeLinks,
}

impl Sender<'_> {
    fn address(&self) -> &str {
        self.workspace
            .sender_email
            .as_deref()
            .unwrap_or(self.mail_from)
    }

    /// `"Sam Rivera via Acme Success"` for a CSM's customer email, else the sender's name.
    fn display_name(&self, row: &email_outbox::Model) -> String {
        let workspace = self
            .workspace
            .sender_name
            .as_deref()
            .unwrap_or(&self.workspace.name);
        let name = match (&row.from_name, &row.reply_to, row.contact_id) {
            (Some(csm), Some(_), Some(_)) if csm != workspace => format!("{csm} via {workspace}"),
            (Some(name), _, _) => name.clone(),
            (None, _, _) => workspace.to_owned(),
        };
        one_line(&name)
    }

    /// A new Message-ID for a row's first attempt: the row id at the sender's domain.
    pub fn message_id(&self, row: &email_outbox::Model) -> String {
        let domain = self
            .address()
            .rsplit_once('@')
            .map_or("closeloop.localhost", |(_, domain)| domain);
        format!("<{}@{domain}>", row.id.simple())
    }
}

/// Builds the message; a row that cannot become one (an address that does not parse) fails
/// for good.
pub fn build(
    row: &email_outbox::Model,
    message_id: &str,
    sender: &Sender<'_>,
) -> Result<Message, SendError> {
    let from_address: Address = sender
        .address()
        .parse()
        .map_err(|_| invalid("the sender address"))?;
    let to_address: Address = row
        .to_email
        .parse()
        .map_err(|_| invalid("the recipient address"))?;
    let to_name = row
        .to_name
        .as_deref()
        .map(one_line)
        .filter(|name| !name.is_empty());

    let mut builder = Message::builder()
        .from(Mailbox::new(Some(sender.display_name(row)), from_address))
        .to(Mailbox::new(to_name, to_address))
        .subject(one_line(&row.subject))
        .message_id(Some(message_id.to_owned()));
    if let Some(reply_to) = row
        .reply_to
        .as_deref()
        .and_then(|a| a.parse::<Address>().ok())
    {
        builder = builder.reply_to(Mailbox::new(None, reply_to));
    }
    if let Some(contact_id) = row.contact_id {
        builder = builder
            .header(ListUnsubscribe(sender.links.url(contact_id)))
            .header(ListUnsubscribePost);
    }

    let text = sender.links.fill(&row.body_text, row.contact_id);
    let built = match &row.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            text,
            sender.links.fill(html, row.contact_id),
        )),
        None => builder.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(text),
        ),
    };
    built.map_err(|e| SendError::Permanent {
        code: None,
        reason: format!("the message cannot be built: {e}"),
    })
}

fn invalid(what: &str) -> SendError {
    SendError::Permanent {
        code: None,
        reason: format!("{what} is not a valid email address"),
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <https://…/unsubscribe/TOKEN>`
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(raw: &str) -> Result<Self, BoxError> {
        Ok(ListUnsubscribe(
            raw.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", one_line(&self.0)))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST to the link
/// unsubscribes without a confirmation page, as mail clients' unsubscribe buttons do.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_raw: &str) -> Result<Self, BoxError> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
