//! Email settings: where mail goes (an SMTP relay, or `.eml` files when none is set), who
//! it comes from, how delivery is paced, and the key that signs unsubscribe links. Each is
//! a flag and an environment variable, checked at start; secrets never reach a log line.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;

pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
pub const DEFAULT_MAIL_FROM: &str = "closeloop@localhost";
pub const DEFAULT_MAIL_DIR: &str = "mail";
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
pub const DEFAULT_SEND_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_POOL_IDLE_SECS: u64 = 50;
pub const DEFAULT_POOL_MAX_SIZE: u32 = 4;
pub const DEFAULT_POLL_SECS: u64 = 5;

/// How email leaves Closeloop.
#[derive(Debug, Clone, Args)]
pub struct EmailSettings {
    /// SMTP relay: `smtp://user:pass@host:port` (plain), `smtp://…?tls=opportunistic`
    /// (STARTTLS when offered), `smtp://…?tls=required` (STARTTLS or fail), `smtps://…`
    /// (implicit TLS). Unset: mail is written as `.eml` files into the mail directory.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SmtpUrl>,

    /// Where `.eml` files go when no SMTP relay is set.
    #[arg(long, env = "CLOSELOOP_MAIL_DIR", default_value = DEFAULT_MAIL_DIR)]
    pub mail_dir: PathBuf,

    /// The address the server is reached at from outside, for unsubscribe links.
    #[arg(long, env = "CLOSELOOP_PUBLIC_URL", default_value = DEFAULT_PUBLIC_URL, value_parser = parse_public_url)]
    pub public_url: String,

    /// Sender address when a workspace has none of its own.
    #[arg(long, env = "CLOSELOOP_MAIL_FROM", default_value = DEFAULT_MAIL_FROM, value_parser = parse_address)]
    pub mail_from: String,

    /// Emails sent at the same time by one server process.
    #[arg(long = "mail-concurrency", env = "CLOSELOOP_MAIL_CONCURRENCY", default_value_t = DEFAULT_CONCURRENCY,
        value_parser = clap::value_parser!(u16).range(1..=64).map(usize::from))]
    pub concurrency: usize,

    /// Attempts before a transiently failing email is given up as failed.
    #[arg(long = "mail-max-attempts", env = "CLOSELOOP_MAIL_MAX_ATTEMPTS", default_value_t = DEFAULT_MAX_ATTEMPTS,
        value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,

    /// Seconds one send may take in all (connect, greeting, data), whatever the server does.
    #[arg(long = "mail-send-timeout-secs", env = "CLOSELOOP_MAIL_SEND_TIMEOUT_SECS", default_value_t = DEFAULT_SEND_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=600))]
    pub send_timeout_secs: u64,

    /// Seconds an idle pooled SMTP connection is kept; keep it below the relay's own idle
    /// timeout (often 60 s) so that a connection is never reused just as the relay drops it.
    #[arg(long = "smtp-pool-idle-secs", env = "CLOSELOOP_SMTP_POOL_IDLE_SECS", default_value_t = DEFAULT_POOL_IDLE_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub pool_idle_secs: u64,

    /// Most idle SMTP connections kept open; 0 turns pooling off (one connection per email).
    #[arg(long = "smtp-pool-max-size", env = "CLOSELOOP_SMTP_POOL_MAX_SIZE", default_value_t = DEFAULT_POOL_MAX_SIZE,
        value_parser = clap::value_parser!(u32).range(0..=64))]
    pub pool_max_size: u32,

    /// Seconds between looks at the outbox when nothing wakes the delivery worker sooner.
    #[arg(long = "mail-poll-secs", env = "CLOSELOOP_MAIL_POLL_SECS", default_value_t = DEFAULT_POLL_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub poll_secs: u64,

    /// Key that signs unsubscribe links (32 characters or more). Unset: one is generated on
    /// first start and kept in the database, so links survive restarts.
    #[arg(long, env = "CLOSELOOP_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            smtp_url: None,
            mail_dir: PathBuf::from(DEFAULT_MAIL_DIR),
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            concurrency: DEFAULT_CONCURRENCY,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            send_timeout_secs: DEFAULT_SEND_TIMEOUT_SECS,
            pool_idle_secs: DEFAULT_POOL_IDLE_SECS,
            pool_max_size: DEFAULT_POOL_MAX_SIZE,
            poll_secs: DEFAULT_POLL_SECS,
            secret_key: None,
        }
    }
}

impl EmailSettings {
    pub fn send_timeout(&self) -> Duration {
        Duration::from_secs(self.send_timeout_secs)
    }
}

/// A secret value: usable by the code, shown as `[redacted]` by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw.trim().len() < 32 {
            return Err("must be at least 32 characters long".into());
        }
        Ok(Secret(raw.trim().to_owned()))
    }
}

/// An SMTP relay URL, checked at start; `Debug` shows neither user nor password.
#[derive(Clone)]
pub struct SmtpUrl {
    raw: Secret,
    /// `scheme://host:port`, safe to log.
    pub display: String,
}

impl SmtpUrl {
    pub fn expose(&self) -> &str {
        self.raw.expose()
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl FromStr for SmtpUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        type Smtp = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;
        // Errors say what is wrong without echoing the URL, which may hold a password.
        Smtp::from_url(raw).map_err(|_| {
            "is not a valid SMTP URL (smtp://host:port, smtp://user:pass@host:port?tls=required, smtps://host:port)"
                .to_owned()
        })?;
        let (scheme, rest) = raw.split_once("://").unwrap_or(("smtp", raw));
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        let host = host.split(['/', '?']).next().unwrap_or_default();
        Ok(SmtpUrl {
            raw: Secret(raw.to_owned()),
            display: format!("{scheme}://{host}"),
        })
    }
}

fn parse_public_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let scheme_ok = trimmed.starts_with("http://") || trimmed.starts_with("https://");
    let clean = !trimmed
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c));
    if scheme_ok && clean && trimmed.len() > "https://".len() {
        Ok(trimmed.to_owned())
    } else {
        Err("must be an http:// or https:// URL".into())
    }
}

fn parse_address(raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<lettre::Address>()
        .map(|address| address.to_string())
        .map_err(|_| "is not an email address".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_url_shows_no_credentials() {
        let url: Result<SmtpUrl, _> =
            "smtp://sam:hunter2hunter2@mail.example.com:2525?tls=required".parse();

        let shown = url.map(|u| format!("{u:?}"));

        assert_eq!(shown.as_deref(), Ok("smtp://mail.example.com:2525"));
    }

    #[test]
    fn secrets_are_redacted_and_bad_values_refused() {
        let secret: Result<Secret, _> = "0123456789abcdef0123456789abcdef".parse();

        assert_eq!(
            secret.map(|s| format!("{s:?}")).as_deref(),
            Ok("[redacted]")
        );
        assert!("short".parse::<Secret>().is_err());
        assert!("ftp://x".parse::<SmtpUrl>().is_err());
        assert!(parse_public_url("javascript:alert(1)").is_err());
        assert_eq!(
            parse_public_url("https://cs.example.com/").as_deref(),
            Ok("https://cs.example.com")
        );
        assert!(parse_address("not an address").is_err());
    }
}
