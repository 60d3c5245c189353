//! What the playbooks of a batch of events look at, read once for the whole batch: the
//! enabled playbooks (parsed once), the templates and blueprints they name, the team
//! members their rules point at, and the state their checks read — open projects,
//! snoozes, recent firings, runs already recorded. The engine then decides every event in
//! memory, updating [`State`] as effects happen, so the events of one batch see each
//! other's effects exactly as if they had run one after another.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::engine::Event;
use super::model::{Action, Conditions, MemberRule, MemberTarget, TemplateRef, parse_stored};
use super::writes::Writes;
use crate::email::outbox::{Named, OutboxBatch};
use crate::entities::enums::{PlaybookRunOutcome, PlaybookTrigger, ProjectStatus};
use crate::entities::{
    playbook, playbook_run, playbook_snooze, project, project_template, team_member, workspace,
};
use crate::error::AppResult;
use crate::templates::service::{Blueprint, blueprints};

/// An enabled playbook, parsed.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub playbook: playbook::Model,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
}

/// What does not change while the batch runs.
pub struct Known {
    pub workspace: workspace::Model,
    pub playbooks: Vec<Loaded>,
    /// Built-in template keys to the workspace's template ids.
    builtin_templates: HashMap<String, Uuid>,
    pub blueprints: HashMap<Uuid, Blueprint>,
    pub members: HashMap<Uuid, team_member::Model>,
}

/// A playbook's firing, as the frequency bound counts it.
#[derive(Debug, Clone, Copy)]
struct Firing {
    playbook_id: Uuid,
    account_id: Uuid,
    contact_id: Option<Uuid>,
    at: DateTime<Utc>,
}

/// What the events of the batch change for the ones after them, and what they write.
pub struct State {
    /// The most recently started active project per (account, template): start and id.
    open_projects: HashMap<(Uuid, Uuid), (DateTime<Utc>, Uuid)>,
    snoozed: HashSet<(Uuid, Uuid)>,
    firings: Vec<Firing>,
    /// (playbook, event) pairs that have a run.
    ran: HashSet<(Uuid, Uuid)>,
    pub outbox: OutboxBatch,
    pub writes: Writes,
}

/// The workspace's enabled playbooks of a trigger, in order, parsed.
pub async fn enabled(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    trigger: PlaybookTrigger,
) -> AppResult<Vec<Loaded>> {
    let rows = playbook::Entity::find()
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook::Column::Trigger.eq(trigger))
        .filter(playbook::Column::Enabled.eq(true))
        .order_by_asc(playbook::Column::Position)
        .order_by_asc(playbook::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|playbook| {
            let (conditions, actions) = parse_stored(&playbook)?;
            Ok(Loaded {
                playbook,
                conditions,
                actions,
            })
        })
        .collect()
}

impl Known {
    pub async fn load(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        playbooks: Vec<Loaded>,
        events: &[Event],
    ) -> AppResult<Known> {
        let workspace = crate::workspaces::service::find(db, workspace_id).await?;
        let builtin_templates = builtin_templates(db, workspace_id, &playbooks).await?;
        let started: Vec<Uuid> = playbooks
            .iter()
            .flat_map(|p| &p.actions)
            .filter_map(|action| match action {
                Action::StartProject { template, .. } => resolve(&builtin_templates, template),
                _ => None,
            })
            .collect();
        let blueprints = blueprints(db, workspace_id, &started).await?;
        let people = people(&workspace, &playbooks, events);
        let mut members = crate::members::service::by_ids(db, workspace_id, people).await?;
        let managers: Vec<Uuid> = members.values().filter_map(|m| m.manager_id).collect();
        let missing: Vec<Uuid> = managers
            .into_iter()
            .filter(|id| !members.contains_key(id))
            .collect();
        if !missing.is_empty() {
            members.extend(crate::members::service::by_ids(db, workspace_id, missing).await?);
        }
        Ok(Known {
            workspace,
            playbooks,
            builtin_templates,
            blueprints,
            members,
        })
    }

    /// The id a template reference stands for, if the template exists (an id is taken
    /// as it is; a blueprint that is gone is found missing when a project starts).
    pub fn template_id(&self, template: &TemplateRef) -> Option<Uuid> {
        resolve(&self.builtin_templates, template)
    }

    /// The team member a rule means for the event's account, if there is one. A named
    /// member who has left the workspace is replaced by the account owner, as in
    /// blueprints.
    pub fn member_of(&self, event: &Event, target: MemberTarget) -> Option<Uuid> {
        let owner = event.account.owner_id;
        match (target.rule, target.member_id) {
            (MemberRule::AccountOwner, _) | (MemberRule::Member, None) => owner,
            (MemberRule::OwnerManager, _) => self.assignees(owner).owner_manager,
            (MemberRule::HeadOfCs, _) => self.workspace.head_of_cs_id,
            (MemberRule::Member, Some(id)) => self.members.get(&id).map(|m| m.id).or(owner),
        }
    }

