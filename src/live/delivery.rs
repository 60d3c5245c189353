//! One event on its way to this process's subscribers. The changed record is loaded once,
//! by the first subscriber that wants it, and shared by the others: ten thousand
//! subscribers to a task cost one query, not ten thousand.

use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use super::Event;
use crate::entities::{activity, nps_response, project, task};
use crate::error::{AppError, AppResult};
use crate::{projects, surveys, tasks};

/// The record an event is about, as it is when the event is delivered.
#[derive(Debug, Clone)]
pub enum Record {
    Task(task::Model),
    Project(project::Model),
    Activity(activity::Model),
    Response(nps_response::Model),
}

/// An event with its record, loaded on first use.
#[derive(Debug)]
pub struct Published {
    pub event: Event,
    record: OnceCell<Option<Record>>,
}

impl Published {
    pub fn new(event: Event) -> Self {
        Published {
            event,
            record: OnceCell::new(),
        }
    }

    /// The changed record, read in the event's workspace; `None` when it was deleted
    /// since. A failed read is not kept: the next subscriber tries again.
    pub async fn record(&self, db: &DatabaseConnection) -> AppResult<Option<&Record>> {
        let loaded = self
            .record
            .get_or_try_init(|| load(db, &self.event))
            .await?;
        Ok(loaded.as_ref())
    }
}

async fn load(db: &DatabaseConnection, event: &Event) -> AppResult<Option<Record>> {
    let found = match *event {
        Event::TaskChanged {
            workspace_id,
            task_id,
        }
        | Event::TaskEscalated {
            workspace_id,
            task_id,
            ..
        } => tasks::service::find(db, workspace_id, task_id)
            .await
            .map(Record::Task),
        Event::ProjectChanged {
            workspace_id,
            project_id,
        }
        | Event::ProjectStarted {
            workspace_id,
            project_id,
            ..
        } => projects::service::find(db, workspace_id, project_id)
            .await
            .map(Record::Project),
        Event::ActivityRecorded {
            workspace_id,
            activity_id,
            ..
        } => crate::activity::service::find(db, workspace_id, activity_id)
            .await
            .map(Record::Activity),
        Event::NpsResponseRecorded {
            workspace_id,
            response_id,
            ..
        } => surveys::service::find(db, workspace_id, response_id)
            .await
            .map(Record::Response),
    };
    match found {
        Ok(record) => Ok(Some(record)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}
