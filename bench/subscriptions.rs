//! Subscription fan-out: N WebSocket subscribers (1,000 then 10,000) on one server process,
//! all watching one task; a mutation changes it, and the time until the last subscriber
//! has the event is measured over a bounded number of mutations (p50, p99). Also prints
//! the server's resident memory per connection (RSS growth over the idle server, divided
//! by N) and the mutation's own round trip, which the fan-out time includes.
//!
//! `cargo bench --bench subscriptions`. The server runs as its own process (the release
//! `closeloop` binary over SQLite in a temporary directory, on 127.0.0.1), so its memory is
//! not mixed with the clients'. Each process holds one descriptor per socket: 10,000
//! subscribers need `ulimit -n` above 10,100. Optional: `SUBS_BENCH_COUNTS=1000,5000`,
//! `SUBS_BENCH_MUTATIONS=20`. Each size stops after 5 minutes whatever it reached.

#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at the first failed setup step"
)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use closeloop::clock::{SharedClock, SystemClock};
use closeloop::config::DatabaseSettings;
use closeloop::{db, server};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const TIME_LIMIT: Duration = Duration::from_secs(300);
const CONNECT_CONCURRENCY: usize = 100;

#[tokio::main]
async fn main() {
    let counts = env_list("SUBS_BENCH_COUNTS", &[1_000, 10_000]);
    let mutations = env_list("SUBS_BENCH_MUTATIONS", &[20])[0];
    for count in counts {
        let dir = tempfile::tempdir().expect("temp dir");
        let (token, url) = prepared_database(&dir).await;
        let server = ServerProcess::start(&url);
        let report = run(&server, &token, count, mutations).await;
        println!("{count:>6} subscribers: {report}");
    }
}

/// Connects `count` subscribers, then times `mutations` changes of the task.
async fn run(server: &ServerProcess, token: &str, count: usize, mutations: usize) -> String {
    let http = reqwest::Client::new();
    let task_id = create_task(&http, &server.http, token).await;
    let idle_rss = server.rss_kib();
    let arrivals = Arc::new(Arrivals::new(count));
    let started = Instant::now();
    connect_all(server, token, count, &arrivals).await;

    // Changes until one reaches every subscriber prove they all listen; they are not
    // timed (a subscribe is answered by nothing, so there is no other way to know).
    // Each title differs from the last: an update that changes nothing announces nothing.
    let mut listening = false;
    let mut warm_up = 0;
    while !listening && started.elapsed() < TIME_LIMIT {
        arrivals.reset();
        warm_up += 1;
        change(
            &http,
            &server.http,
            token,
            &task_id,
            &format!("Warm-up {warm_up}"),
        )
        .await;
        listening = arrivals.wait(Duration::from_secs(5)).await;
    }
    if !listening {
        let seen = arrivals.seen();
        return format!("only {seen} of {count} subscribers listening after the time limit");
    }
    let per_connection = server.rss_kib().saturating_sub(idle_rss) as f64 / count as f64;

    let mut fan_out = Vec::with_capacity(mutations);
    let mut round_trips = Vec::with_capacity(mutations);
    for round in 1..=mutations {
        if started.elapsed() > TIME_LIMIT {
            break;
        }
        arrivals.reset();
        let sent = Instant::now();
        change(
            &http,
            &server.http,
            token,
            &task_id,
            &format!("Round {round}"),
        )
        .await;
        round_trips.push(sent.elapsed());
        if !arrivals.wait(Duration::from_secs(30)).await {
            return format!(
                "round {round}: only {} of {count} events arrived",
                arrivals.seen()
            );
        }
        fan_out.push(arrivals.last_at().saturating_duration_since(sent));
    }
    format!(
        "last subscriber has the event after p50 {:.1} ms, p99 {:.1} ms ({} mutations; the mutation's own round trip p50 {:.1} ms); server memory {per_connection:.1} KiB per connection",
        millis(percentile(&mut fan_out, 50)),
        millis(percentile(&mut fan_out, 99)),
        fan_out.len(),
        millis(percentile(&mut round_trips, 50)),
    )
}

