//! One-click unsubscribe (RFC 8058). Every customer-facing email carries a link made of the
//! contact's id and an HMAC-SHA256 tag under the instance's key, so nobody can unsubscribe
//! someone else by guessing, and no lookup table of tokens is needed.
//!
//! The link is not known where an email is rendered (inside the caller's transaction, with
//! only the database at hand), so templates render [`LINK_PLACEHOLDER`] and delivery puts the
//! real link in its place; the API shows bodies with the link filled in the same way.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ring::hmac;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
};
use serde_json::json;
use uuid::Uuid;

use super::settings::EmailSettings;
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::{contact, instance_secret};
use crate::error::{AppError, AppResult};

/// What templates render where the unsubscribe link goes: nothing in it is escaped by HTML
/// auto-escaping, so it survives rendering as is.
pub const LINK_PLACEHOLDER: &str = "CLOSELOOP-UNSUBSCRIBE-LINK";

const SECRET_NAME: &str = "unsubscribe_key";

/// Makes and checks unsubscribe links.
#[derive(Clone)]
pub struct UnsubscribeLinks {
    key: hmac::Key,
    public_url: String,
}

impl fmt::Debug for UnsubscribeLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsubscribeLinks")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl UnsubscribeLinks {
    pub fn new(secret: &[u8], public_url: &str) -> Self {
        UnsubscribeLinks {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Signs with `CLOSELOOP_SECRET_KEY`, or with the key kept in the database (made on the
    /// first start), so that links stay valid across restarts and processes.
    pub async fn load(
        db: &impl ConnectionTrait,
        settings: &EmailSettings,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let secret = match &settings.secret_key {
            Some(secret) => secret.expose().to_owned(),
            None => stored_secret(db, now).await?,
        };
        Ok(UnsubscribeLinks::new(
            secret.as_bytes(),
            &settings.public_url,
        ))
    }

    /// `<contact id>.<tag>`.
    pub fn token(&self, contact_id: Uuid) -> String {
        let tag = hmac::sign(&self.key, &message(contact_id));
        format!(
            "{}.{}",
            contact_id.simple(),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    pub fn url(&self, contact_id: Uuid) -> String {
        format!("{}/unsubscribe/{}", self.public_url, self.token(contact_id))
    }

    /// The contact a token stands for, if its tag is right.
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        let (id, tag) = token.split_once('.')?;
        let contact_id = Uuid::try_parse(id).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // In constant time, so a tag cannot be found byte by byte.
        hmac::verify(&self.key, &message(contact_id), &tag)
            .ok()
            .map(|()| contact_id)
    }

    /// `text` with the placeholder replaced by the contact's link, or removed when the email
    /// goes to no contact.
    pub fn fill(&self, text: &str, contact_id: Option<Uuid>) -> String {
        if !text.contains(LINK_PLACEHOLDER) {
            return text.to_owned();
        }
        let link = contact_id.map(|id| self.url(id)).unwrap_or_default();
        text.replace(LINK_PLACEHOLDER, &link)
    }
}

fn message(contact_id: Uuid) -> Vec<u8> {
    [b"unsubscribe:".as_slice(), contact_id.as_bytes()].concat()
}

/// The generated key: the first process to start writes it, every process reads it.
///
/// A plain insert rather than `ON CONFLICT`: on SQLite, a pooled connection that has run no
/// statement since the migrations may still hold the schema from before the unique index,
/// and an upsert is checked against that schema when it is prepared.
async fn stored_secret(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<String> {
    if let Some(value) = read_secret(db).await? {
        return Ok(value);
    }
    let mut bytes = [0_u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let candidate = instance_secret::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(SECRET_NAME.to_owned()),
        value: Set(hex::encode(bytes)),
        created_at: Set(now),
    };
    match instance_secret::Entity::insert(candidate)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => {}
        // Another process starting at the same moment wrote it first.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
        Err(error) => return Err(error.into()),
    }
    read_secret(db)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the unsubscribe key is missing")))
}

async fn read_secret(db: &impl ConnectionTrait) -> AppResult<Option<String>> {
    let row = instance_secret::Entity::find()
        .filter(instance_secret::Column::Name.eq(SECRET_NAME))
        .one(db)
        .await?;
    Ok(row.map(|row| row.value))
}

/// Marks the contact unsubscribed and records it on their account; a second click changes
/// nothing. `None` when the contact no longer exists.
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    contact_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<contact::Model>> {
    let Some(found) = contact::Entity::find_by_id(contact_id).one(db).await? else {
        return Ok(None);
    };
    if found.unsubscribed_at.is_some() {
        return Ok(Some(found));
    }
    let mut active: contact::ActiveModel = found.into();
    active.unsubscribed_at = Set(Some(now));
    active.updated_at = Set(now);
    let updated = active.update(db).await?;

    let change = Change {
        workspace_id: updated.workspace_id,
        actor_id: None,
        subject: Subject::Contact(updated.id),
        action: "contact.unsubscribed",
        account_id: Some(updated.account_id),
        project_id: None,
        task_id: None,
        details: json!({ "via": "unsubscribe link" }),
    };
    activity::record(db, change, now).await?;
    tracing::info!(contact.id = %updated.id, account.id = %updated.account_id, "contact unsubscribed");
    Ok(Some(updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_own_tag_and_key() {
        let links = UnsubscribeLinks::new(
            b"0123456789abcdef0123456789abcdef",
            "https://cs.example.com/",
        );
        let other = UnsubscribeLinks::new(
            b"another key, another installation",
            "https://cs.example.com",
        );
        let contact = Uuid::now_v7();

        let token = links.token(contact);
        let forged = format!(
            "{}.{}",
            Uuid::now_v7().simple(),
            token.split_once('.').map(|(_, t)| t).unwrap_or("")
        );

        assert_eq!(links.verify(&token), Some(contact));
        assert_eq!(other.verify(&token), None);
        assert_eq!(links.verify(&forged), None);
        assert_eq!(links.verify("nonsense"), None);
        assert!(
            links
                .url(contact)
                .starts_with("https://cs.example.com/unsubscribe/")
        );
    }

    #[test]
    fn the_placeholder_becomes_the_contacts_link() {
        let links = UnsubscribeLinks::new(
            b"0123456789abcdef0123456789abcdef",
            "https://cs.example.com",
        );
        let contact = Uuid::now_v7();

        let filled = links.fill(&format!("Stop: {LINK_PLACEHOLDER}"), Some(contact));

        assert_eq!(filled, format!("Stop: {}", links.url(contact)));
        assert_eq!(links.fill("no link here", Some(contact)), "no link here");
    }
}
