//! `TestApp`: a running server over a database of its own, and ways to talk to it.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{TimeZone, Utc};
use closeloop::clock::{Clock, ManualClock, SharedClock};
use closeloop::config::{
    DatabaseSettings, EmailSettings, JobSettings, LiveSettings, LogFormat, QueryLimits,
    ServerSettings,
};
use closeloop::email::worker::{DeliveryReport, Outbound, run_once};
use closeloop::entities::enums::MemberRole;
use closeloop::live::Publisher;
use closeloop::server::{Server, prepare_database};
use closeloop::values::{EmailAddress, Name};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// A server under test. Dropping it stops the server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// A token of the default workspace's admin.
    pub token: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub clock: Arc<ManualClock>,
    /// SQL statements executed since the last [`TestApp::reset_statements`].
    pub statements: Arc<AtomicUsize>,
    /// Email delivery as the server set it up; [`TestApp::deliver_outbox`] runs one pass.
    pub outbound: Outbound,
    /// The server's live event bus, to publish as a job would.
    pub publisher: Publisher,
    /// `sqlite://…` or the scratch PostgreSQL database's URL.
    pub database_url: String,
    _shutdown: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database made for this test, dropped with the app.
    _scratch_database: Option<ScratchDatabase>,
}

/// 2026-03-02 09:00 UTC, a Monday: the time every test starts at.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A server whose email settings `configure` adjusted. By default mail goes to `.eml`
    /// files in the test's own directory, links point at `https://closeloop.test`, and a send
    /// gives up after 3 seconds.
    pub async fn spawn_with(configure: impl FnOnce(&mut EmailSettings)) -> TestApp {
        TestApp::spawn_configured(configure, |_| {}).await
    }

    /// A server whose live-update settings `configure` adjusted.
    pub async fn spawn_with_live(configure: impl FnOnce(&mut LiveSettings)) -> TestApp {
        TestApp::spawn_configured(|_| {}, configure).await
    }

    async fn spawn_configured(
        email: impl FnOnce(&mut EmailSettings),
        live: impl FnOnce(&mut LiveSettings),
    ) -> TestApp {
        capture_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let scratch_database = ScratchDatabase::create().await;
        let url = match &scratch_database {
            Some(scratch) => scratch.url.clone(),
            None => format!("sqlite://{}", dir.path().join("closeloop.db").display()),
        };
        let settings = DatabaseSettings {
            url: url.clone(),
            max_connections: 8,
        };

        let mut db = closeloop::db::connect(&settings).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });

        let clock = Arc::new(ManualClock::new(start_time()));
        let shared: SharedClock = clock.clone();
        let token = prepare_database(&db, &shared)
            .await
            .expect("prepare")
            .expect("bootstrap token");

        let mut server_settings = test_server_settings(test_email_settings(&dir, email));
        live(&mut server_settings.live);
        let server = Server::build(db.clone(), &server_settings, shared)
            .await
            .expect("build");
        let outbound = server.state().outbound.clone();
        let publisher = server.state().publisher.clone();
        let (address, shutdown) = run_server(server);

        TestApp {
            address,
            token: token.secret,
            client: reqwest::Client::new(),
            db,
            clock,
            statements,
            outbound,
            publisher,
            database_url: url,
            _shutdown: shutdown,
            _dir: dir,
            _scratch_database: scratch_database,
        }
    }

    /// A second server process on the same PostgreSQL database, with its own connections
    /// and event bus; `None` on SQLite, which one process serves alone.
    pub async fn spawn_peer(&self) -> Option<PeerServer> {
        if !self.database_url.starts_with("postgres") {
            return None;
        }
        let settings = DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: 4,
        };
        let db = closeloop::db::connect(&settings)
            .await
            .expect("connect peer");
        let dir = tempfile::tempdir().expect("temp dir");
        let server_settings = test_server_settings(test_email_settings(&dir, |_| {}));
        let shared: SharedClock = self.clock.clone();
        let server = Server::build(db, &server_settings, shared)
            .await
            .expect("build peer");
        let (address, shutdown) = run_server(server);
        Some(PeerServer {
            address,
            _shutdown: shutdown,
            _dir: dir,
        })
    }

    /// `ws://127.0.0.1:PORT/graphql/ws`
    pub fn ws_url(&self) -> String {
        ws_url(&self.address)
    }

    /// Sends a GraphQL request with the admin token; returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(&self.token, query, variables).await
    }

    /// Sends a GraphQL request with the given token; returns the JSON body.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json body")
    }

    /// A token for a member with `role`, in the workspace named (created if missing).
    pub async fn token_for(&self, workspace: &str, email: &str, role: MemberRole) -> String {
        let workspace = Name::parse("workspace", workspace).expect("workspace name");
        let email = EmailAddress::parse("email", email).expect("email");
        closeloop::workspaces::service::issue_token_for(
            &self.db,
            workspace,
            email,
            role,
            self.clock.now(),
        )
        .await
        .expect("token")
        .secret
    }

    /// The fewest SQL statements `query` costs over a few runs, with the last body. A
    /// loader batch that a busy machine splits in two only adds statements, so the fewest
    /// is the query's real cost; an N+1 costs a statement per row on every run.
    pub async fn fewest_statements(&self, query: &str, variables: Value) -> (usize, Value) {
        let mut fewest = usize::MAX;
        let mut body = Value::Null;
        for _ in 0..3 {
            self.reset_statements();
            body = self.graphql(query, variables.clone()).await;
            fewest = fewest.min(self.statement_count());
        }
        (fewest, body)
    }

    /// Where mail goes when no SMTP server is configured.
    pub fn mail_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("mail")
    }

    /// One pass of the delivery worker, at the test clock's time.
    pub async fn deliver_outbox(&self) -> DeliveryReport {
        let clock: SharedClock = self.clock.clone();
        run_once(
            &self.db,
            &self.outbound.transport,
            &clock,
            &self.outbound.settings,
        )
        .await
        .expect("delivery pass")
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    pub fn statement_count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }
}

