//! Contact queries and mutations.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::types::Contact;
use crate::contacts::service::{self, ContactChanges, NewContact};
use crate::entities::enums::ContactRole;
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::graphql::inputs::optional;
use crate::graphql::pagination::{self, Page};
use crate::projects::graphql::Write;
use crate::values::{EmailAddress, Name, parse_id};

#[derive(InputObject)]
pub struct CreateContactInput {
    pub account_id: ID,
    /// Unique in the workspace.
    pub email: String,
    pub name: Option<String>,
    pub role: ContactRole,
}

/// Fields left out keep their value; a name set to null is cleared.
#[derive(InputObject)]
pub struct UpdateContactInput {
    pub email: Option<String>,
    pub name: MaybeUndefined<String>,
    pub role: Option<ContactRole>,
}

impl CreateContactInput {
    fn parse(self) -> Result<NewContact, AppError> {
        Ok(NewContact {
            account_id: parse_id("accountId", &self.account_id)?,
            email: EmailAddress::parse("email", &self.email)?,
            name: self.name.map(|n| Name::parse("name", &n)).transpose()?,
            role: self.role,
        })
    }
}

impl UpdateContactInput {
    fn parse(self) -> Result<ContactChanges, AppError> {
        Ok(ContactChanges {
            email: self
                .email
                .map(|e| EmailAddress::parse("email", &e))
                .transpose()?,
            name: optional(self.name, |n| Name::parse("name", &n))?,
            role: self.role,
        })
    }
}

#[derive(Default)]
pub struct ContactQuery;

#[Object]
impl ContactQuery {
    /// The workspace's contacts, or one account's, in the order they were added.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
    ) -> Result<Connection<String, Contact>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let account_id = account_id
            .map(|id| parse_id("accountId", &id))
            .transpose()?;
        let rows = service::list(ctx.db()?, viewer.workspace_id, account_id, page).await?;
        Ok(pagination::connection(rows, page, |c| c.id, Contact::from))
    }

    async fn contact(&self, ctx: &Context<'_>, id: ID) -> Result<Contact> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> Result<Contact> {
        let w = Write::begin(ctx).await?;
        let contact =
            service::create(&w.txn, w.workspace_id, w.actor, input.parse()?, w.now).await?;
        Ok(w.commit(contact).await?.into())
    }

    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactInput,
    ) -> Result<Contact> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let contact =
            service::update(&w.txn, w.workspace_id, w.actor, id, input.parse()?, w.now).await?;
        Ok(w.commit(contact).await?.into())
    }

    /// Deletes a contact with their NPS responses.
    async fn delete_contact(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let w = Write::begin(ctx).await?;
        service::delete(&w.txn, w.workspace_id, w.actor, parse_id("id", &id)?, w.now).await?;
        Ok(w.commit(true).await?)
    }
}
