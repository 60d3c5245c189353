//! The command line: `closeloop [serve]`, `worker`, `run-job`, `migrate`, `schema`,
//! `seed-demo`, `import responses`, `token create`.
//! Every flag can also be given as an environment variable (see `--help`).

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};

use crate::clock::{Clock, SystemClock};
use crate::config::{DatabaseSettings, JobSettings, LogFormat, ServerSettings, WorkerSettings};
use crate::entities::enums::MemberRole;
use crate::values::{EmailAddress, Name};
use crate::{db, demo, graphql, server, surveys, telemetry, workspaces};

#[derive(Debug, Parser)]
#[command(name = "closeloop", version, about = "Close the loop on NPS feedback")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseSettings,

    /// Settings for `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub server: ServerSettings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations, then serve the API (the default).
    Serve(Box<ServerSettings>),
    /// Run the scheduled jobs and email delivery without serving HTTP.
    Worker(Box<WorkerSettings>),
    /// Run one job once, now, and print its runs (for operators and external cron).
    RunJob {
        #[arg(value_enum)]
        name: JobName,
        /// Run for every workspace now, instead of only the scheduled runs that are due
        /// and have not run yet.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        jobs: JobSettings,
    },
    /// Apply, roll back or list migrations.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
        /// How many migrations `down` rolls back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` holds the same text.
    Schema,
    /// Create a demo workspace full of realistic data (for trying Closeloop, and benchmarks).
    SeedDemo {
        /// Multiplies the data: 25 accounts (75 contacts, 150 responses) per unit.
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// Name of the workspace to create; it must not exist yet.
        #[arg(long, default_value = "Demo workspace")]
        workspace: String,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// The jobs `run-job` knows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum JobName {
    /// The nightly escalation of overdue tasks.
    Escalation,
    /// The daily follow-up emails after completed detractor projects.
    FollowUps,
    /// The check of SLA clocks: warnings before a breach, and breaches.
    Sla,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MigrateAction {
    Up,
    Down,
    Status,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import NPS responses from a CSV file with a header row (columns in the README).
    /// Playbooks run for each new response; rows already imported change nothing.
    Responses {
        /// Name of the workspace to import into.
        #[arg(long)]
        workspace: String,
        /// The CSV file.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API token, creating the workspace and member if they do not exist.
    Create(TokenCreate),
}

#[derive(Debug, Args)]
pub struct TokenCreate {
    #[arg(long)]
    pub workspace: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// The member's email; defaults to `<role>@closeloop.localhost`.
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Manager,
    Csm,
    Viewer,
}

impl From<RoleArg> for MemberRole {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => MemberRole::Admin,
            RoleArg::Manager => MemberRole::Manager,
            RoleArg::Csm => MemberRole::Csm,
            RoleArg::Viewer => MemberRole::Viewer,
        }
    }
}

/// Parses the command line, runs the command, and turns failures into an exit code.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let format = match &cli.command {
        Some(Command::Serve(settings)) => settings.log_format,
        Some(Command::Worker(settings)) => settings.log_format,
        None => cli.server.log_format,
        Some(_) => LogFormat::Text,
    };
    telemetry::init(format);

    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => server::serve(&cli.database, &cli.server).await,
        Some(Command::Serve(settings)) => server::serve(&cli.database, &settings).await,
        Some(Command::Worker(settings)) => server::work(&cli.database, &settings).await,
        Some(Command::RunJob { name, now, jobs }) => run_job(&cli.database, name, now, &jobs).await,
        Some(Command::Migrate { action, steps }) => migrate(&cli.database, action, steps).await,
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Some(Command::SeedDemo { scale, workspace }) => {
            seed_demo(&cli.database, scale, &workspace).await
        }
        Some(Command::Token {
            command: TokenCommand::Create(args),
        }) => create_token(&cli.database, args).await,
        Some(Command::Import {
            command: ImportCommand::Responses { workspace, file },
        }) => import_responses(&cli.database, &workspace, &file).await,
    }
}

async fn migrate(
    database: &DatabaseSettings,
    action: MigrateAction,
    steps: u32,
) -> anyhow::Result<()> {
    database.validate()?;
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down => Migrator::down(&db, Some(steps)).await?,
        MigrateAction::Status => Migrator::status(&db).await?,
    }
    Ok(())
}