/// Another server process on the test's database (see [`TestApp::spawn_peer`]).
pub struct PeerServer {
    pub address: String,
    _shutdown: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl PeerServer {
    /// Sends a GraphQL request to this process.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json body")
    }
}

fn ws_url(http_address: &str) -> String {
    format!(
        "{}/graphql/ws",
        http_address.replacen("http://", "ws://", 1)
    )
}

/// Serves until the returned sender is dropped.
fn run_server(server: Server) -> (String, oneshot::Sender<()>) {
    let address = format!("http://{}", server.local_addr().expect("local addr"));
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    (address, shutdown)
}

/// The server settings of every test: sockets ping, time out and recheck tokens within
/// a second or two, and messages are capped at 4 KiB, so the protocol tests run fast.
fn test_server_settings(email: EmailSettings) -> ServerSettings {
    ServerSettings {
        addr: "127.0.0.1:0".parse().expect("addr"),
        introspection: true,
        field_suggestions: true,
        limits: QueryLimits::default(),
        log_format: LogFormat::Text,
        email,
        jobs: JobSettings::default(),
        live: LiveSettings {
            keepalive_secs: 1,
            init_timeout_secs: 1,
            auth_recheck_secs: 1,
            max_message_bytes: 4096,
            ..LiveSettings::default()
        },
    }
}

/// A fresh database on the PostgreSQL server that `TEST_DATABASE_URL` points at: each
/// test gets its own, so tests run in parallel, and it is dropped when the test ends.
struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    async fn create() -> Option<ScratchDatabase> {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"))?;
        let name = format!("closeloop_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        Some(ScratchDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await.ok()?;
                admin.execute_unprepared(&statement).await.ok()?;
                admin.close().await.ok()
            })
        });
        let _ = dropped.join();
    }
}

fn test_email_settings(
    dir: &tempfile::TempDir,
    configure: impl FnOnce(&mut EmailSettings),
) -> EmailSettings {
    let mut settings = EmailSettings {
        mail_dir: dir.path().join("mail"),
        public_url: "https://closeloop.test".to_owned(),
        send_timeout_secs: 3,
        ..EmailSettings::default()
    };
    configure(&mut settings);
    settings
}

/// Every log line of the test process, so tests can look for what the server logged.
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = LogBuffer(buffer.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn,sea_orm=warn")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    });
}

/// Whether any log line so far contains `needle`.
pub fn logs_contain(needle: &str) -> bool {
    LOGS.get()
        .map(|buffer| {
            let bytes = buffer.lock().unwrap_or_else(PoisonError::into_inner);
            String::from_utf8_lossy(&bytes).contains(needle)
        })
        .unwrap_or(false)
}

/// The `extensions.code` of the first error of a GraphQL response, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Panics with the whole body when a GraphQL response has errors; returns `data`.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    &body["data"]
}
