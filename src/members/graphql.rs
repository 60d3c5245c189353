//! GraphQL types and resolvers for team members and API tokens.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::service::{self, MemberChanges, NewMember};
use crate::auth::tokens;
use crate::entities::enums::MemberRole;
use crate::entities::{api_token, team_member};
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::graphql::inputs::optional;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::{self, Page};
use crate::values::{EmailAddress, Name, parse_id};

/// A CSM, manager or admin of the workspace.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct TeamMember {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: MemberRole,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub manager_id: Option<Uuid>,
}

impl From<team_member::Model> for TeamMember {
    fn from(model: team_member::Model) -> Self {
        TeamMember {
            id: ID(model.id.to_string()),
            email: model.email,
            name: model.name,
            role: model.role,
            active: model.active,
            created_at: model.created_at,
            manager_id: model.manager_id,
        }
    }
}

#[ComplexObject]
impl TeamMember {
    /// Who this member reports to; escalations of their tasks go there.
    async fn manager(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.manager_id).await
    }
}

/// Loads team members by id, one query per batch.
pub struct MemberLoader(pub Scope);

impl Loader<Uuid> for MemberLoader {
    type Value = TeamMember;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, TeamMember>> {
        let rows = team_member::Entity::find()
            .filter(team_member::Column::WorkspaceId.eq(self.0.workspace_id))
            .filter(team_member::Column::Id.is_in(ids.iter().copied()))
            .all(&self.0.db)
            .await
            .map_err(AppError::from)?;
        Ok(rows
            .into_iter()
            .map(|m| (m.id, TeamMember::from(m)))
            .collect())
    }
}

/// Resolves an optional member id through the request's loader.
pub async fn load_member(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<TeamMember>> {
    let Some(id) = id else { return Ok(None) };
    let loader = ctx.data::<DataLoader<MemberLoader>>()?;
    loader.load_one(id).await
}

/// An API token as listed: never its secret.
#[derive(SimpleObject)]
pub struct ApiToken {
    pub id: ID,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiToken {
    fn from(model: api_token::Model) -> Self {
        ApiToken {
            id: ID(model.id.to_string()),
            name: model.name,
            prefix: model.token_prefix,
            created_at: model.created_at,
            last_used_at: model.last_used_at,
            revoked_at: model.revoked_at,
        }
    }
}

/// A newly created token. `secret` is shown this once and cannot be read again.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    pub secret: String,
    pub token: ApiToken,
}

#[derive(InputObject)]
pub struct CreateTeamMemberInput {
    pub email: String,
    pub name: String,
    pub role: MemberRole,
    pub manager_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateTeamMemberInput {
    pub name: Option<String>,
    pub role: Option<MemberRole>,
    /// Set to a member id, or to null to remove the manager; leave out to keep it.
    pub manager_id: async_graphql::MaybeUndefined<ID>,
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    /// The workspace's team members, in the order they were added.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn team_members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, TeamMember>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let rows = service::list(ctx.db()?, viewer.workspace_id, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |m| m.id,
            TeamMember::from,
        ))
    }

    async fn team_member(&self, ctx: &Context<'_>, id: ID) -> Result<TeamMember> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }

    /// The API tokens of a member (admins: anyone's; others: their own).
    async fn api_tokens(&self, ctx: &Context<'_>, member_id: Option<ID>) -> Result<Vec<ApiToken>> {
        let viewer = ctx.viewer()?;
        let member_id = match member_id {
            Some(id) => parse_id("memberId", &id)?,
            None => viewer.member_id,
        };
        if member_id != viewer.member_id {
            viewer.require(MemberRole::Admin)?;
        }
        let rows = api_token::Entity::find()
            .filter(api_token::Column::WorkspaceId.eq(viewer.workspace_id))
            .filter(api_token::Column::MemberId.eq(member_id))
            .all(ctx.db()?)
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }
}

#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// Adds a team member (admins only).
    async fn create_team_member(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamMemberInput,
    ) -> Result<TeamMember> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let new = NewMember {
            email: EmailAddress::parse("email", &input.email)?,
            name: Name::parse("name", &input.name)?,
            role: input.role,
            manager_id: input
                .manager_id
                .map(|id| parse_id("managerId", &id))
                .transpose()?,
        };
        let db = ctx.db()?;
        let member = service::create(db, viewer.workspace_id, new, ctx.clock()?.now()).await?;
        Ok(member.into())
    }

    /// Changes a member's name, role, manager or whether they are active (admins only).
    async fn update_team_member(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTeamMemberInput,
    ) -> Result<TeamMember> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let id = parse_id("id", &id)?;
        let changes = MemberChanges {
            name: input
                .name
                .as_deref()
                .map(|n| Name::parse("name", n))
                .transpose()?,
            role: input.role,
            manager_id: optional(input.manager_id, |m| parse_id("managerId", &m))?,
            active: input.active,
        };
        if id == viewer.member_id
            && (changes.active == Some(false)
                || changes.role.is_some_and(|r| r != MemberRole::Admin))
        {
            return Err(
                AppError::bad_input("id", "admins cannot demote or deactivate themselves").into(),
            );
        }
        let member = service::update(
            ctx.db()?,
            viewer.workspace_id,
            id,
            changes,
            ctx.clock()?.now(),
        )
        .await?;
        Ok(member.into())
    }

    /// Issues an API token for a member (admins: for anyone; others: for themselves).
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        name: String,
        member_id: Option<ID>,
    ) -> Result<CreatedApiToken> {
        let viewer = ctx.viewer()?;
        let name = Name::parse("name", &name)?;
        let member_id = match member_id {
            Some(id) => parse_id("memberId", &id)?,
            None => viewer.member_id,
        };
        if member_id != viewer.member_id {
            viewer.require(MemberRole::Admin)?;
        }
        let db = ctx.db()?;
        let member = service::find(db, viewer.workspace_id, member_id).await?;
        let issued = tokens::issue(db, &member, name.as_str(), ctx.clock()?.now()).await?;
        let row = api_token::Entity::find_by_id(issued.id)
            .one(db)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("API token"))?;
        Ok(CreatedApiToken {
            secret: issued.secret,
            token: row.into(),
        })
    }

    /// Revokes a token; requests with it are refused from then on.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let db = ctx.db()?;
        let token = api_token::Entity::find_by_id(id)
            .filter(api_token::Column::WorkspaceId.eq(viewer.workspace_id))
            .one(db)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("API token"))?;
        if token.member_id != viewer.member_id {
            viewer.require(MemberRole::Admin)?;
        }
        tokens::revoke(db, viewer.workspace_id, id, ctx.clock()?.now()).await?;
        Ok(true)
    }
}