/// Counts the subscribers that have this round's event, and when the last one got it.
struct Arrivals {
    expected: usize,
    seen: AtomicUsize,
    last: std::sync::Mutex<Instant>,
    all: Notify,
}

impl Arrivals {
    fn new(expected: usize) -> Self {
        Arrivals {
            expected,
            seen: AtomicUsize::new(0),
            last: std::sync::Mutex::new(Instant::now()),
            all: Notify::new(),
        }
    }

    fn arrived(&self) {
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.expected {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
            self.all.notify_one();
        }
    }

    fn reset(&self) {
        self.seen.store(0, Ordering::SeqCst);
    }

    fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    fn last_at(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn wait(&self, patience: Duration) -> bool {
        tokio::time::timeout(patience, self.all.notified())
            .await
            .is_ok()
            || self.seen() >= self.expected
    }
}

async fn connect_all(server: &ServerProcess, token: &str, count: usize, arrivals: &Arc<Arrivals>) {
    let ws = format!("{}/graphql/ws", server.http.replacen("http://", "ws://", 1));
    futures::stream::iter(0..count)
        .for_each_concurrent(CONNECT_CONCURRENCY, |_| {
            let (ws, arrivals) = (ws.clone(), arrivals.clone());
            async move { subscribe(&ws, token, arrivals).await }
        })
        .await;
}

/// Opens one subscriber and leaves a task reading its events.
async fn subscribe(url: &str, token: &str, arrivals: Arc<Arrivals>) {
    let mut request = url.into_client_request().expect("ws request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket upgrade");
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": {
        "query": "subscription { taskChanged { id title } }",
    }});
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .expect("init");
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .expect("subscribe");
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message
                && text.contains("\"next\"")
            {
                arrivals.arrived();
            }
        }
    });
}

async fn create_task(http: &reqwest::Client, base: &str, token: &str) -> String {
    let account = graphql(
        http,
        base,
        token,
        "mutation { createAccount(input: { name: \"Initech\" }) { id } }",
        json!({}),
    )
    .await;
    let account_id = account["data"]["createAccount"]["id"].clone();
    let task = graphql(
        http,
        base,
        token,
        "mutation($a: ID!) { createTask(input: { accountId: $a, title: \"Round 0\" }) { id } }",
        json!({ "a": account_id }),
    )
    .await;
    task["data"]["createTask"]["id"]
        .as_str()
        .expect("task id")
        .to_owned()
}

async fn change(http: &reqwest::Client, base: &str, token: &str, task_id: &str, title: &str) {
    let body = graphql(
        http,
        base,
        token,
        "mutation($id: ID!, $t: String!) { updateTask(id: $id, input: { title: $t }) { id } }",
        json!({ "id": task_id, "t": title }),
    )
    .await;
    assert!(body.get("errors").is_none(), "mutation failed: {body}");
}

async fn graphql(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    http.post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// Migrates a fresh SQLite database and returns its admin token and URL.
async fn prepared_database(dir: &tempfile::TempDir) -> (String, String) {
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let settings = DatabaseSettings {
        url: url.clone(),
        max_connections: 2,
    };
    let db = db::connect(&settings).await.expect("connect");
    let clock: SharedClock = Arc::new(SystemClock);
    let token = server::prepare_database(&db, &clock)
        .await
        .expect("migrations")
        .expect("bootstrap token");
    db.close().await.expect("close");
    (token.secret, url)
}

/// The server under test, as its own process; killed when dropped.
struct ServerProcess {
    child: Child,
    http: String,
}

impl ServerProcess {
    fn start(database_url: &str) -> ServerProcess {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_closeloop"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("CLOSELOOP_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "CLOSELOOP_MAIL_DIR",
                std::env::temp_dir().join("closeloop-bench-mail"),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let server = ServerProcess {
            child,
            http: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(self.http.trim_start_matches("http://")).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not start within 30 s");
    }

    /// The server's resident memory, from /proc.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let rank = (samples.len() * p).div_ceil(100).clamp(1, samples.len());
    samples[rank - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|value| {
            value
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .filter(|list: &Vec<usize>| !list.is_empty())
        .unwrap_or_else(|| default.to_vec())
}