    /// Who the blueprints' assignee rules mean for an account owner.
    pub fn assignees(&self, owner: Option<Uuid>) -> crate::tasks::service::RuleAssignees {
        let manager = owner
            .and_then(|id| self.members.get(&id))
            .and_then(|m| m.manager_id);
        crate::tasks::service::RuleAssignees::with_manager(owner, manager)
    }
}

fn resolve(builtin: &HashMap<String, Uuid>, template: &TemplateRef) -> Option<Uuid> {
    match template {
        TemplateRef::Id(id) => Some(*id),
        TemplateRef::Builtin(key) => builtin.get(key).copied(),
    }
}

/// The templates the playbooks name by built-in key, in one query.
async fn builtin_templates(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    playbooks: &[Loaded],
) -> AppResult<HashMap<String, Uuid>> {
    let keys: HashSet<&str> = playbooks
        .iter()
        .flat_map(|p| {
            let in_actions = p.actions.iter().filter_map(|action| match action {
                Action::StartProject { template, .. } => Some(template),
                _ => None,
            });
            in_actions.chain(p.conditions.no_open_project_from.as_ref())
        })
        .filter_map(|template| match template {
            TemplateRef::Builtin(key) => Some(key.as_str()),
            TemplateRef::Id(_) => None,
        })
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = project_template::Entity::find()
        .filter(project_template::Column::WorkspaceId.eq(workspace_id))
        .filter(project_template::Column::BuiltinKey.is_in(keys))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|t| Some((t.builtin_key?, t.id)))
        .collect())
}

/// The members the batch may name: account owners, the head of CS, named members.
fn people(workspace: &workspace::Model, playbooks: &[Loaded], events: &[Event]) -> Vec<Uuid> {
    let named = playbooks
        .iter()
        .flat_map(|p| &p.actions)
        .filter_map(|action| match action {
            Action::CreateTask { assignee, .. } => assignee.member_id,
            Action::NotifyMember { target, .. } => target.member_id,
            _ => None,
        });
    events
        .iter()
        .filter_map(|e| e.account.owner_id)
        .chain(workspace.head_of_cs_id)
        .chain(named)
        .collect()
}

impl State {
    pub async fn load(
        db: &impl ConnectionTrait,
        known: &Known,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> AppResult<State> {
        let workspace_id = known.workspace.id;
        let accounts: HashSet<Uuid> = events.iter().map(|e| e.account.id).collect();
        let playbook_ids: Vec<Uuid> = known.playbooks.iter().map(|p| p.playbook.id).collect();
        let outbox = OutboxBatch::load(db, workspace_id, outbox_needs(known, events), now).await?;
        Ok(State {
            open_projects: open_projects(db, known, &accounts).await?,
            snoozed: snoozed(db, workspace_id, &playbook_ids, &accounts, now).await?,
            firings: firings(db, known, events, now).await?,
            ran: ran(db, workspace_id, &playbook_ids, events).await?,
            outbox,
            writes: Writes::default(),
        })
    }

    pub fn open_project(&self, account_id: Uuid, template_id: Uuid) -> Option<Uuid> {
        self.open_projects
            .get(&(account_id, template_id))
            .map(|(_, id)| *id)
    }

    /// A project started by the batch is the account's open one from then on (unless one
    /// starts later than it, as a project whose start was moved ahead may).
    pub fn started(
        &mut self,
        account_id: Uuid,
        template_id: Uuid,
        starts_at: DateTime<Utc>,
        id: Uuid,
    ) {
        let entry = self
            .open_projects
            .entry((account_id, template_id))
            .or_insert((starts_at, id));
        if (starts_at, id) > *entry {
            *entry = (starts_at, id);
        }
    }

    pub fn is_snoozed(&self, playbook_id: Uuid, account_id: Uuid) -> bool {
        self.snoozed.contains(&(playbook_id, account_id))
    }

    pub fn has_run(&self, playbook_id: Uuid, event_id: Uuid) -> bool {
        self.ran.contains(&(playbook_id, event_id))
    }

    /// Whether the playbook fired for the event's account (or contact) within the bound.
    pub fn too_recent(
        &self,
        playbook_id: Uuid,
        frequency: super::model::Frequency,
        event: &Event,
        now: DateTime<Utc>,
    ) -> bool {
        let since = now - Duration::days(i64::from(frequency.days));
        let contact = match frequency.per {
            super::model::FrequencyScope::Contact => event.contact.as_ref().map(|c| c.id),
            super::model::FrequencyScope::Account => None,
        };
        self.firings.iter().any(|f| {
            f.playbook_id == playbook_id
                && f.at > since
                && match contact {
                    Some(contact) => f.contact_id == Some(contact),
                    None => f.account_id == event.account.id,
                }
        })
    }

    /// Notes a run: the event met the playbook, and a firing counts against its bound.
    pub fn ran(
        &mut self,
        playbook_id: Uuid,
        event: &Event,
        outcome: PlaybookRunOutcome,
        now: DateTime<Utc>,
    ) {
        self.ran.insert((playbook_id, event.id));
        if outcome == PlaybookRunOutcome::Fired {
            self.firings.push(Firing {
                playbook_id,
                account_id: event.account.id,
                contact_id: event.contact.as_ref().map(|c| c.id),
                at: now,
            });
        }
    }
}

/// Everything the emails of the batch may name, so the outbox reads it once.
fn outbox_needs(known: &Known, events: &[Event]) -> Named {
    let mut named = Named {
        members: known.members.keys().copied().collect(),
        ..Named::default()
    };
    for event in events {
        named.accounts.push(event.account.id);
        named.contacts.extend(event.contact.as_ref().map(|c| c.id));
        for loaded in &known.playbooks {
            for action in &loaded.actions {
                named.keys.extend(super::actions::email_key(
                    known,
                    &loaded.playbook,
                    event,
                    action,
                ));
            }
        }
    }
    named
}

async fn open_projects(
    db: &impl ConnectionTrait,
    known: &Known,
    accounts: &HashSet<Uuid>,
) -> AppResult<HashMap<(Uuid, Uuid), (DateTime<Utc>, Uuid)>> {
    let templates: HashSet<Uuid> = known
        .playbooks
        .iter()
        .flat_map(|p| {
            let in_actions = p.actions.iter().filter_map(|action| match action {
                Action::StartProject { template, .. } => known.template_id(template),
                _ => None,
            });
            in_actions.chain(
                p.conditions
                    .no_open_project_from
                    .as_ref()
                    .and_then(|t| known.template_id(t)),
            )
        })
        .collect();
    if templates.is_empty() || accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut open = HashMap::new();
    let accounts: Vec<Uuid> = accounts.iter().copied().collect();
    for chunk in accounts.chunks(10_000) {
        let rows = project::Entity::find()
            .filter(project::Column::WorkspaceId.eq(known.workspace.id))
            .filter(project::Column::Status.eq(ProjectStatus::Active))
            .filter(project::Column::TemplateId.is_in(templates.iter().copied()))
            .filter(project::Column::AccountId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            let Some(template_id) = row.template_id else {
                continue;
            };
            let entry = open
                .entry((row.account_id, template_id))
                .or_insert((row.starts_at, row.id));
            if (row.starts_at, row.id) > *entry {
                *entry = (row.starts_at, row.id);
            }
        }
    }
    Ok(open)
}

async fn snoozed(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    playbook_ids: &[Uuid],
    accounts: &HashSet<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<HashSet<(Uuid, Uuid)>> {
    let rows = playbook_snooze::Entity::find()
        .filter(playbook_snooze::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook_snooze::Column::PlaybookId.is_in(playbook_ids.iter().copied()))
        .filter(playbook_snooze::Column::Until.gt(now))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|s| accounts.contains(&s.account_id))
        .map(|s| (s.playbook_id, s.account_id))
        .collect())
}

