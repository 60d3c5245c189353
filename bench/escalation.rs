//! One escalation run over 1,000,000 tasks of which 100,000 are overdue (by 0 to 6 days, so
//! every level of the default policy is reached), against the floor: one hand-written SQL
//! `UPDATE` that sets the same levels and priorities and writes nothing else. Prints both
//! times and the process's peak resident memory.
//!
//! `cargo bench --bench escalation` (SQLite in a temporary directory). Optional:
//! `ESCALATION_BENCH_TASKS=100000` for fewer tasks (a tenth overdue),
//! `ESCALATION_BENCH_BATCH_SIZE=500` for another batch size than the server's default, and
//! `ESCALATION_BENCH_DATABASE_URL=postgres://…/db` (an empty database) for PostgreSQL.
//! The data is generated with set-based SQL; the run stops at 10 minutes whatever it reached.

#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at the first failed setup step"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use closeloop::clock::{SharedClock, SystemClock};
use closeloop::config::DatabaseSettings;
use closeloop::escalation::run::{self, RunOptions};
use closeloop::members::service::{self as members, NewMember};
use closeloop::values::{EmailAddress, Name};
use closeloop::{db, server, workspaces};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use uuid::Uuid;

const TIME_LIMIT: Duration = Duration::from_secs(600);
const PROJECTS: u64 = 1000;

#[tokio::main]
async fn main() {
    let tasks: u64 = std::env::var("ESCALATION_BENCH_TASKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = prepared_database(&dir).await;
    let backend = db.get_database_backend();
    let now = Utc::now();
    let workspace_id = seed(&db, tasks, now).await;
    println!(
        "escalation on {backend:?}: {tasks} tasks, {} overdue; peak RSS after seeding {} MiB",
        tasks / 10,
        peak_rss_mib()
    );

    let floor = timed(hand_written_update(&db, workspace_id, now)).await;
    reset(&db, workspace_id).await;
    let clock: SharedClock = Arc::new(SystemClock);
    let options = RunOptions {
        batch_size: std::env::var("ESCALATION_BENCH_BATCH_SIZE")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(run::DEFAULT_BATCH_SIZE),
        ..RunOptions::default()
    };
    let started = Instant::now();
    let run = tokio::time::timeout(
        TIME_LIMIT,
        run::run_now(&db, &clock, workspace_id, &options),
    )
    .await
    .expect("the run finished within the time limit")
    .expect("escalation run");
    let took = started.elapsed();

    println!("  floor (one UPDATE): {:.2} s", floor.as_secs_f64());
    println!(
        "  escalation run:     {:.2} s = {:.1}x the floor; counts {}",
        took.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64(),
        run.counts
    );
    println!("  peak RSS: {} MiB", peak_rss_mib());
}

async fn timed(work: impl Future<Output = ()>) -> Duration {
    let started = Instant::now();
    work.await;
    started.elapsed()
}

async fn prepared_database(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = std::env::var("ESCALATION_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let db = db::connect(&DatabaseSettings {
        url,
        max_connections: 4,
    })
    .await
    .expect("connect");
    let clock: SharedClock = Arc::new(SystemClock);
    server::prepare_database(&db, &clock)
        .await
        .expect("migrations");
    db
}

/// A CSM with a manager and a head of CS, one account, `PROJECTS` active detractor
/// projects and `tasks` open tasks spread over them; every tenth is overdue.
async fn seed(db: &DatabaseConnection, tasks: u64, now: DateTime<Utc>) -> Uuid {
    let name = Name::parse("name", workspaces::service::DEFAULT_WORKSPACE_NAME).expect("name");
    let workspace = workspaces::service::find_by_name(db, &name)
        .await
        .expect("query")
        .expect("workspace");
    let person = |email: &str, manager_id| NewMember {
        email: EmailAddress::parse("email", email).expect("email"),
        name: Name::parse("name", email).expect("name"),
        role: closeloop::entities::enums::MemberRole::Csm,
        manager_id,
    };
    let head = members::create(db, workspace.id, person("head@bench.io", None), now)
        .await
        .expect("head");
    let manager = members::create(db, workspace.id, person("manager@bench.io", None), now)
        .await
        .expect("manager");
    let csm = members::create(
        db,
        workspace.id,
        person("csm@bench.io", Some(manager.id)),
        now,
    )
    .await
    .expect("csm");
    let changes = workspaces::service::SettingsChanges {
        head_of_cs_id: Some(Some(head.id)),
        ..Default::default()
    };
    workspaces::service::update_settings(db, workspace.id, changes, now)
        .await
        .expect("head of CS");

    let account = Uuid::now_v7();
    execute(
        db,
        "INSERT INTO accounts (id, workspace_id, name, owner_id, created_at, updated_at) \
         VALUES ($1, $2, 'Bench account', $3, $4, $4)",
        vec![
            account.into(),
            workspace.id.into(),
            csm.id.into(),
            now.into(),
        ],
    )
    .await;
    let sequence = sequence(db.get_database_backend());
    execute(
        db,
        &format!(
            "INSERT INTO projects (id, workspace_id, account_id, kind, name, status, severity, \
             owner_id, starts_at, created_at, updated_at) \
             SELECT {}, $1, $2, 'nps_detractor', 'Recovery', 'active', 'normal', $3, $4, $4, $4 \
             FROM ({sequence}) seq",
            random_id(db.get_database_backend())
        ),
        vec![
            workspace.id.into(),
            account.into(),
            csm.id.into(),
            now.into(),
            (PROJECTS as i64).into(),
        ],
    )
    .await;
    generate_tasks(db, workspace.id, account, csm.id, tasks, now).await;
    workspace.id
}

