//! Writing down what happened to a send. Each write is conditional on the row still being
//! `sending`, so a worker whose lease ran out cannot overwrite what another one did since.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::transport::SendError;
use crate::db;
use crate::entities::email_outbox::{self, Column};
use crate::entities::enums::{ConversationChannel, ConversationDirection, OutboxStatus};
use crate::entities::{contact, conversation};
use crate::error::AppResult;

const FIRST_RETRY_SECS: i64 = 30;
const MAX_RETRY_SECS: i64 = 3_600;

/// What became of one claimed email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retried,
    Failed,
    Suppressed,
}

/// The update that applies only while the row is still ours.
fn still_sending(row: &email_outbox::Model) -> sea_orm::UpdateMany<email_outbox::Entity> {
    email_outbox::Entity::update_many()
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(OutboxStatus::Sending))
}

/// Keeps the Message-ID chosen for the first attempt, for every retry after it.
pub async fn assign_message_id(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    id: &str,
) -> AppResult<()> {
    email_outbox::Entity::update_many()
        .col_expr(Column::MessageId, Expr::value(id))
        .filter(Column::Id.eq(row.id))
        .filter(Column::MessageId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Not sent on purpose (the contact unsubscribed or bounced since it was queued).
pub async fn discard(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    still_sending(row)
        .col_expr(Column::Status, Expr::value(OutboxStatus::Discarded))
        .col_expr(Column::LastError, Expr::value(reason))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .exec(db)
        .await?;
    tracing::info!(outbox.id = %row.id, reason, "email discarded at send time");
    Ok(Outcome::Suppressed)
}

/// Marks the email sent and, for customer email, logs it as a conversation on the account,
/// in one transaction. `text` is the plain-text part as sent.
pub async fn sent(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    let txn = db::begin_write(db).await?;
    let updated = still_sending(row)
        .col_expr(Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .exec(&txn)
        .await?;
    if updated.rows_affected > 0 {
        log_conversation(&txn, row, text, now).await?;
    }
    txn.commit().await?;
    tracing::info!(outbox.id = %row.id, attempts = row.attempts, "email sent");
    Ok(Outcome::Sent)
}

async fn log_conversation(
    db: &impl ConnectionTrait,
    row: &email_outbox::Model,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (Some(contact_id), Some(account_id)) = (row.contact_id, row.account_id) else {
        return Ok(());
    };
    // The contact may have been deleted since; the conversation stays on the account.
    let contact = contact::Entity::find_by_id(contact_id).one(db).await?;
    conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(row.workspace_id),
        account_id: Set(account_id),
        contact_id: Set(contact.map(|c| c.id)),
        project_id: Set(None),
        member_id: Set(row.sender_id),
        direction: Set(ConversationDirection::Outbound),
        channel: Set(ConversationChannel::Email),
        subject: Set(Some(row.subject.clone())),
        body: Set(text.to_owned()),
        occurred_at: Set(now),
        outbox_id: Set(Some(row.id)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A failed attempt: a permanent failure or the last attempt fails the email; anything
/// else is tried again after an exponential, jittered wait. A 550 marks the contact as
/// bounced, so nothing else goes to that address.
pub async fn failure(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    error: &SendError,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    let attempts = u32::try_from(row.attempts).unwrap_or(0);
    let give_up = matches!(error, SendError::Permanent { .. }) || attempts >= max_attempts;
    let (status, due, outcome) = if give_up {
        (OutboxStatus::Failed, now, Outcome::Failed)
    } else {
        (
            OutboxStatus::Pending,
            now + backoff(attempts, rand::rng().random_range(-0.2..=0.2)),
            Outcome::Retried,
        )
    };
    still_sending(row)
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::NextAttemptAt, Expr::value(due))
        .col_expr(Column::LastError, Expr::value(error.reason()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .exec(db)
        .await?;
    if error.is_unknown_user() {
        mark_bounced(db, row, now).await?;
    }
    let code = match error {
        SendError::Permanent { code, .. } => *code,
        SendError::Transient(_) => None,
    };
    match outcome {
        Outcome::Failed => {
            tracing::warn!(outbox.id = %row.id, attempts, code, "email failed; it will not be retried")
        }
        _ => {
            tracing::warn!(outbox.id = %row.id, attempts, next_attempt_at = %due, "email send failed; will retry")
        }
    }
    Ok(outcome)
}

async fn mark_bounced(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(contact_id) = row.contact_id else {
        return Ok(());
    };
    contact::Entity::update_many()
        .col_expr(contact::Column::BouncedAt, Expr::value(now))
        .col_expr(contact::Column::UpdatedAt, Expr::value(now))
        .filter(contact::Column::Id.eq(contact_id))
        .filter(contact::Column::BouncedAt.is_null())
        .exec(db)
        .await?;
    tracing::info!(contact.id = %contact_id, outbox.id = %row.id, "contact address bounced");
    Ok(())
}

/// 30 s after the first attempt, doubling each time, at most an hour, ± `jitter` (a
/// fraction, e.g. 0.2) so that a relay coming back is not hit by every retry at once.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(20);
    let base = FIRST_RETRY_SECS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_SECS);
    let millis = (base as f64 * 1000.0 * (1.0 + jitter.clamp(-0.5, 0.5))).round();
    Duration::milliseconds(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9)
            .map(|attempts| backoff(attempts, 0.0).num_seconds())
            .collect();

        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(1, 0.2).num_seconds(), 36);
        assert_eq!(backoff(1, -0.2).num_seconds(), 24);
    }
}
