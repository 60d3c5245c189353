//! API tokens: random secrets shown once, stored only as a SHA-256 hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Viewer;
use crate::entities::{api_token, team_member};
use crate::error::{AppError, AppResult};

const TOKEN_PREFIX: &str = "clt_";

/// A token as issued: the secret exists only in this value and in the caller's hands.
#[derive(Debug)]
pub struct IssuedToken {
    pub id: Uuid,
    pub secret: String,
}

/// The hash under which a secret is stored and looked up.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a new token for a member and returns its secret.
pub async fn issue(
    db: &impl ConnectionTrait,
    member: &team_member::Model,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<IssuedToken> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let id = Uuid::now_v7();

    api_token::ActiveModel {
        id: Set(id),
        workspace_id: Set(member.workspace_id),
        member_id: Set(member.id),
        name: Set(name.to_owned()),
        token_hash: Set(hash(&secret)),
        token_prefix: Set(secret.chars().take(TOKEN_PREFIX.len() + 6).collect()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;

    tracing::info!(token.id = %id, member.id = %member.id, workspace.id = %member.workspace_id, "api token issued");
    Ok(IssuedToken { id, secret })
}

/// Resolves a bearer secret to its viewer; `None` for an unknown, revoked or inactive one.
pub async fn authenticate(db: &impl ConnectionTrait, secret: &str) -> AppResult<Option<Viewer>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }

    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .find_also_related(team_member::Entity)
        .one(db)
        .await?;

    Ok(match found {
        Some((token, Some(member))) if member.active => Some(Viewer {
            member_id: member.id,
            workspace_id: member.workspace_id,
            role: member.role,
            token_id: token.id,
        }),
        _ => None,
    })
}

/// Revokes a token of the workspace; its holder is refused from the next request on.
pub async fn revoke(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    token_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("API token"))?;

    let mut active: api_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(now));
    active.update(db).await?;
    tracing::info!(token.id = %token_id, workspace.id = %workspace_id, "api token revoked");
    Ok(())
}
