//! Reading NPS responses, and storing one as given.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::enums::NpsCategory;
use crate::entities::nps_response;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::Text;

/// Which responses to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseFilter {
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub category: Option<NpsCategory>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<nps_response::Model> {
    nps_response::Entity::find_by_id(id)
        .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("NPS response"))
}

/// Responses in the order they were recorded.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: ResponseFilter,
    page: Page,
) -> AppResult<Vec<nps_response::Model>> {
    let mut select =
        nps_response::Entity::find().filter(nps_response::Column::WorkspaceId.eq(workspace_id));
    if let Some(account_id) = filter.account_id {
        select = select.filter(nps_response::Column::AccountId.eq(account_id));
    }
    if let Some(contact_id) = filter.contact_id {
        select = select.filter(nps_response::Column::ContactId.eq(contact_id));
    }
    if let Some(category) = filter.category {
        select = select.filter(nps_response::Column::Category.eq(category));
    }
    Ok(paged(select, nps_response::Column::Id, page)
        .all(db)
        .await?)
}

/// Stores a response exactly as given, with the category the caller decided: no playbooks
/// run and nothing is sent. For tests, the demo seeder and imports of history; responses
/// arriving live go through the ingestion flow instead.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the response"
)]
pub async fn record_raw(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    contact_id: Uuid,
    score: i16,
    comment: Option<Text>,
    responded_at: DateTime<Utc>,
    category: NpsCategory,
    now: DateTime<Utc>,
) -> AppResult<nps_response::Model> {
    if !(0..=10).contains(&score) {
        return Err(AppError::bad_input(
            "score",
            "`score` must be between 0 and 10",
        ));
    }
    let contact = crate::contacts::service::find(db, workspace_id, contact_id).await?;

    let response = nps_response::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        contact_id: Set(contact.id),
        account_id: Set(contact.account_id),
        score: Set(score),
        comment: Set(comment.map(Text::into_inner).filter(|c| !c.is_empty())),
        category: Set(category),
        responded_at: Set(responded_at),
        external_id: Set(None),
        survey: Set(None),
        channel: Set(None),
        excluded_at: Set(None),
        exclusion_reason: Set(None),
        created_at: Set(now),
        follows_project_id: Set(None),
    }
    .insert(db)
    .await?;

    tracing::info!(response.id = %response.id, contact.id = %contact_id, response.score = score, "NPS response recorded");
    Ok(response)
}
