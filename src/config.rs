//! Settings, read from flags or environment variables and checked at start-up, so that a
//! bad value stops the process before it serves anything.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

pub use crate::email::settings::{EmailSettings, Secret, SmtpUrl};
pub use crate::jobs::settings::JobSettings;
pub use crate::live::settings::LiveSettings;

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` (created if missing) or `postgres://user@host:port/db`.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://closeloop.db",
        global = true,
        hide_env_values = true
    )]
    pub url: String,

    /// Connections in the pool. On 2 cores more connections are not faster.
    #[arg(
        long = "db-max-connections",
        env = "CLOSELOOP_DB_MAX_CONNECTIONS",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..=256),
        global = true
    )]
    pub max_connections: u32,
}

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// Fails fast on a URL that names no engine Closeloop supports.
    pub fn validate(&self) -> anyhow::Result<()> {
        let supported = ["sqlite:", "postgres://", "postgresql://"];
        if supported.iter().any(|prefix| self.url.starts_with(prefix)) {
            Ok(())
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite: or postgres:// (got another scheme)"
            )
        }
    }
}

/// How the HTTP server and the GraphQL executor behave.
#[derive(Debug, Clone, Args)]
pub struct ServerSettings {
    /// Address to listen on.
    #[arg(long, env = "CLOSELOOP_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Whether clients may introspect the schema (GraphiQL needs it).
    #[arg(long, env = "CLOSELOOP_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Whether validation errors suggest similar field names.
    #[arg(long, env = "CLOSELOOP_FIELD_SUGGESTIONS", default_value_t = true, action = clap::ArgAction::Set)]
    pub field_suggestions: bool,

    #[command(flatten)]
    pub limits: QueryLimits,

    /// Log lines as human-readable text or as JSON objects.
    #[arg(long, env = "CLOSELOOP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub email: EmailSettings,

    #[command(flatten)]
    pub jobs: JobSettings,

    #[command(flatten)]
    pub live: LiveSettings,
}

/// What `closeloop worker` needs: the scheduled jobs and email delivery, no HTTP.
#[derive(Debug, Clone, Args)]
pub struct WorkerSettings {
    /// Log lines as human-readable text or as JSON objects.
    #[arg(long, env = "CLOSELOOP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub email: EmailSettings,

    #[command(flatten)]
    pub jobs: JobSettings,
}

/// Bounds on what one request may ask of the server.
#[derive(Debug, Clone, Args)]
pub struct QueryLimits {
    /// Deepest selection nesting accepted.
    #[arg(
        long = "max-query-depth",
        env = "CLOSELOOP_MAX_QUERY_DEPTH",
        default_value_t = 12
    )]
    pub depth: usize,

    /// Highest query cost accepted; a list costs its page size times its children.
    #[arg(
        long = "max-query-complexity",
        env = "CLOSELOOP_MAX_QUERY_COMPLEXITY",
        default_value_t = 20_000
    )]
    pub complexity: usize,

    /// Most operations in one batched request.
    #[arg(
        long = "max-batch-size",
        env = "CLOSELOOP_MAX_BATCH_SIZE",
        default_value_t = 10
    )]
    pub batch_size: usize,

    /// Most directives on one field.
    #[arg(
        long = "max-directives",
        env = "CLOSELOOP_MAX_DIRECTIVES",
        default_value_t = 8
    )]
    pub directives: usize,

    /// Largest request body, in bytes: 4 MiB carries a bulk import of 10,000 responses.
    #[arg(long = "max-body-bytes", env = "CLOSELOOP_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub body_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            depth: 12,
            complexity: 20_000,
            batch_size: 10,
            directives: 8,
            body_bytes: 4 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}
