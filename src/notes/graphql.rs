//! GraphQL type, queries and mutations for notes.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, NewNote, NoteFilter};
use crate::entities::note;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::members::graphql::{TeamMember, load_member};
use crate::projects::graphql::Write;
use crate::values::{Text, parse_id};

/// Free text a team member wrote on an account or project.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Note {
    pub id: ID,
    pub body: String,
    pub account_id: ID,
    pub project_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub author_id: Option<Uuid>,
}

impl From<note::Model> for Note {
    fn from(model: note::Model) -> Self {
        Note {
            id: ID(model.id.to_string()),
            body: model.body,
            account_id: ID(model.account_id.to_string()),
            project_id: model.project_id.map(|id| ID(id.to_string())),
            created_at: model.created_at,
            updated_at: model.updated_at,
            author_id: model.author_id,
        }
    }
}

#[ComplexObject]
impl Note {
    /// Who wrote it; null once they left the team.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.author_id).await
    }
}

#[derive(InputObject)]
pub struct AddNoteInput {
    pub account_id: ID,
    /// A project of that account, when the note is about it.
    pub project_id: Option<ID>,
    /// Up to 20,000 characters.
    pub body: String,
}

#[derive(Default)]
pub struct NoteQuery;

#[Object]
impl NoteQuery {
    /// Notes in the order they were written, optionally narrowed to an account or project.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn notes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
        project_id: Option<ID>,
    ) -> Result<Connection<String, Note>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = NoteFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            project_id: project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
        };
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(rows, page, |n| n.id, Note::from))
    }
}

#[derive(Default)]
pub struct NoteMutation;

#[Object]
impl NoteMutation {
    async fn add_note(&self, ctx: &Context<'_>, input: AddNoteInput) -> Result<Note> {
        let author_id = ctx.writer()?.member_id;
        let new = NewNote {
            account_id: parse_id("accountId", &input.account_id)?,
            project_id: input
                .project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
            body: Text::parse_required("body", &input.body)?,
        };
        let w = Write::begin(ctx).await?;
        let note = service::add(&w.txn, w.workspace_id, Some(author_id), new, w.now).await?;
        Ok(w.commit(note).await?.into())
    }

    /// Replaces a note's body (its author, a manager or an admin).
    async fn update_note(&self, ctx: &Context<'_>, id: ID, body: String) -> Result<Note> {
        let viewer = ctx.writer()?;
        let id = parse_id("id", &id)?;
        let body = Text::parse_required("body", &body)?;
        Ok(
            service::update(ctx.db()?, viewer, id, body, ctx.clock()?.now())
                .await?
                .into(),
        )
    }

    /// Deletes a note (its author, a manager or an admin).
    async fn delete_note(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let viewer = ctx.writer()?;
        let id = parse_id("id", &id)?;
        service::delete(ctx.db()?, viewer, id).await?;
        Ok(true)
    }
}
