//! Settings of the subscription endpoint: who may open a socket, how long a client may
//! take to introduce itself, how often the server pings, how big a message may be, and how
//! far a subscriber may fall behind.

use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;

pub const DEFAULT_KEEPALIVE_SECS: u64 = 15;
pub const DEFAULT_INIT_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_AUTH_RECHECK_SECS: u64 = 30;
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024;
pub const DEFAULT_BUFFER: usize = 1024;

/// How the WebSocket endpoint and the event bus behave.
#[derive(Debug, Clone, Args)]
pub struct LiveSettings {
    /// Browser origins allowed to open a subscription socket, comma-separated
    /// (`https://app.example.com`), or `*` for any. Same-origin pages and clients that send
    /// no `Origin` (servers, scripts) are always allowed; other origins get 403.
    #[arg(
        long = "ws-allowed-origins",
        env = "CLOSELOOP_WS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Seconds between the server's keep-alive pings; at most 30, since proxies commonly
    /// drop a socket idle for 60.
    #[arg(long = "ws-keepalive-secs", env = "CLOSELOOP_WS_KEEPALIVE_SECS", default_value_t = DEFAULT_KEEPALIVE_SECS,
        value_parser = clap::value_parser!(u64).range(1..=30))]
    pub keepalive_secs: u64,

    /// Seconds a new socket has to send `connection_init` before it is closed with 4408.
    #[arg(long = "ws-init-timeout-secs", env = "CLOSELOOP_WS_INIT_TIMEOUT_SECS", default_value_t = DEFAULT_INIT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=300))]
    pub init_timeout_secs: u64,

    /// Seconds between checks that a socket's token is still valid; a revoked token's
    /// socket is closed with 4403 at the next check.
    #[arg(long = "ws-auth-recheck-secs", env = "CLOSELOOP_WS_AUTH_RECHECK_SECS", default_value_t = DEFAULT_AUTH_RECHECK_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub auth_recheck_secs: u64,

    /// Largest message a client may send, in bytes; a bigger one closes the socket with
    /// 1009 (message too big).
    #[arg(long = "ws-max-message-bytes", env = "CLOSELOOP_WS_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_MAX_MESSAGE_BYTES,
        value_parser = clap::value_parser!(u32).range(256..=16_777_216).map(|n| n as usize))]
    pub max_message_bytes: usize,

    /// Events a subscriber may fall behind before it is told it missed some.
    #[arg(long = "live-buffer", env = "CLOSELOOP_LIVE_BUFFER", default_value_t = DEFAULT_BUFFER,
        value_parser = clap::value_parser!(u32).range(16..=1_048_576).map(|n| n as usize))]
    pub buffer: usize,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            allowed_origins: Vec::new(),
            keepalive_secs: DEFAULT_KEEPALIVE_SECS,
            init_timeout_secs: DEFAULT_INIT_TIMEOUT_SECS,
            auth_recheck_secs: DEFAULT_AUTH_RECHECK_SECS,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            buffer: DEFAULT_BUFFER,
        }
    }
}

impl LiveSettings {
    pub fn keepalive(&self) -> Duration {
        Duration::from_secs(self.keepalive_secs)
    }

    pub fn init_timeout(&self) -> Duration {
        Duration::from_secs(self.init_timeout_secs)
    }

    pub fn auth_recheck(&self) -> Duration {
        Duration::from_secs(self.auth_recheck_secs)
    }

    /// Whether a browser page from `origin` may open a socket to a server reached as `host`.
    pub fn allows_origin(&self, origin: &str, host: Option<&str>) -> bool {
        let same_origin = host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
        });
        same_origin
            || self
                .allowed_origins
                .iter()
                .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(origin))
    }
}
