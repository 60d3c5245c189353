//! The migrations must apply, roll back completely and apply again, on SQLite and PostgreSQL
//! alike, or a fresh install and a `down` on either engine will break.

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr};

/// Every table of docs/data-model.md.
const TABLES: [&str; 27] = [
    "workspaces",
    "team_members",
    "api_tokens",
    "accounts",
    "contacts",
    "nps_responses",
    "project_templates",
    "template_milestones",
    "template_tasks",
    "projects",
    "milestones",
    "tasks",
    "activities",
    "notes",
    "conversations",
    "playbooks",
    "email_outbox",
    "job_runs",
    "email_templates",
    "instance_secrets",
    "webhook_secrets",
    "playbook_runs",
    "playbook_snoozes",
    "escalation_notices",
    "follow_ups",
    "sla_settings",
    "sla_clocks",
];

#[tokio::test]
async fn migrations_run_up_down_and_up_again_on_sqlite() -> Result<(), DbErr> {
    let path = std::env::temp_dir().join(format!("closeloop-migrations-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let db = Database::connect(format!("sqlite://{}?mode=rwc", path.display())).await?;

    run_up_down_and_up_again(&db).await?;

    db.close().await?;
    let _ = std::fs::remove_file(&path);
    Ok(())
}

#[tokio::test]
async fn migrations_run_up_down_and_up_again_on_postgres() -> Result<(), DbErr> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        println!("TEST_DATABASE_URL is not set; skipping the PostgreSQL migration test");
        return Ok(());
    };
    let name = format!("migration_check_{}", std::process::id());
    let admin = Database::connect(&admin_url).await?;
    admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}""#))
        .await?;
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await?;
    let db = Database::connect(with_database(&admin_url, &name)).await?;

    let outcome = run_up_down_and_up_again(&db).await;

    db.close().await?;
    admin
        .execute_unprepared(&format!(r#"DROP DATABASE "{name}""#))
        .await?;
    outcome
}

/// Columns a later migration adds to earlier tables: `down` must take them away again.
const ADDED_COLUMNS: [(&str, &str); 6] = [
    ("workspaces", "contact_email_cap_days"),
    ("workspaces", "review_window_minutes"),
    ("contacts", "bounced_at"),
    ("email_outbox", "sender_id"),
    ("workspaces", "follow_up_delay_days"),
    ("nps_responses", "follows_project_id"),
];

async fn run_up_down_and_up_again(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    assert_eq!(existing_tables(db).await?, TABLES, "after the first up");
    assert_eq!(
        existing_added_columns(db).await?.len(),
        ADDED_COLUMNS.len(),
        "after the first up"
    );

    Migrator::down(db, Some(steps_back_to("000007_email"))).await?;
    assert!(
        !SchemaManager::new(db)
            .has_table("escalation_notices")
            .await?,
        "after the escalation migration's down"
    );
    assert!(
        !SchemaManager::new(db).has_table("sla_clocks").await?,
        "after the SLA migration's down"
    );
    assert!(
        existing_added_columns(db).await?.is_empty(),
        "after the down of the migration that adds them"
    );
    Migrator::up(db, None).await?;

    Migrator::down(db, None).await?;
    assert!(existing_tables(db).await?.is_empty(), "after down");

    Migrator::up(db, None).await?;
    assert_eq!(existing_tables(db).await?, TABLES, "after the second up");
    Ok(())
}

/// How many `down` steps undo the migration named `name` and every one after it.
fn steps_back_to(name: &str) -> u32 {
    let migrations = Migrator::migrations();
    let from_end = migrations
        .iter()
        .rev()
        .position(|m| m.name().contains(name))
        .unwrap_or(0);
    u32::try_from(from_end + 1).unwrap_or(1)
}

async fn existing_tables(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    let manager = SchemaManager::new(db);
    let mut existing = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await? {
            existing.push(table);
        }
    }
    Ok(existing)
}

async fn existing_added_columns(
    db: &DatabaseConnection,
) -> Result<Vec<(&'static str, &'static str)>, DbErr> {
    let manager = SchemaManager::new(db);
    let mut existing = Vec::new();
    for (table, column) in ADDED_COLUMNS {
        if manager.has_column(table, column).await? {
            existing.push((table, column));
        }
    }
    Ok(existing)
}

/// `url` with its database name replaced by `name`, keeping any `?options`.
fn with_database(url: &str, name: &str) -> String {
    let (base, options) = url.split_once('?').map_or((url, ""), |(b, o)| (b, o));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if options.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{options}")
    }
}