/// The firings within the longest frequency bound of the batch's playbooks, of the
/// batch's accounts and contacts.
async fn firings(
    db: &impl ConnectionTrait,
    known: &Known,
    events: &[Event],
    now: DateTime<Utc>,
) -> AppResult<Vec<Firing>> {
    let bounded: Vec<(Uuid, i32)> = known
        .playbooks
        .iter()
        .filter_map(|p| Some((p.playbook.id, p.conditions.frequency?.days)))
        .collect();
    let Some(longest) = bounded.iter().map(|(_, days)| *days).max() else {
        return Ok(Vec::new());
    };
    let since = now - Duration::days(i64::from(longest));
    let accounts: HashSet<Uuid> = events.iter().map(|e| e.account.id).collect();
    let contacts: HashSet<Uuid> = events
        .iter()
        .filter_map(|e| e.contact.as_ref().map(|c| c.id))
        .collect();
    let rows = playbook_run::Entity::find()
        .filter(playbook_run::Column::WorkspaceId.eq(known.workspace.id))
        .filter(playbook_run::Column::PlaybookId.is_in(bounded.iter().map(|(id, _)| *id)))
        .filter(playbook_run::Column::Outcome.eq(PlaybookRunOutcome::Fired))
        .filter(playbook_run::Column::FiredAt.gt(since))
        .filter(
            Condition::any()
                .add(playbook_run::Column::AccountId.is_in(accounts))
                .add(playbook_run::Column::ContactId.is_in(contacts)),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Firing {
            playbook_id: r.playbook_id,
            account_id: r.account_id,
            contact_id: r.contact_id,
            at: r.fired_at,
        })
        .collect())
}

/// The (playbook, event) pairs of the batch that have a run already: replayed events.
async fn ran(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    playbook_ids: &[Uuid],
    events: &[Event],
) -> AppResult<HashSet<(Uuid, Uuid)>> {
    let mut found = HashSet::new();
    let event_ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    for chunk in event_ids.chunks(10_000) {
        let rows = playbook_run::Entity::find()
            .filter(playbook_run::Column::WorkspaceId.eq(workspace_id))
            .filter(playbook_run::Column::PlaybookId.is_in(playbook_ids.iter().copied()))
            .filter(playbook_run::Column::EventId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.playbook_id, r.event_id)));
    }
    Ok(found)
}
