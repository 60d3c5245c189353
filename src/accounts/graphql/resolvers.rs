//! Account queries and mutations.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::prefetch::accounts_with_selection;
use super::types::Account;
use crate::accounts::service::{self, AccountChanges, AccountFilter, MrrCents, NewAccount};
use crate::entities::enums::MemberRole;
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::graphql::inputs::optional;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::{self, Page};
use crate::projects::graphql::Write;
use crate::values::{Name, parse_id};

#[derive(InputObject)]
pub struct CreateAccountInput {
    pub name: String,
    pub external_id: Option<String>,
    pub owner_id: Option<ID>,
    /// Monthly recurring revenue in cents; not negative.
    pub mrr_cents: Option<i64>,
    pub segment: Option<String>,
}

/// Fields left out keep their value; nullable fields set to null are cleared.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    pub name: Option<String>,
    pub external_id: MaybeUndefined<String>,
    /// A new owner also takes over the account's open tasks that follow its owner.
    pub owner_id: MaybeUndefined<ID>,
    pub mrr_cents: MaybeUndefined<i64>,
    pub segment: MaybeUndefined<String>,
}

impl CreateAccountInput {
    fn parse(self) -> Result<NewAccount, AppError> {
        Ok(NewAccount {
            name: Name::parse("name", &self.name)?,
            external_id: self
                .external_id
                .map(|e| Name::parse("externalId", &e))
                .transpose()?,
            owner_id: self
                .owner_id
                .map(|id| parse_id("ownerId", &id))
                .transpose()?,
            mrr_cents: self
                .mrr_cents
                .map(|m| MrrCents::parse("mrrCents", m))
                .transpose()?,
            segment: self
                .segment
                .map(|s| Name::parse("segment", &s))
                .transpose()?,
        })
    }
}

impl UpdateAccountInput {
    fn parse(self) -> Result<AccountChanges, AppError> {
        Ok(AccountChanges {
            name: self.name.map(|n| Name::parse("name", &n)).transpose()?,
            external_id: optional(self.external_id, |e| Name::parse("externalId", &e))?,
            owner_id: optional(self.owner_id, |id| parse_id("ownerId", &id))?,
            mrr_cents: optional(self.mrr_cents, |m| MrrCents::parse("mrrCents", m))?,
            segment: optional(self.segment, |s| Name::parse("segment", &s))?,
        })
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The workspace's accounts in the order they were added, optionally narrowed to an
    /// owner, a segment or names containing `search` (ignoring case).
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        owner_id: Option<ID>,
        segment: Option<String>,
        search: Option<String>,
    ) -> Result<Connection<String, Account>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = AccountFilter {
            owner_id: owner_id.map(|id| parse_id("ownerId", &id)).transpose()?,
            segment: segment.map(|s| Name::parse("segment", &s)).transpose()?,
            search: search.map(|s| Name::parse("search", &s)).transpose()?,
        };
        let db = ctx.db()?;
        let rows = service::list(db, viewer.workspace_id, filter, page).await?;
        let scope = Scope {
            db: db.clone(),
            workspace_id: viewer.workspace_id,
        };
        let accounts = accounts_with_selection(ctx, scope, rows).await?;
        Ok(pagination::connection(
            accounts,
            page,
            |a| a.account_id,
            |a| a,
        ))
    }

    async fn account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }

    /// The account with this id in the customer's CRM.
    async fn account_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Account> {
        let viewer = ctx.viewer()?;
        let found =
            service::find_by_external_id(ctx.db()?, viewer.workspace_id, external_id.trim())
                .await?;
        Ok(found.ok_or(AppError::NotFound("account"))?.into())
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> Result<Account> {
        let w = Write::begin(ctx).await?;
        let account =
            service::create(&w.txn, w.workspace_id, w.actor, input.parse()?, w.now).await?;
        Ok(w.commit(account).await?.into())
    }

    async fn update_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAccountInput,
    ) -> Result<Account> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let account =
            service::update(&w.txn, w.workspace_id, w.actor, id, input.parse()?, w.now).await?;
        Ok(w.commit(account).await?.into())
    }

    /// Deletes an account with everything recorded on it (admins only).
    async fn delete_account(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        ctx.member_with(MemberRole::Admin)?;
        let w = Write::begin(ctx).await?;
        service::delete(&w.txn, w.workspace_id, w.actor, parse_id("id", &id)?, w.now).await?;
        Ok(w.commit(true).await?)
    }
}