/// `n` from 0 to `$5 - 1`.
fn sequence(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "SELECT generate_series(0, $5 - 1) AS n",
        _ => {
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < $5) \
              SELECT n FROM s"
        }
    }
}

/// A fresh id in the form the backend stores uuids in (sqlx binds them as 16-byte blobs on
/// SQLite).
fn random_id(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "gen_random_uuid()",
        _ => "randomblob(16)",
    }
}

/// Every tenth task is overdue by 0 to 6 days; the others are due in a month. The due times
/// are bound values, so both engines store them exactly as the application does.
async fn generate_tasks(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    account: Uuid,
    csm: Uuid,
    tasks: u64,
    now: DateTime<Utc>,
) {
    let backend = db.get_database_backend();
    let overdue: Vec<String> = (0..7)
        .map(|day| format!("WHEN {day} THEN ${}", day + 6))
        .collect();
    let sql = format!(
        "INSERT INTO tasks (id, workspace_id, account_id, project_id, title, assignee_id, status, \
         priority, due_at, escalation_level, position, created_at, updated_at) \
         SELECT {}, $1, $2, p.id, 'Call the customer back', $3, 'open', 'normal', \
         CASE WHEN seq.n % 10 = 0 THEN CASE (seq.n / 10) % 7 {} END ELSE $13 END, \
         0, 0, $4, $4 \
         FROM ({}) seq JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM projects) p \
         ON p.k = seq.n % {PROJECTS}",
        random_id(backend),
        overdue.join(" "),
        sequence(backend),
    );
    let mut values: Vec<Value> = vec![
        workspace_id.into(),
        account.into(),
        csm.into(),
        now.into(),
        (tasks as i64).into(),
    ];
    for day in 0..7 {
        values.push((now - chrono::Duration::days(day) - chrono::Duration::hours(1)).into());
    }
    values.push((now + chrono::Duration::days(30)).into());
    let started = Instant::now();
    execute(db, &sql, values).await;
    analyze(db).await;
    println!(
        "generated {tasks} tasks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The floor: one statement setting the level each overdue task ends at, and its priority.
async fn hand_written_update(db: &DatabaseConnection, workspace_id: Uuid, now: DateTime<Utc>) {
    let day = |n: i64| Value::from(now - chrono::Duration::days(n));
    execute(
        db,
        "UPDATE tasks SET \
         escalation_level = CASE WHEN due_at < $3 THEN 3 WHEN due_at < $4 THEN 2 ELSE 1 END, \
         priority = CASE WHEN due_at < $3 THEN 'urgent' WHEN due_at < $4 THEN 'high' \
         ELSE priority END, updated_at = $2 \
         WHERE workspace_id = $1 AND status IN ('open', 'in_progress', 'blocked') \
         AND escalation_level = 0 AND due_at < $2 \
         AND project_id IN (SELECT id FROM projects WHERE workspace_id = $1 \
         AND kind = 'nps_detractor' AND status = 'active')",
        vec![workspace_id.into(), now.into(), day(5), day(2)],
    )
    .await;
}

async fn reset(db: &DatabaseConnection, workspace_id: Uuid) {
    execute(
        db,
        "UPDATE tasks SET escalation_level = 0, priority = 'normal' \
         WHERE workspace_id = $1 AND escalation_level > 0",
        vec![workspace_id.into()],
    )
    .await;
    analyze(db).await;
}

/// Statistics for every table, as autovacuum keeps them on a live database.
async fn analyze(db: &DatabaseConnection) {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(sql).await.expect("analyze");
}

async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    let backend = db.get_database_backend();
    // `?N` is SQLite's own spelling of a numbered parameter.
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    db.execute_raw(Statement::from_sql_and_values(backend, &sql, values))
        .await
        .expect(&sql);
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
