//! Mutations on how responses count: the workspace's NPS ranges, and excluding a
//! response from the figures or including it again.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::types::NpsResponse;
use crate::entities::enums::MemberRole;
use crate::graphql::ContextExt;
use crate::projects::graphql::Write;
use crate::surveys::classification::{self, NpsRanges, ScoreRange};
use crate::surveys::exclusion;
use crate::values::{Text, parse_id};
use crate::workspaces::graphql::Workspace;

/// One category's scores, both ends included.
#[derive(InputObject, Clone, Copy)]
pub struct ScoreRangeInput {
    pub min: i32,
    pub max: i32,
}

/// The three categories' ranges: together they must cover 0 to 10, in order, without gaps
/// or overlaps.
#[derive(InputObject)]
pub struct NpsRangesInput {
    pub detractor: ScoreRangeInput,
    pub passive: ScoreRangeInput,
    pub promoter: ScoreRangeInput,
}

impl From<ScoreRangeInput> for ScoreRange {
    fn from(input: ScoreRangeInput) -> Self {
        ScoreRange {
            min: i64::from(input.min),
            max: i64::from(input.max),
        }
    }
}

#[derive(Default)]
pub struct ResponseSettingsMutation;

#[Object]
impl ResponseSettingsMutation {
    /// Changes how scores are classified from now on (admins only); responses already
    /// recorded keep their category.
    async fn update_nps_ranges(
        &self,
        ctx: &Context<'_>,
        input: NpsRangesInput,
    ) -> Result<Workspace> {
        ctx.member_with(MemberRole::Admin)?;
        let ranges = NpsRanges::new(
            input.detractor.into(),
            input.passive.into(),
            input.promoter.into(),
        )?;
        let w = Write::begin(ctx).await?;
        let workspace =
            classification::update_ranges(&w.txn, w.workspace_id, w.actor, ranges, w.now).await?;
        Ok(w.commit(workspace).await?.into())
    }

    /// Leaves a response out of the NPS figures, with the reason (managers and admins).
    async fn exclude_nps_response(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<NpsResponse> {
        ctx.member_with(MemberRole::Manager)?;
        let id = parse_id("id", &id)?;
        let reason = Text::parse_required("reason", &reason)?;
        let w = Write::begin(ctx).await?;
        let response =
            exclusion::exclude(&w.txn, w.workspace_id, w.actor, id, reason, w.now).await?;
        Ok(w.commit(response).await?.into())
    }

    /// Takes an excluded response back into the NPS figures (managers and admins).
    async fn include_nps_response(&self, ctx: &Context<'_>, id: ID) -> Result<NpsResponse> {
        ctx.member_with(MemberRole::Manager)?;
        let id = parse_id("id", &id)?;
        let w = Write::begin(ctx).await?;
        let response = exclusion::include(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(response).await?.into())
    }
}
