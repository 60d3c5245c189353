//! The `Subscription` root: what a client can watch. Every subscription sees its own
//! workspace only, and each item is the changed record as it is now, so the client
//! needs no second query. Arguments narrow the stream; all given must match.

use async_graphql::{Context, ID, Result, Subscription};
use futures::Stream;
use uuid::Uuid;

use super::Event;
use super::delivery::Record;
use super::feed::Feed;
use crate::activity::graphql::Activity;
use crate::entities::task;
use crate::projects::graphql::Project;
use crate::surveys::graphql::NpsResponse;
use crate::tasks::graphql::Task;
use crate::values::parse_id;

#[derive(Default)]
pub struct LiveSubscription;

#[Subscription(name = "SubscriptionRoot")]
impl LiveSubscription {
    /// A task was created or changed (status, assignee, dates, escalation, anything).
    async fn task_changed(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        account_id: Option<ID>,
        assignee_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Task>> + use<>> {
        let watch = TaskWatch::parse(project_id, account_id, assignee_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            |event| matches!(event, Event::TaskChanged { .. }),
            move |record| watch.pick(record),
        ))
    }

    /// A project changed: its name, status, owner, or its progress as tasks move.
    async fn project_changed(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        account_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Project>> + use<>> {
        let project_id = optional_id("projectId", project_id)?;
        let account_id = optional_id("accountId", account_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            |event| matches!(event, Event::ProjectChanged { .. }),
            move |record| match record {
                Record::Project(project)
                    if matches_id(project_id, project.id)
                        && matches_id(account_id, project.account_id) =>
                {
                    Some(Project::from(project.clone()))
                }
                _ => None,
            },
        ))
    }

    /// Every activity record about the account, its projects and its tasks, as written.
    async fn account_activity(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> Result<impl Stream<Item = Result<Activity>> + use<>> {
        let wanted = parse_id("accountId", &account_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            move |event| {
                matches!(event, Event::ActivityRecorded { account_id, .. } if *account_id == wanted)
            },
            |record| match record {
                Record::Activity(activity) => Some(Activity::from(activity.clone())),
                _ => None,
            },
        ))
    }

    /// A new NPS response, of one account or of any.
    async fn nps_response_recorded(
        &self,
        ctx: &Context<'_>,
        account_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<NpsResponse>> + use<>> {
        let wanted = optional_id("accountId", account_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            move |event| {
                let Event::NpsResponseRecorded { account_id, .. } = event else {
                    return false;
                };
                matches_id(wanted, *account_id)
            },
            |record| match record {
                Record::Response(response) => Some(NpsResponse::from(response.clone())),
                _ => None,
            },
        ))
    }

    /// A project was started: by a playbook only with `byPlaybook: true`, else any.
    async fn project_started(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] by_playbook: bool,
        account_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Project>> + use<>> {
        let account_id = optional_id("accountId", account_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            move |event| {
                let Event::ProjectStarted { playbook_id, .. } = event else {
                    return false;
                };
                !by_playbook || playbook_id.is_some()
            },
            move |record| match record {
                Record::Project(project) if matches_id(account_id, project.account_id) => {
                    Some(Project::from(project.clone()))
                }
                _ => None,
            },
        ))
    }

    /// The escalation job raised a task's escalation level.
    async fn task_escalated(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        account_id: Option<ID>,
        assignee_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Task>> + use<>> {
        let watch = TaskWatch::parse(project_id, account_id, assignee_id)?;
        let feed = Feed::open(ctx)?;
        Ok(feed.items(
            |event| matches!(event, Event::TaskEscalated { .. }),
            move |record| watch.pick(record),
        ))
    }
}

/// Which tasks a subscription watches.
#[derive(Clone, Copy)]
struct TaskWatch {
    project_id: Option<Uuid>,
    account_id: Option<Uuid>,
    assignee_id: Option<Uuid>,
}

impl TaskWatch {
    fn parse(
        project_id: Option<ID>,
        account_id: Option<ID>,
        assignee_id: Option<ID>,
    ) -> Result<TaskWatch> {
        Ok(TaskWatch {
            project_id: optional_id("projectId", project_id)?,
            account_id: optional_id("accountId", account_id)?,
            assignee_id: optional_id("assigneeId", assignee_id)?,
        })
    }

    fn matches(&self, task: &task::Model) -> bool {
        (self.project_id.is_none() || self.project_id == task.project_id)
            && matches_id(self.account_id, task.account_id)
            && (self.assignee_id.is_none() || self.assignee_id == task.assignee_id)
    }

    fn pick(&self, record: &Record) -> Option<Task> {
        match record {
            Record::Task(task) if self.matches(task) => Some(Task::from(task.clone())),
            _ => None,
        }
    }
}

fn optional_id(field: &'static str, id: Option<ID>) -> Result<Option<Uuid>> {
    Ok(id.map(|id| parse_id(field, &id)).transpose()?)
}

fn matches_id(wanted: Option<Uuid>, actual: Uuid) -> bool {
    wanted.is_none_or(|wanted| wanted == actual)
}
