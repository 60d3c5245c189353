//! The GraphQL `NpsResponse`.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::accounts::graphql::{Account, load_account};
use crate::contacts::graphql::{Contact, load_contact};
use crate::entities::enums::NpsCategory;
use crate::entities::nps_response;
use crate::error::AppError;
use crate::projects::graphql::{Project, load_project};

/// One answer to an NPS survey.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct NpsResponse {
    pub id: ID,
    /// 0 to 10.
    pub score: i32,
    pub comment: Option<String>,
    /// Fixed when the response arrived, by the workspace's ranges at that time.
    pub category: NpsCategory,
    pub responded_at: DateTime<Utc>,
    /// The response's id in the survey tool.
    pub external_id: Option<String>,
    pub survey: Option<String>,
    pub channel: Option<String>,
    /// Whether the response is left out of the scores (a test, a duplicate).
    pub excluded: bool,
    /// When the response was left out of the scores, if it is.
    pub excluded_at: Option<DateTime<Utc>>,
    pub exclusion_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub contact_id: Uuid,
    #[graphql(skip)]
    pub account_id: Uuid,
    #[graphql(skip)]
    pub follows_project_id: Option<Uuid>,
}

impl From<nps_response::Model> for NpsResponse {
    fn from(model: nps_response::Model) -> Self {
        NpsResponse {
            id: ID(model.id.to_string()),
            score: i32::from(model.score),
            comment: model.comment,
            category: model.category,
            responded_at: model.responded_at,
            external_id: model.external_id,
            survey: model.survey,
            channel: model.channel,
            excluded: model.excluded_at.is_some(),
            excluded_at: model.excluded_at,
            exclusion_reason: model.exclusion_reason,
            created_at: model.created_at,
            contact_id: model.contact_id,
            account_id: model.account_id,
            follows_project_id: model.follows_project_id,
        }
    }
}

#[ComplexObject]
impl NpsResponse {
    /// The contact who answered.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(load_contact(ctx, Some(self.contact_id))
            .await?
            .ok_or(AppError::NotFound("contact"))?)
    }

    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        load_account(ctx, self.account_id).await
    }

    /// The detractor project an earlier answer of the same contact started, when one was
    /// active or completed as this response arrived: the project this answer tells about.
    async fn follows_project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        load_project(ctx, self.follows_project_id).await
    }
}
