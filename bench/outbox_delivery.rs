//! Outbox delivery rate: 10,000 customer emails queued, then delivered by the worker to a
//! local SMTP sink (mailin-embedded on 127.0.0.1), once with pooled SMTP connections and
//! once with a new connection per email. Prints emails per second for each.
//!
//! `cargo bench --bench outbox_delivery` (SQLite in a temporary directory). Optional:
//! `OUTBOX_BENCH_EMAILS=2000` for fewer emails, `OUTBOX_BENCH_DATABASE_URL=postgres://…/db`
//! (an empty database) for PostgreSQL. Each run stops after 5 minutes whatever it reached.

#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at the first failed setup step"
)]

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use closeloop::clock::{SharedClock, SystemClock};
use closeloop::config::{DatabaseSettings, EmailSettings};
use closeloop::email::outbox::{self, OutgoingEmail, Recipient};
use closeloop::email::templates::TemplateKey;
use closeloop::email::worker::{Outbound, run_once};
use closeloop::entities::enums::ContactRole;
use closeloop::values::{EmailAddress, Name};
use closeloop::{accounts, contacts, db, server, workspaces};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use sea_orm::DatabaseConnection;
use serde_json::json;

const TIME_LIMIT: Duration = Duration::from_secs(300);
const CONTACTS: usize = 50;

#[tokio::main]
async fn main() {
    let emails = std::env::var("OUTBOX_BENCH_EMAILS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let received = Arc::new(AtomicUsize::new(0));
    let sink = start_sink(received.clone());
    println!("outbox delivery: {emails} customer emails to an SMTP sink on {sink}");

    for (label, pool_max_size) in [("pooled", 4), ("no pooling", 0)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = prepared_database(&dir).await;
        queue(&db, emails).await;
        let settings = EmailSettings {
            smtp_url: Some(format!("smtp://{sink}").parse().expect("sink URL")),
            pool_max_size,
            ..EmailSettings::default()
        };
        let before = received.load(Ordering::SeqCst);
        let (sent, took) = deliver(&db, &settings, emails).await;
        let arrived = received.load(Ordering::SeqCst) - before;
        let rate = sent as f64 / took.as_secs_f64();
        println!(
            "{label:>10}: {sent} sent ({arrived} received) in {:.1} s = {rate:.0} emails/s",
            took.as_secs_f64()
        );
    }
}

/// Runs delivery passes until `emails` are sent or the time limit passes.
async fn deliver(
    db: &DatabaseConnection,
    settings: &EmailSettings,
    emails: usize,
) -> (usize, Duration) {
    let clock: SharedClock = Arc::new(SystemClock);
    let outbound = Outbound::from_settings(db, settings, clock.now())
        .await
        .expect("outbound");
    let started = Instant::now();
    let mut sent = 0;
    while sent < emails && started.elapsed() < TIME_LIMIT {
        let report = run_once(db, &outbound.transport, &clock, &outbound.settings)
            .await
            .expect("delivery pass");
        sent += report.sent;
        if report.total() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let took = started.elapsed();
    outbound.transport.shutdown().await;
    (sent, took)
}

async fn prepared_database(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = std::env::var("OUTBOX_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let db = db::connect(&DatabaseSettings {
        url,
        max_connections: 8,
    })
    .await
    .expect("connect");
    let clock: SharedClock = Arc::new(SystemClock);
    server::prepare_database(&db, &clock)
        .await
        .expect("migrations");
    db
}

/// Queues `emails` thank-yous to `CONTACTS` contacts of one account, in one transaction,
/// with the per-contact cap off.
async fn queue(db: &DatabaseConnection, emails: usize) {
    let now = Utc::now();
    let name = Name::parse("name", workspaces::service::DEFAULT_WORKSPACE_NAME).expect("name");
    let workspace = workspaces::service::find_by_name(db, &name)
        .await
        .expect("query")
        .expect("workspace");
    let no_cap = workspaces::service::SettingsChanges {
        contact_email_cap_days: Some(0),
        ..Default::default()
    };
    workspaces::service::update_settings(db, workspace.id, no_cap, now)
        .await
        .expect("settings");
    let admin =
        EmailAddress::parse("email", workspaces::service::DEFAULT_ADMIN_EMAIL).expect("email");
    let csm = closeloop::members::service::find_by_email(db, workspace.id, &admin)
        .await
        .expect("query")
        .expect("admin");

    let txn = db::begin_write(db).await.expect("transaction");
    let account = accounts::service::NewAccount {
        name: Name::parse("name", "Initech").expect("name"),
        external_id: None,
        owner_id: Some(csm.id),
        mrr_cents: None,
        segment: None,
    };
    let account = accounts::service::create(&txn, workspace.id, None, account, now)
        .await
        .expect("account");
    let mut contact_ids = Vec::with_capacity(CONTACTS);
    for n in 0..CONTACTS {
        let contact = contacts::service::NewContact {
            account_id: account.id,
            email: EmailAddress::parse("email", &format!("contact{n}@initech.io")).expect("email"),
            name: Name::parse("name", &format!("Contact {n}")).ok(),
            role: ContactRole::User,
        };
        contact_ids.push(
            contacts::service::create(&txn, workspace.id, None, contact, now)
                .await
                .expect("contact")
                .id,
        );
    }
    for n in 0..emails {
        let email = OutgoingEmail {
            workspace_id: workspace.id,
            idempotency_key: format!("bench-{n}"),
            template: TemplateKey::PromoterThankYou,
            recipient: Recipient::Contact(contact_ids[n % CONTACTS]),
            sender_member_id: Some(csm.id),
            account_id: None,
            context: json!({ "response": { "score": 10, "comment": "Great support" } }),
            hold_for_review: false,
        };
        outbox::enqueue(&txn, email, now).await.expect("enqueue");
    }
    txn.commit().await.expect("commit");
}

/// mailin-embedded on an ephemeral loopback port, counting what it receives.
fn start_sink(received: Arc<AtomicUsize>) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("sink port");
    let addr = listener.local_addr().expect("sink address");
    let mut server = Server::new(Counter(received));
    server
        .with_name("sink.bench")
        .with_num_threads(16)
        .with_tcp_listener(listener);
    server.with_ssl(SslConfig::None).expect("no TLS");
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    addr
}

#[derive(Clone)]
struct Counter(Arc<AtomicUsize>);

impl Handler for Counter {
    fn data(&mut self, _buf: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}
