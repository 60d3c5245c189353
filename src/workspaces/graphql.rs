//! GraphQL types and resolvers for the viewer, their workspace and its settings.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, SettingsChanges};
use crate::entities::enums::MemberRole;
use crate::entities::workspace;
use crate::graphql::ContextExt;
use crate::graphql::inputs::optional;
use crate::members::graphql::{TeamMember, load_member};
use crate::values::{EmailAddress, Name, Timezone, parse_id};

/// A Customer Success team: the tenant that owns every other record.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Workspace {
    pub id: ID,
    pub name: String,
    /// IANA time zone in which due dates, business hours and nightly jobs are counted.
    pub timezone: String,
    pub nps_ranges: NpsRanges,
    /// The address customer-facing email is sent from.
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    /// A contact gets at most one customer-facing email from playbooks in this many days
    /// (0: no cap).
    pub contact_email_cap_days: i32,
    /// How long an email held for review waits as a draft before it goes out by itself.
    pub review_window_minutes: i32,
    /// Days after a detractor project completes that its contact gets the follow-up email
    /// (a `PROJECT_COMPLETED` playbook may change that for a project).
    pub follow_up_delay_days: i32,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub head_of_cs_id: Option<Uuid>,
}

/// How scores are classified: 0..=detractorMax detractors, up to passiveMax passives, the
/// rest promoters.
#[derive(SimpleObject)]
pub struct NpsRanges {
    pub detractor_max: i32,
    pub passive_max: i32,
}

impl From<workspace::Model> for Workspace {
    fn from(model: workspace::Model) -> Self {
        Workspace {
            id: ID(model.id.to_string()),
            name: model.name,
            timezone: model.timezone,
            nps_ranges: NpsRanges {
                detractor_max: model.nps_detractor_max,
                passive_max: model.nps_passive_max,
            },
            sender_email: model.sender_email,
            sender_name: model.sender_name,
            contact_email_cap_days: model.contact_email_cap_days,
            review_window_minutes: model.review_window_minutes,
            follow_up_delay_days: model.follow_up_delay_days,
            created_at: model.created_at,
            head_of_cs_id: model.head_of_cs_id,
        }
    }
}

#[ComplexObject]
impl Workspace {
    /// The head of Customer Success: the last level of escalation.
    async fn head_of_cs(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.head_of_cs_id).await
    }
}

/// The caller: who they are, their role and their workspace.
pub struct Viewer;

#[Object]
impl Viewer {
    async fn member(&self, ctx: &Context<'_>) -> Result<TeamMember> {
        let viewer = ctx.viewer()?;
        let member =
            crate::members::service::find(ctx.db()?, viewer.workspace_id, viewer.member_id).await?;
        Ok(member.into())
    }

    async fn role(&self, ctx: &Context<'_>) -> Result<MemberRole> {
        Ok(ctx.viewer()?.role)
    }

    async fn workspace(&self, ctx: &Context<'_>) -> Result<Workspace> {
        let viewer = ctx.viewer()?;
        Ok(service::find(ctx.db()?, viewer.workspace_id).await?.into())
    }
}

#[derive(InputObject)]
pub struct UpdateWorkspaceInput {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub sender_email: MaybeUndefined<String>,
    pub sender_name: MaybeUndefined<String>,
    pub head_of_cs_id: MaybeUndefined<ID>,
    /// 0 (no cap) to 365.
    pub contact_email_cap_days: Option<i32>,
    /// 0 to 10080 (a week).
    pub review_window_minutes: Option<i32>,
    /// 1 to 365.
    pub follow_up_delay_days: Option<i32>,
}

#[derive(Default)]
pub struct WorkspaceQuery;

#[Object]
impl WorkspaceQuery {
    /// The caller of this request.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        ctx.viewer()?;
        Ok(Viewer)
    }

    /// The caller's workspace.
    async fn workspace(&self, ctx: &Context<'_>) -> Result<Workspace> {
        let viewer = ctx.viewer()?;
        Ok(service::find(ctx.db()?, viewer.workspace_id).await?.into())
    }
}

#[derive(Default)]
pub struct WorkspaceMutation;

#[Object]
impl WorkspaceMutation {
    /// Changes the workspace's name, time zone, sender, head of CS, per-contact email cap,
    /// review window or follow-up delay (admins only).
    async fn update_workspace(
        &self,
        ctx: &Context<'_>,
        input: UpdateWorkspaceInput,
    ) -> Result<Workspace> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let changes = SettingsChanges {
            name: input
                .name
                .as_deref()
                .map(|n| Name::parse("name", n))
                .transpose()?,
            timezone: input
                .timezone
                .as_deref()
                .map(|t| Timezone::parse("timezone", t))
                .transpose()?,
            sender_email: optional(input.sender_email, |e| {
                EmailAddress::parse("senderEmail", &e)
            })?,
            sender_name: optional(input.sender_name, |n| Name::parse("senderName", &n))?,
            head_of_cs_id: optional(input.head_of_cs_id, |id| parse_id("headOfCsId", &id))?,
            contact_email_cap_days: input.contact_email_cap_days,
            review_window_minutes: input.review_window_minutes,
            follow_up_delay_days: input.follow_up_delay_days,
        };
        let workspace =
            service::update_settings(ctx.db()?, viewer.workspace_id, changes, ctx.clock()?.now())
                .await?;
        Ok(workspace.into())
    }
}
