//! NPS ingestion rate: 100,000 responses from 15,000 contacts of 5,000 accounts (about
//! half promoters, a third passives, the rest detractors) sent through the
//! `importNpsResponses` mutation over HTTP in 10 calls of 10,000, with playbooks on; then,
//! on PostgreSQL, the same rows loaded by `COPY ... FROM STDIN` into `nps_responses` as
//! the floor. Prints responses per second for each and the ratio to `COPY`.
//!
//! `cargo bench --bench ingest` (SQLite in a temporary directory). Optional:
//! `INGEST_BENCH_DATABASE_URL=postgres://…/db` (an empty database) for PostgreSQL, and
//! `INGEST_BENCH_RESPONSES=20000` for fewer responses, `INGEST_BENCH_CALL_ROWS=1000` for
//! smaller calls (a call must finish within the server's 60 s request timeout). The run
//! stops after 10 minutes whatever it reached.

#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at the first failed setup step"
)]

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use closeloop::clock::{SharedClock, SystemClock};
use closeloop::config::{
    DatabaseSettings, EmailSettings, JobSettings, LiveSettings, LogFormat, QueryLimits,
    ServerSettings,
};
use closeloop::entities::enums::ContactRole;
use closeloop::entities::{account, contact};
use closeloop::server::{Server, prepare_database};
use closeloop::values::Name;
use closeloop::{db, workspaces};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

const ACCOUNTS: usize = 5_000;
const CONTACTS_PER_ACCOUNT: usize = 3;
const CALL_ROWS: usize = 10_000;
const TIME_LIMIT: Duration = Duration::from_secs(600);
const IMPORT: &str = "mutation($rows: [NpsResponseInput!]!) { importNpsResponses(rows: $rows) { stored duplicates invalid } }";

#[tokio::main]
async fn main() {
    let responses = std::env::var("INGEST_BENCH_RESPONSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("INGEST_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let engine = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "NPS ingestion on {engine}: {responses} responses, {ACCOUNTS} accounts, {} contacts",
        ACCOUNTS * CONTACTS_PER_ACCOUNT
    );

    let (db, address, token) = start(&url, &dir).await;
    let workspace_id = seed(&db).await;
    let rows = rows(responses);

    let (stored, took) = import(&address, &token, &rows).await;
    let rate = stored as f64 / took.as_secs_f64();
    println!(
        "  importNpsResponses over HTTP, playbooks on: {stored} stored in {:.1} s = {rate:.0} responses/s",
        took.as_secs_f64()
    );

    if db.get_database_backend() == DbBackend::Postgres {
        let (copied, took) = copy(&db, workspace_id, &rows).await;
        let floor = copied as f64 / took.as_secs_f64();
        println!(
            "  COPY FROM STDIN: {copied} rows in {:.1} s = {floor:.0} responses/s",
            took.as_secs_f64()
        );
        println!("  import / COPY = {:.2} (target ≥ 0.25)", rate / floor);
    }
}

/// A server on an ephemeral loopback port over the database; returns its address and the
/// bootstrap admin token.
async fn start(url: &str, dir: &tempfile::TempDir) -> (DatabaseConnection, String, String) {
    let settings = DatabaseSettings {
        url: url.to_owned(),
        max_connections: 8,
    };
    let db = db::connect(&settings).await.expect("connect");
    let clock: SharedClock = Arc::new(SystemClock);
    let token = prepare_database(&db, &clock)
        .await
        .expect("migrations")
        .expect("an empty database (the bootstrap token)");
    let server_settings = ServerSettings {
        addr: "127.0.0.1:0".parse().expect("addr"),
        introspection: true,
        field_suggestions: true,
        limits: QueryLimits::default(),
        log_format: LogFormat::Text,
        email: EmailSettings {
            mail_dir: dir.path().join("mail"),
            ..EmailSettings::default()
        },
        jobs: JobSettings::default(),
        live: LiveSettings::default(),
    };
    let server = Server::build(db.clone(), &server_settings, clock)
        .await
        .expect("build");
    let address = format!("http://{}", server.local_addr().expect("address"));
    tokio::spawn(server.run(std::future::pending()));
    (db, address, token.secret)
}

/// Accounts `acct-N` and contacts `cN-M@accountN.example`, inserted in bulk.
async fn seed(db: &DatabaseConnection) -> Uuid {
    let name = Name::parse("name", workspaces::service::DEFAULT_WORKSPACE_NAME).expect("name");
    let workspace = workspaces::service::find_by_name(db, &name)
        .await
        .expect("query")
        .expect("workspace");
    let now = Utc::now();
    for chunk in (0..ACCOUNTS).collect::<Vec<_>>().chunks(1_000) {
        let accounts: Vec<account::Model> = chunk
            .iter()
            .map(|n| account_row(workspace.id, *n, now))
            .collect();
        let contacts: Vec<contact::ActiveModel> = accounts
            .iter()
            .enumerate()
            .flat_map(|(i, a)| (0..CONTACTS_PER_ACCOUNT).map(move |m| (chunk[i], m, a.id)))
            .map(|(n, m, account_id)| contact_row(workspace.id, account_id, n, m, now).into())
            .collect();
        let accounts: Vec<account::ActiveModel> = accounts.into_iter().map(Into::into).collect();
        account::Entity::insert_many(accounts)
            .exec_without_returning(db)
            .await
            .expect("accounts");
        contact::Entity::insert_many(contacts)
            .exec_without_returning(db)
            .await
            .expect("contacts");
    }
    workspace.id
}

