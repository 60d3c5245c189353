//! The JSON a survey tool posts: the CSV's columns as keys (`snake_case`), one response.

use serde::Deserialize;

use crate::surveys::input::{RawResponse, RawScore, RawTime};

/// One response; keys not listed here are ignored, since survey tools send more than
/// Closeloop needs.
#[derive(Debug, Deserialize)]
pub struct WebhookBody {
    pub external_id: Option<String>,
    pub contact_id: Option<String>,
    pub contact_email: Option<String>,
    pub contact_name: Option<String>,
    pub account_id: Option<String>,
    pub account_external_id: Option<String>,
    /// A JSON number; anything else is refused by the same check as on every path.
    pub score: Option<serde_json::Value>,
    pub comment: Option<String>,
    /// RFC 3339.
    pub responded_at: Option<String>,
    pub survey: Option<String>,
    pub channel: Option<String>,
}

impl From<WebhookBody> for RawResponse {
    fn from(body: WebhookBody) -> Self {
        RawResponse {
            contact_id: body.contact_id,
            contact_email: body.contact_email,
            contact_name: body.contact_name,
            account_id: body.account_id,
            account_external_id: body.account_external_id,
            score: body.score.map(score),
            comment: body.comment,
            responded_at: body.responded_at.map(RawTime::Text),
            external_id: body.external_id,
            survey: body.survey,
            channel: body.channel,
        }
    }
}

fn score(value: serde_json::Value) -> RawScore {
    match value {
        serde_json::Value::String(text) => RawScore::Text(text),
        other => match other.as_i64() {
            Some(n) => RawScore::Number(n),
            None => RawScore::Text(other.to_string()),
        },
    }
}
