//! A response as it arrives, and the checks that turn it into one Closeloop can store.
//!
//! Every ingestion path (the mutations, the CSV import, the webhook) hands its fields to
//! [`RawResponse::parse`], so they all accept and refuse the same things, each naming the
//! field as its own callers spell it.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::score::NpsScore;
use crate::error::{AppError, AppResult};
use crate::values::{EmailAddress, Name, Text, parse_id};

/// How far in the future `respondedAt` may be: survey tools' clocks drift a little.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The account a new contact belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountRef {
    Id(Uuid),
    External(String),
}

/// Who answered: a known contact, or an email at a known account (created if new).
#[derive(Debug, Clone)]
pub enum ContactRef {
    Id(Uuid),
    Email {
        email: EmailAddress,
        account: AccountRef,
        name: Option<Name>,
    },
}

/// A response that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct ResponseInput {
    pub contact: ContactRef,
    pub score: NpsScore,
    pub comment: Option<Text>,
    pub responded_at: DateTime<Utc>,
    /// What makes a second submission of the same response a duplicate.
    pub external_id: Option<String>,
    pub survey: Option<Name>,
    pub channel: Option<Name>,
}

/// A score as a path received it: GraphQL and JSON give numbers, CSV gives text.
#[derive(Debug, Clone)]
pub enum RawScore {
    Number(i64),
    Text(String),
}

/// A time as a path received it: GraphQL parses it, CSV and JSON give RFC 3339 text.
#[derive(Debug, Clone)]
pub enum RawTime {
    Parsed(DateTime<Utc>),
    Text(String),
}

/// A response's fields before any check.
#[derive(Debug, Clone, Default)]
pub struct RawResponse {
    pub contact_id: Option<String>,
    pub contact_email: Option<String>,
    pub contact_name: Option<String>,
    pub account_id: Option<String>,
    pub account_external_id: Option<String>,
    pub score: Option<RawScore>,
    pub comment: Option<String>,
    pub responded_at: Option<RawTime>,
    pub external_id: Option<String>,
    pub survey: Option<String>,
    pub channel: Option<String>,
}

/// The names a path gives the fields, so errors speak the caller's language.
#[derive(Debug, Clone, Copy)]
pub struct FieldNames {
    pub contact_id: &'static str,
    pub contact_email: &'static str,
    pub contact_name: &'static str,
    pub account_id: &'static str,
    pub account_external_id: &'static str,
    pub score: &'static str,
    pub comment: &'static str,
    pub responded_at: &'static str,
    pub external_id: &'static str,
    pub survey: &'static str,
    pub channel: &'static str,
}

/// GraphQL's camelCase.
pub const GRAPHQL_FIELDS: FieldNames = FieldNames {
    contact_id: "contactId",
    contact_email: "contactEmail",
    contact_name: "contactName",
    account_id: "accountId",
    account_external_id: "accountExternalId",
    score: "score",
    comment: "comment",
    responded_at: "respondedAt",
    external_id: "externalId",
    survey: "survey",
    channel: "channel",
};

/// The CSV columns and the webhook's JSON keys.
pub const SNAKE_FIELDS: FieldNames = FieldNames {
    contact_id: "contact_id",
    contact_email: "contact_email",
    contact_name: "contact_name",
    account_id: "account_id",
    account_external_id: "account_external_id",
    score: "score",
    comment: "comment",
    responded_at: "responded_at",
    external_id: "external_id",
    survey: "survey",
    channel: "channel",
};

/// Whether a response without an external id gets a key derived from its content, so a
/// re-import of the same file recognises it. Live submissions do not: two identical
/// answers sent on purpose are two responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingKey {
    Keep,
    DeriveFromContent,
}

