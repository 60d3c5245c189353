//! Assembles the schema from each domain's query and mutation roots, with the limits on.

use async_graphql::{MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::clock::SharedClock;
use crate::config::QueryLimits;
use crate::email::worker::Outbound;
use crate::escalation::run::RunOptions;
use crate::live::Publisher;
use crate::live::graphql::LiveSubscription;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    crate::workspaces::graphql::WorkspaceQuery,
    crate::members::graphql::MemberQuery,
    crate::accounts::graphql::AccountQuery,
    crate::contacts::graphql::ContactQuery,
    crate::surveys::graphql::SurveyQuery,
    crate::surveys::webhook::graphql::WebhookQuery,
    crate::notes::graphql::NoteQuery,
    crate::conversations::graphql::ConversationQuery,
    crate::activity::graphql::ActivityQuery,
    crate::templates::graphql::TemplateQuery,
    crate::projects::graphql::ProjectQuery,
    crate::tasks::graphql::TaskQuery,
    crate::email::graphql::EmailQuery,
    crate::analytics::graphql::AnalyticsQuery,
    crate::playbooks::graphql::PlaybookQuery,
    crate::escalation::graphql::EscalationQuery,
    crate::jobs::graphql::JobQuery,
    crate::sla::graphql::SlaQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    crate::workspaces::graphql::WorkspaceMutation,
    crate::members::graphql::MemberMutation,
    crate::accounts::graphql::AccountMutation,
    crate::contacts::graphql::ContactMutation,
    crate::surveys::graphql::IngestMutation,
    crate::surveys::graphql::ResponseSettingsMutation,
    crate::surveys::webhook::graphql::WebhookMutation,
    crate::notes::graphql::NoteMutation,
    crate::conversations::graphql::ConversationMutation,
    crate::templates::graphql::TemplateMutation,
    crate::projects::graphql::ProjectMutation,
    crate::tasks::graphql::TaskMutation,
    crate::email::graphql::EmailMutation,
    crate::playbooks::graphql::PlaybookMutation,
    crate::escalation::graphql::EscalationMutation,
    crate::follow_ups::graphql::FollowUpMutation,
    crate::sla::graphql::SlaMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, LiveSubscription>;

/// Options that change what clients may ask, beyond the numeric limits.
#[derive(Debug, Clone, Copy)]
pub struct SchemaOptions {
    pub introspection: bool,
    pub field_suggestions: bool,
    /// Tasks per batch of an escalation run started through the API.
    pub escalation_batch_size: u64,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            introspection: true,
            field_suggestions: true,
            escalation_batch_size: RunOptions::default().batch_size,
        }
    }
}

pub fn build_schema(
    db: DatabaseConnection,
    clock: SharedClock,
    limits: &QueryLimits,
    options: SchemaOptions,
    outbound: Outbound,
    publisher: Publisher,
) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        LiveSubscription,
    )
    .data(db)
    .data(clock)
    .data(outbound)
    .data(publisher)
    .data(RunOptions {
        batch_size: options.escalation_batch_size,
        ..RunOptions::default()
    })
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_directives(limits.directives);
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    if !options.field_suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        LiveSubscription,
    )
    .finish()
    .sdl()
}