fn account_row(workspace_id: Uuid, n: usize, now: DateTime<Utc>) -> account::Model {
    account::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name: format!("Account {n}"),
        external_id: Some(format!("acct-{n}")),
        owner_id: None,
        mrr_cents: Some(50_000),
        segment: None,
        created_at: now,
        updated_at: now,
    }
}

fn contact_row(
    workspace_id: Uuid,
    account_id: Uuid,
    n: usize,
    m: usize,
    now: DateTime<Utc>,
) -> contact::Model {
    contact::Model {
        id: Uuid::now_v7(),
        workspace_id,
        account_id,
        email: format!("c{m}@account{n}.example"),
        name: None,
        role: [ContactRole::Admin, ContactRole::Champion, ContactRole::User][m],
        unsubscribed_at: None,
        bounced_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// One row per response: a deterministic spread over contacts, scores and the last year.
fn rows(responses: usize) -> Vec<Value> {
    let start = Utc::now() - chrono::Duration::days(365);
    (0..responses)
        .map(|i| {
            let account = (i * 7919) % ACCOUNTS;
            let contact = (i / ACCOUNTS) % CONTACTS_PER_ACCOUNT;
            let score = [10, 9, 9, 10, 8, 7, 8, 3, 6, 9, 10, 0, 7, 5, 9][i % 15];
            let at = start + chrono::Duration::minutes((i * 5) as i64);
            json!({
                "externalId": format!("bench-{i}"),
                "contactEmail": format!("c{contact}@account{account}.example"),
                "accountExternalId": format!("acct-{account}"),
                "score": score,
                "comment": if i % 3 == 0 { Value::from("The onboarding was slow") } else { Value::Null },
                "respondedAt": at.to_rfc3339(),
                "survey": "Quarterly NPS",
                "channel": "email",
            })
        })
        .collect()
}

/// Sends the rows in calls of `CALL_ROWS`; returns how many were stored and how long it took.
async fn import(address: &str, token: &str, rows: &[Value]) -> (usize, Duration) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .expect("client");
    let started = Instant::now();
    let mut stored = 0;
    let call_rows = std::env::var("INGEST_BENCH_CALL_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CALL_ROWS);
    for call in rows.chunks(call_rows) {
        if started.elapsed() > TIME_LIMIT {
            println!("  time limit reached");
            break;
        }
        let answer = client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": IMPORT, "variables": { "rows": call } }))
            .send()
            .await
            .expect("request");
        let status = answer.status();
        let Ok(body) = answer.json::<Value>().await else {
            println!(
                "  a call of {} rows was answered {status} without a body",
                call.len()
            );
            break;
        };
        let payload = &body["data"]["importNpsResponses"];
        assert_eq!(payload["invalid"], 0, "{body}");
        stored += payload["stored"].as_u64().unwrap_or(0) as usize;
    }
    (stored, started.elapsed())
}

/// Empties `nps_responses`, then loads the same rows (ids, contacts, categories resolved
/// beforehand) with `COPY`; returns the rows copied and the time `COPY` took.
async fn copy(db: &DatabaseConnection, workspace_id: Uuid, rows: &[Value]) -> (u64, Duration) {
    let contacts = contact::Entity::find().all(db).await.expect("contacts");
    let by_email: std::collections::HashMap<String, &contact::Model> =
        contacts.iter().map(|c| (c.email.clone(), c)).collect();
    let now = Utc::now().to_rfc3339();
    let mut csv = String::new();
    for row in rows {
        let contact = by_email[row["contactEmail"].as_str().unwrap_or_default()];
        let score = row["score"].as_i64().unwrap_or(0);
        let category = match score {
            0..=6 => "detractor",
            7 | 8 => "passive",
            _ => "promoter",
        };
        let comment = row["comment"].as_str().unwrap_or("");
        let _ = writeln!(
            csv,
            "{},{workspace_id},{},{},{score},{comment},{category},{},{},Quarterly NPS,email,{now}",
            Uuid::now_v7(),
            contact.id,
            contact.account_id,
            row["respondedAt"].as_str().unwrap_or_default(),
            row["externalId"].as_str().unwrap_or_default(),
        );
    }
    db.execute_unprepared("DELETE FROM nps_responses")
        .await
        .expect("empty the table");

    let pool = db.get_postgres_connection_pool();
    let mut conn = pool.acquire().await.expect("connection");
    let started = Instant::now();
    let mut copy_in = conn
        .copy_in_raw("COPY nps_responses (id, workspace_id, contact_id, account_id, score, comment, category, responded_at, external_id, survey, channel, created_at) FROM STDIN WITH (FORMAT csv)")
        .await
        .expect("copy");
    copy_in.send(csv.into_bytes()).await.expect("send");
    let copied = copy_in.finish().await.expect("finish");
    (copied, started.elapsed())
}
