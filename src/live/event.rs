//! What can change while a client watches: each event names its workspace and the id of
//! the changed record, nothing more, so it fits a PostgreSQL notification with room to
//! spare and a receiver always loads the record as it is now.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{activity, nps_response, project, task};
use crate::playbooks::engine::Effects;

/// A committed change that subscribers may want to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A task was created or changed (status, assignee, dates, anything).
    TaskChanged { workspace_id: Uuid, task_id: Uuid },
    /// A project was changed, or its progress moved with one of its tasks.
    ProjectChanged {
        workspace_id: Uuid,
        project_id: Uuid,
    },
    /// An activity record about an account (or its projects and tasks) was written.
    ActivityRecorded {
        workspace_id: Uuid,
        account_id: Uuid,
        activity_id: Uuid,
    },
    /// An NPS response was stored.
    NpsResponseRecorded {
        workspace_id: Uuid,
        account_id: Uuid,
        response_id: Uuid,
    },
    /// A project was started, by a member or by a playbook.
    ProjectStarted {
        workspace_id: Uuid,
        project_id: Uuid,
        playbook_id: Option<Uuid>,
    },
    /// The escalation job raised a task one level.
    TaskEscalated {
        workspace_id: Uuid,
        task_id: Uuid,
        level: i32,
    },
}

impl Event {
    pub fn workspace_id(&self) -> Uuid {
        match self {
            Event::TaskChanged { workspace_id, .. }
            | Event::ProjectChanged { workspace_id, .. }
            | Event::ActivityRecorded { workspace_id, .. }
            | Event::NpsResponseRecorded { workspace_id, .. }
            | Event::ProjectStarted { workspace_id, .. }
            | Event::TaskEscalated { workspace_id, .. } => *workspace_id,
        }
    }

    pub fn task_changed(task: &task::Model) -> Event {
        Event::TaskChanged {
            workspace_id: task.workspace_id,
            task_id: task.id,
        }
    }

    pub fn project_changed(project: &project::Model) -> Event {
        Event::ProjectChanged {
            workspace_id: project.workspace_id,
            project_id: project.id,
        }
    }

    /// A project started by a member (`playbook_id` `None`) or by a playbook.
    pub fn project_started(project: &project::Model, playbook_id: Option<Uuid>) -> Event {
        Event::ProjectStarted {
            workspace_id: project.workspace_id,
            project_id: project.id,
            playbook_id,
        }
    }

    pub fn nps_response_recorded(response: &nps_response::Model) -> Event {
        Event::NpsResponseRecorded {
            workspace_id: response.workspace_id,
            account_id: response.account_id,
            response_id: response.id,
        }
    }

    pub fn task_escalated(task: &task::Model) -> Event {
        Event::TaskEscalated {
            workspace_id: task.workspace_id,
            task_id: task.id,
            level: task.escalation_level,
        }
    }

    /// The activity record, when it is about an account (every task, project, note and
    /// conversation record is).
    pub fn activity_recorded(activity: &activity::Model) -> Option<Event> {
        activity
            .account_id
            .map(|account_id| Event::ActivityRecorded {
                workspace_id: activity.workspace_id,
                account_id,
                activity_id: activity.id,
            })
    }
}

/// The events a write's activity records announce: each record about an account, and
/// every task and project they name, once each. Every change writes its activity in its
/// own transaction, so this is everything the write changed.
pub fn announced_by(records: &[activity::Model]) -> Vec<Event> {
    let mut events: Vec<Event> = records
        .iter()
        .filter_map(Event::activity_recorded)
        .collect();
    for record in records {
        let workspace_id = record.workspace_id;
        let changed = [
            record.task_id.map(|task_id| Event::TaskChanged {
                workspace_id,
                task_id,
            }),
            record.project_id.map(|project_id| Event::ProjectChanged {
                workspace_id,
                project_id,
            }),
        ];
        for event in changed.into_iter().flatten() {
            if !events.contains(&event) {
                events.push(event);
            }
        }
    }
    events
}

/// What a newly stored NPS response and its playbooks changed: the response itself, the
/// projects the playbooks started (or the open one they attached the response to) and the
/// tasks they created.
pub fn response_recorded(response: &nps_response::Model, effects: &Effects) -> Vec<Event> {
    let workspace_id = response.workspace_id;
    let started = effects.started_by.iter().map(|s| Event::ProjectStarted {
        workspace_id,
        project_id: s.project_id,
        playbook_id: Some(s.playbook_id),
    });
    let attached = effects
        .attached_to_project
        .map(|project_id| Event::ProjectChanged {
            workspace_id,
            project_id,
        });
    let tasks = effects
        .tasks_created
        .iter()
        .map(|&task_id| Event::TaskChanged {
            workspace_id,
            task_id,
        });
    std::iter::once(Event::nps_response_recorded(response))
        .chain(started)
        .chain(attached)
        .chain(tasks)
        .collect()
}