impl RawResponse {
    pub fn parse(
        self,
        names: FieldNames,
        missing_key: MissingKey,
        now: DateTime<Utc>,
    ) -> AppResult<ResponseInput> {
        let contact = self.contact_ref(names)?;
        let score = match &self.score {
            Some(RawScore::Number(n)) => NpsScore::parse(names.score, *n)?,
            Some(RawScore::Text(t)) => NpsScore::parse_text(names.score, t)?,
            None => return Err(required(names.score)),
        };
        let given_time = responded_at(self.responded_at.as_ref(), names.responded_at, now)?;
        let comment = present(self.comment.as_deref())
            .map(|c| Text::parse(names.comment, c))
            .transpose()?;
        let mut input = ResponseInput {
            contact,
            score,
            comment,
            responded_at: given_time.unwrap_or(now),
            external_id: optional_name(names.external_id, self.external_id.as_deref())?
                .map(Name::into_inner),
            survey: optional_name(names.survey, self.survey.as_deref())?,
            channel: optional_name(names.channel, self.channel.as_deref())?,
        };
        if input.external_id.is_none() && missing_key == MissingKey::DeriveFromContent {
            input.external_id = Some(content_key(&input, given_time));
        }
        Ok(input)
    }

    fn contact_ref(&self, names: FieldNames) -> AppResult<ContactRef> {
        let contact_id = present(self.contact_id.as_deref());
        let email = present(self.contact_email.as_deref());
        match (contact_id, email) {
            (Some(_), Some(_)) => Err(AppError::bad_input(
                names.contact_id,
                format!(
                    "give `{}` or `{}`, not both",
                    names.contact_id, names.contact_email
                ),
            )),
            (Some(id), None) => Ok(ContactRef::Id(parse_id(names.contact_id, id)?)),
            (None, Some(email)) => Ok(ContactRef::Email {
                email: EmailAddress::parse(names.contact_email, email)?,
                account: self.account_ref(names)?,
                name: optional_name(names.contact_name, self.contact_name.as_deref())?,
            }),
            (None, None) => Err(AppError::bad_input(
                names.contact_email,
                format!(
                    "`{}` or `{}` is required",
                    names.contact_id, names.contact_email
                ),
            )),
        }
    }

    fn account_ref(&self, names: FieldNames) -> AppResult<AccountRef> {
        let id = present(self.account_id.as_deref());
        let external = present(self.account_external_id.as_deref());
        match (id, external) {
            (Some(id), _) => Ok(AccountRef::Id(parse_id(names.account_id, id)?)),
            (None, Some(external)) => Ok(AccountRef::External(external.to_owned())),
            (None, None) => Err(AppError::bad_input(
                names.account_external_id,
                format!(
                    "`{}` or `{}` is required with `{}`",
                    names.account_id, names.account_external_id, names.contact_email
                ),
            )),
        }
    }
}

/// When the contact answered, if given; refused when further ahead than the skew allows.
fn responded_at(
    raw: Option<&RawTime>,
    field: &'static str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let time = match raw {
        None => return Ok(None),
        Some(RawTime::Parsed(time)) => *time,
        Some(RawTime::Text(text)) if text.trim().is_empty() => return Ok(None),
        Some(RawTime::Text(text)) => DateTime::parse_from_rfc3339(text.trim())
            .map_err(|_| AppError::bad_input(field, format!("`{field}` must be an RFC 3339 time")))?
            .with_timezone(&Utc),
    };
    if time > now + CLOCK_SKEW {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` is in the future"),
        ));
    }
    Ok(Some(time))
}

/// The key of a response that came without an external id: a digest of who answered,
/// what and when, so the same row imported twice is recognised. Rows without a time use
/// none, so two identical answers of one contact without a time count as one.
fn content_key(input: &ResponseInput, given_time: Option<DateTime<Utc>>) -> String {
    let who = match &input.contact {
        ContactRef::Id(id) => id.to_string(),
        ContactRef::Email { email, .. } => email.as_str().to_owned(),
    };
    let parts = [
        who,
        input.score.value().to_string(),
        given_time.map(|t| t.to_rfc3339()).unwrap_or_default(),
        input
            .survey
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        input
            .comment
            .clone()
            .map(Text::into_inner)
            .unwrap_or_default(),
    ];
    let digest = Sha256::digest(parts.join("\u{1f}").as_bytes());
    format!("content:{}", hex::encode(&digest[..16]))
}

fn present(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

fn optional_name(field: &'static str, raw: Option<&str>) -> AppResult<Option<Name>> {
    present(raw).map(|v| Name::parse(field, v)).transpose()
}

fn required(field: &'static str) -> AppError {
    AppError::bad_input(field, format!("`{field}` is required"))
}
