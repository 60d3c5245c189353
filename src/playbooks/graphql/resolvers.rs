//! The playbook queries and mutations: parse, call the service, convert.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::inputs::PlaybookInput;
use super::types::{Playbook, PlaybookRun, PlaybookSnooze, playbooks};
use crate::entities::enums::{MemberRole, PlaybookTrigger};
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::playbooks::runs::{self, RunFilter};
use crate::playbooks::{service, snoozes};
use crate::projects::graphql::Write;
use crate::values::parse_id;

fn optional_id(field: &'static str, id: Option<ID>) -> Result<Option<uuid::Uuid>> {
    Ok(id.map(|id| parse_id(field, &id)).transpose()?)
}

#[derive(Default)]
pub struct PlaybookQuery;

#[Object]
impl PlaybookQuery {
    /// The workspace's playbooks in the order they run, by trigger.
    async fn playbooks(
        &self,
        ctx: &Context<'_>,
        trigger: Option<PlaybookTrigger>,
    ) -> Result<Vec<Playbook>> {
        let viewer = ctx.viewer()?;
        let rows = service::list(ctx.db()?, viewer.workspace_id, trigger).await?;
        Ok(playbooks(rows)?)
    }

    async fn playbook(&self, ctx: &Context<'_>, id: ID) -> Result<Playbook> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .try_into()?)
    }

    /// Playbook runs oldest first: why a project, task or email came to be, or why not.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn playbook_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        playbook_id: Option<ID>,
        account_id: Option<ID>,
        #[graphql(desc = "The NPS response, project or task of the event.")] event_id: Option<ID>,
    ) -> Result<Connection<String, PlaybookRun>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = RunFilter {
            playbook_id: optional_id("playbookId", playbook_id)?,
            account_id: optional_id("accountId", account_id)?,
            event_id: optional_id("eventId", event_id)?,
        };
        let rows = runs::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |r| r.id,
            PlaybookRun::from,
        ))
    }

    /// The accounts a playbook is snoozed for now, soonest to wake first.
    async fn playbook_snoozes(
        &self,
        ctx: &Context<'_>,
        playbook_id: ID,
    ) -> Result<Vec<PlaybookSnooze>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("playbookId", &playbook_id)?;
        let now = ctx.clock()?.now();
        let rows = snoozes::list_active(ctx.db()?, viewer.workspace_id, id, now).await?;
        Ok(rows.into_iter().map(PlaybookSnooze::from).collect())
    }
}

#[derive(Default)]
pub struct PlaybookMutation;

#[Object]
impl PlaybookMutation {
    /// Adds a playbook after the others of its trigger (managers and admins).
    async fn create_playbook(&self, ctx: &Context<'_>, input: PlaybookInput) -> Result<Playbook> {
        ctx.member_with(MemberRole::Manager)?;
        let spec = input.parse()?;
        let w = Write::begin(ctx).await?;
        let row = service::create(&w.txn, w.workspace_id, w.actor, spec, w.now).await?;
        Ok(w.commit(row).await?.try_into()?)
    }

    /// Replaces a playbook's name, trigger, conditions, actions and state.
    async fn update_playbook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PlaybookInput,
    ) -> Result<Playbook> {
        ctx.member_with(MemberRole::Manager)?;
        let id = parse_id("id", &id)?;
        let spec = input.parse()?;
        let w = Write::begin(ctx).await?;
        let row = service::update(&w.txn, w.workspace_id, w.actor, id, spec, w.now).await?;
        Ok(w.commit(row).await?.try_into()?)
    }

    /// Deletes one of the workspace's own playbooks; built-ins can only be disabled.
    async fn delete_playbook(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        ctx.member_with(MemberRole::Manager)?;
        let id = parse_id("id", &id)?;
        let w = Write::begin(ctx).await?;
        service::delete(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(true).await?)
    }

    async fn set_playbook_enabled(
        &self,
        ctx: &Context<'_>,
        id: ID,
        enabled: bool,
    ) -> Result<Playbook> {
        ctx.member_with(MemberRole::Manager)?;
        let id = parse_id("id", &id)?;
        let w = Write::begin(ctx).await?;
        let row = service::set_enabled(&w.txn, w.workspace_id, w.actor, id, enabled, w.now).await?;
        Ok(w.commit(row).await?.try_into()?)
    }

    /// Sets the order a trigger's playbooks run in; `ids` names each of them once.
    async fn reorder_playbooks(
        &self,
        ctx: &Context<'_>,
        trigger: PlaybookTrigger,
        ids: Vec<ID>,
    ) -> Result<Vec<Playbook>> {
        ctx.member_with(MemberRole::Manager)?;
        let ids = ids
            .iter()
            .map(|id| parse_id("ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        let w = Write::begin(ctx).await?;
        let rows = service::reorder(&w.txn, w.workspace_id, w.actor, trigger, &ids, w.now).await?;
        Ok(playbooks(w.commit(rows).await?)?)
    }

    /// Pauses a playbook for one account until `until`, replacing an earlier snooze.
    async fn snooze_playbook(
        &self,
        ctx: &Context<'_>,
        playbook_id: ID,
        account_id: ID,
        until: DateTime<Utc>,
    ) -> Result<PlaybookSnooze> {
        let playbook_id = parse_id("playbookId", &playbook_id)?;
        let account_id = parse_id("accountId", &account_id)?;
        let w = Write::begin(ctx).await?;
        let snooze = snoozes::snooze(
            &w.txn,
            w.workspace_id,
            w.actor,
            playbook_id,
            account_id,
            until,
            w.now,
        )
        .await?;
        Ok(w.commit(snooze).await?.into())
    }

    /// Wakes a playbook for one account; false when it was not snoozed there.
    async fn unsnooze_playbook(
        &self,
        ctx: &Context<'_>,
        playbook_id: ID,
        account_id: ID,
    ) -> Result<bool> {
        let playbook_id = parse_id("playbookId", &playbook_id)?;
        let account_id = parse_id("accountId", &account_id)?;
        let w = Write::begin(ctx).await?;
        let woke = snoozes::unsnooze(
            &w.txn,
            w.workspace_id,
            w.actor,
            playbook_id,
            account_id,
            w.now,
        )
        .await?;
        Ok(w.commit(woke).await?)
    }
}
