//! GraphQL types, loaders and queries for NPS responses.

mod ingest;
mod loaders;
mod resolvers;
mod settings;
mod types;

pub use ingest::{IngestMutation, NpsResponseInput};
pub use loaders::{
    ContactResponsesLoader, LatestResponseByAccount, LatestResponseByContact, latest_of_account,
    latest_of_contact, responses_of,
};
pub use resolvers::SurveyQuery;
pub use settings::ResponseSettingsMutation;
pub use types::NpsResponse;
