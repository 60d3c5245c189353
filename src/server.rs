//! Running the server: migrate, bootstrap the first workspace, serve until a signal, with
//! the outbox delivered and the scheduled jobs run alongside; or, as `closeloop worker`,
//! the deliveries and jobs alone.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::app::{self, AppState, Live};
use crate::auth::tokens::IssuedToken;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{DatabaseSettings, JobSettings, LiveSettings, ServerSettings, WorkerSettings};
use crate::email::worker::{self, Outbound};
use crate::graphql::schema::SchemaOptions;
use crate::jobs::scheduler::{self, Scheduler};
use crate::live::Publisher;
use crate::{db, workspaces};

/// A server bound to its port, ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Binds the listener over a prepared database; nothing is served until [`Server::run`].
    pub async fn build(
        db: DatabaseConnection,
        settings: &ServerSettings,
        clock: SharedClock,
    ) -> anyhow::Result<Server> {
        let options = SchemaOptions {
            introspection: settings.introspection,
            field_suggestions: settings.field_suggestions,
            escalation_batch_size: settings.jobs.escalation_batch_size,
        };
        let outbound = Outbound::from_settings(&db, &settings.email, clock.now()).await?;
        let live = Live {
            publisher: Publisher::start(&db, settings.live.buffer)
                .await
                .context("starting the live event bus")?,
            settings: settings.live.clone(),
        };
        let state = AppState::new(db, clock, settings.limits.clone(), options, outbound, live);
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("binding {}", settings.addr))?;
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.local_addr()?;
        tracing::info!(%addr, graphiql = %format!("http://{addr}/"), "serving");
        axum::serve(self.listener, app::router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")
    }
}

/// Applies pending migrations and, on an empty database, creates the default workspace
/// and its admin. Returns the admin's token when it made one.
pub async fn prepare_database(
    db: &DatabaseConnection,
    clock: &SharedClock,
) -> anyhow::Result<Option<IssuedToken>> {
    Migrator::up(db, None).await.context("running migrations")?;
    let token = workspaces::service::bootstrap(db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrapping the default workspace: {e}"))?;
    crate::playbooks::builtin::install_everywhere(db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("installing the built-in playbooks: {e}"))?;
    Ok(token)
}

/// `closeloop serve`: migrates, bootstraps, and serves until SIGINT or SIGTERM.
pub async fn serve(database: &DatabaseSettings, settings: &ServerSettings) -> anyhow::Result<()> {
    database.validate()?;
    let clock: SharedClock = Arc::new(SystemClock);
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    if let Some(token) = prepare_database(&db, &clock).await? {
        tracing::info!(
            workspace = workspaces::service::DEFAULT_WORKSPACE_NAME,
            email = workspaces::service::DEFAULT_ADMIN_EMAIL,
            "created the default workspace and its admin; this admin token is shown once: {}",
            token.secret
        );
    }
    let server = Server::build(db.clone(), settings, clock.clone()).await?;
    let publisher = server.state().publisher.clone();
    let jobs = start_jobs(&db, &clock, &settings.jobs, publisher).await?;
    let delivery = worker::spawn(db, clock, server.state().outbound.clone());
    let served = server.run(shutdown_signal()).await;
    if let Some(jobs) = jobs {
        jobs.stop().await;
    }
    delivery
        .stop(settings.email.send_timeout() + Duration::from_secs(5))
        .await;
    served
}

/// `closeloop worker`: migrates, then runs the scheduled jobs and email delivery, without
/// HTTP, until SIGINT or SIGTERM.
pub async fn work(database: &DatabaseSettings, settings: &WorkerSettings) -> anyhow::Result<()> {
    database.validate()?;
    let clock: SharedClock = Arc::new(SystemClock);
    let db = db::connect(database)
        .await
        .context("connecting to the database")?;
    prepare_database(&db, &clock).await?;
    let outbound = Outbound::from_settings(&db, &settings.email, clock.now()).await?;
    let publisher = Publisher::start(&db, LiveSettings::default().buffer)
        .await
        .context("starting the live event bus")?;
    let observer = Some(publisher.escalation_observer());
    let jobs = scheduler::start(
        db.clone(),
        clock.clone(),
        &settings.jobs,
        observer,
        Some(publisher),
    )
    .await?;
    let delivery = worker::spawn(db, clock, outbound);
    shutdown_signal().await;
    jobs.stop().await;
    delivery
        .stop(settings.email.send_timeout() + Duration::from_secs(5))
        .await;
    Ok(())
}

async fn start_jobs(
    db: &DatabaseConnection,
    clock: &SharedClock,
    settings: &JobSettings,
    publisher: Publisher,
) -> anyhow::Result<Option<Scheduler>> {
    if !settings.enabled {
        tracing::info!("scheduler off: scheduled jobs are left to other processes");
        return Ok(None);
    }
    Ok(Some(
        scheduler::start(
            db.clone(),
            clock.clone(),
            settings,
            Some(publisher.escalation_observer()),
            Some(publisher),
        )
        .await?,
    ))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