async fn create_token(database: &DatabaseSettings, args: TokenCreate) -> anyhow::Result<()> {
    database.validate()?;
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    let clock = SystemClock;
    let shared: crate::clock::SharedClock = std::sync::Arc::new(SystemClock);
    server::prepare_database(&db, &shared).await?;

    let role = MemberRole::from(args.role);
    let email = args
        .email
        .unwrap_or_else(|| format!("{role:?}@closeloop.localhost").to_lowercase());
    let workspace =
        Name::parse("workspace", &args.workspace).map_err(|e| anyhow::anyhow!("{e}"))?;
    let email = EmailAddress::parse("email", &email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = workspaces::service::issue_token_for(&db, workspace, email, role, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("creating the token: {e}"))?;
    println!("{}", token.secret);
    Ok(())
}

async fn import_responses(
    database: &DatabaseSettings,
    workspace: &str,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    database.validate()?;
    let workspace = Name::parse("workspace", workspace).map_err(|e| anyhow::anyhow!("{e}"))?;
    let source =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    let clock: crate::clock::SharedClock = std::sync::Arc::new(SystemClock);
    server::prepare_database(&db, &clock).await?;

    let report = surveys::import::import_csv(&db, &workspace, source, clock.now()).await?;
    println!(
        "stored {}, duplicates {}, invalid {}",
        report.stored,
        report.duplicates,
        report.invalid.len()
    );
    for error in &report.invalid {
        let field = error.field.map(|f| format!(" ({f})")).unwrap_or_default();
        println!("line {}{field}: {}", error.row, error.reason);
    }
    if !report.invalid.is_empty() {
        anyhow::bail!("{} rows were not imported", report.invalid.len());
    }
    Ok(())
}

async fn seed_demo(
    database: &DatabaseSettings,
    scale: usize,
    workspace: &str,
) -> anyhow::Result<()> {
    database.validate()?;
    let scale = demo::check_scale(scale).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    let clock: crate::clock::SharedClock = std::sync::Arc::new(SystemClock);
    server::prepare_database(&db, &clock).await?;

    let report = demo::seed(&db, workspace, scale, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("seeding the demo workspace: {e}"))?;
    println!("seeded {workspace:?}: {report}");
    println!("token: closeloop token create --workspace {workspace:?} --role admin");
    Ok(())
}

async fn run_job(
    database: &DatabaseSettings,
    name: JobName,
    now: bool,
    settings: &JobSettings,
) -> anyhow::Result<()> {
    database.validate()?;
    let escalation_schedule = settings.schedule()?;
    let follow_up_schedule = settings.follow_up_schedule()?;
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    let clock: crate::clock::SharedClock = std::sync::Arc::new(SystemClock);
    server::prepare_database(&db, &clock).await?;

    if let JobName::Sla = name {
        return run_sla_check(&db, &clock, now, settings).await;
    }
    let (job, runs) = match (name, now) {
        (JobName::Escalation, true) => {
            let options = settings.run_options();
            let runs = crate::escalation::run::run_now_everywhere(&db, &clock, &options).await;
            ("escalation", runs)
        }
        (JobName::Escalation, false) => {
            let options = settings.run_options();
            let runs =
                crate::escalation::run::run_due(&db, &clock, &escalation_schedule, &options).await;
            ("escalation", runs)
        }
        (JobName::FollowUps, true) => {
            let options = settings.follow_up_options();
            let runs = crate::follow_ups::job::run_now_everywhere(&db, &clock, &options).await;
            ("follow-ups", runs)
        }
        (JobName::FollowUps, false) => {
            let options = settings.follow_up_options();
            let runs =
                crate::follow_ups::job::run_due(&db, &clock, &follow_up_schedule, &options).await;
            ("follow-ups", runs)
        }
        (JobName::Sla, _) => return Ok(()),
    };
    let runs = runs.map_err(|e| anyhow::anyhow!("running the {job} job: {e}"))?;
    print_runs(job, &runs);
    Ok(())
}

fn print_runs(job: &str, runs: &[crate::entities::job_run::Model]) {
    for run in runs {
        println!(
            "{job} workspace={} slot={} outcome={} counts={}",
            run.scope, run.slot, run.outcome, run.counts
        );
    }
    if runs.is_empty() {
        println!("{job}: nothing due");
    }
}

/// `closeloop run-job sla`: the due slot of every workspace with a clock to look at, or,
/// with `--now`, a run at this moment.
async fn run_sla_check(
    db: &sea_orm::DatabaseConnection,
    clock: &crate::clock::SharedClock,
    now: bool,
    settings: &JobSettings,
) -> anyhow::Result<()> {
    let schedule = settings.sla_schedule()?;
    let publisher =
        crate::live::Publisher::start(db, crate::config::LiveSettings::default().buffer)
            .await
            .context("starting the live event bus")?;
    let options = crate::sla::check::CheckOptions {
        publisher: Some(publisher),
        ..settings.sla_options()
    };
    let runs = if now {
        crate::sla::check::run_now(db, clock, &options).await
    } else {
        crate::sla::check::run_due(db, clock, &schedule, &options).await
    }
    .map_err(|e| anyhow::anyhow!("running the SLA check: {e}"))?;
    print_runs("sla", &runs);
    Ok(())
}
