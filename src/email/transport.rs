//! Handing a message to the outside world: an SMTP relay through lettre (pooled, over rustls
//! when the URL asks for TLS), or `.eml` files in a directory when no relay is configured.
//!
//! Every send runs under its own overall deadline. lettre's timeout only covers connecting:
//! a relay that accepts the connection and then says nothing would hold a send for ever. A
//! send that hit the deadline may have left a pooled connection half way through a
//! conversation, so the pool is replaced rather than trusted again.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::settings::EmailSettings;

type Smtp = AsyncSmtpTransport<Tokio1Executor>;

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth another try later: the relay was unreachable, too slow, or answered 4xx.
    Transient(String),
    /// The relay refused the message for good (5xx), or it cannot be sent at all.
    Permanent { code: Option<u16>, reason: String },
}

impl SendError {
    /// A 550 answer: the mailbox does not exist (a hard bounce).
    pub fn is_unknown_user(&self) -> bool {
        matches!(
            self,
            SendError::Permanent {
                code: Some(550),
                ..
            }
        )
    }

    /// A short description for the outbox row: no addresses of ours, no credentials.
    pub fn reason(&self) -> &str {
        match self {
            SendError::Transient(reason) | SendError::Permanent { reason, .. } => reason,
        }
    }
}

/// Where mail goes.
pub struct Transport {
    kind: Kind,
    deadline: Duration,
}

enum Kind {
    Smtp {
        /// `smtp://host:port`, without credentials.
        relay: String,
        builder: Box<AsyncSmtpTransportBuilder>,
        current: RwLock<Arc<Smtp>>,
    },
    Files {
        dir: PathBuf,
        files: AsyncFileTransport<Tokio1Executor>,
    },
}

impl Transport {
    /// The relay in `SMTP_URL`, or the mail directory (created if missing) without one.
    pub fn from_settings(settings: &EmailSettings) -> anyhow::Result<Transport> {
        let deadline = settings.send_timeout();
        let kind = match &settings.smtp_url {
            Some(url) => {
                let pool = PoolConfig::new()
                    .max_size(settings.pool_max_size)
                    .idle_timeout(Duration::from_secs(settings.pool_idle_secs));
                let builder = Smtp::from_url(url.expose())
                    .map_err(|_| anyhow::anyhow!("SMTP_URL is not a valid SMTP URL"))?
                    .timeout(Some(deadline))
                    .pool_config(pool);
                let current = RwLock::new(Arc::new(builder.clone().build()));
                Kind::Smtp {
                    relay: url.display.clone(),
                    builder: Box::new(builder),
                    current,
                }
            }
            None => {
                std::fs::create_dir_all(&settings.mail_dir).map_err(|e| {
                    anyhow::anyhow!(
                        "creating the mail directory {}: {e}",
                        settings.mail_dir.display()
                    )
                })?;
                let files = AsyncFileTransport::new(&settings.mail_dir);
                Kind::Files {
                    dir: settings.mail_dir.clone(),
                    files,
                }
            }
        };
        Ok(Transport { kind, deadline })
    }

    /// Where mail goes, for the start-up log: the relay (no credentials) or the directory.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Smtp { relay, .. } => format!("the SMTP relay {relay}"),
            Kind::Files { dir, .. } => {
                format!("`.eml` files in {} (no SMTP_URL set)", dir.display())
            }
        }
    }

    /// Sends one message, giving up at the deadline whatever the relay is doing.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let raw = message.formatted();
        let envelope = message.envelope();
        match &self.kind {
            Kind::Smtp {
                builder, current, ..
            } => {
                let smtp = Arc::clone(&current.read().unwrap_or_else(PoisonError::into_inner));
                match tokio::time::timeout(self.deadline, smtp.send_raw(envelope, &raw)).await {
                    Ok(result) => result.map(drop).map_err(classify),
                    Err(_) => {
                        *current.write().unwrap_or_else(PoisonError::into_inner) =
                            Arc::new(builder.clone().build());
                        Err(self.deadline_error())
                    }
                }
            }
            Kind::Files { files, .. } => {
                match tokio::time::timeout(self.deadline, files.send_raw(envelope, &raw)).await {
                    Ok(result) => result
                        .map(drop)
                        .map_err(|e| SendError::Transient(format!("writing the .eml file: {e}"))),
                    Err(_) => Err(self.deadline_error()),
                }
            }
        }
    }

    /// Closes pooled connections politely (QUIT); for shutdown.
    pub async fn shutdown(&self) {
        if let Kind::Smtp { current, .. } = &self.kind {
            let smtp = Arc::clone(&current.read().unwrap_or_else(PoisonError::into_inner));
            smtp.shutdown().await;
        }
    }

    fn deadline_error(&self) -> SendError {
        SendError::Transient(format!(
            "no answer from the mail server within {} s",
            self.deadline.as_secs()
        ))
    }
}

/// 4xx, connection and network trouble are transient; 5xx and messages the client cannot
/// send are permanent.
fn classify(error: lettre::transport::smtp::Error) -> SendError {
    let code = error
        .status()
        .and_then(|code| code.to_string().parse::<u16>().ok());
    let reason = short(&error.to_string());
    if error.is_permanent() || error.is_client() {
        SendError::Permanent { code, reason }
    } else {
        SendError::Transient(reason)
    }
}

/// At most 200 characters on one line.
fn short(text: &str) -> String {
    let line = super::templates::one_line(text);
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_short_line() {
        let long = format!("permanent error (550): {}\r\nsecond line", "x".repeat(300));

        let reason = short(&long);

        assert!(!reason.contains('\n'));
        assert_eq!(reason.chars().count(), 201);
    }

    #[test]
    fn only_a_550_is_a_hard_bounce() {
        let bounce = SendError::Permanent {
            code: Some(550),
            reason: "mailbox unavailable".into(),
        };
        let policy = SendError::Permanent {
            code: Some(554),
            reason: "rejected".into(),
        };

        assert!(bounce.is_unknown_user());
        assert!(!policy.is_unknown_user());
        assert!(!SendError::Transient("timeout".into()).is_unknown_user());
    }
}
