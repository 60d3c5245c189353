//! Media types: what a POST body must be, and which JSON flavour the client accepts back.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};

use super::refusal::Refusal;

/// The two media types a GraphQL response may be sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMedia {
    /// `application/graphql-response+json`: the status code tells request errors apart.
    GraphqlResponseJson,
    /// `application/json`: the legacy type; every GraphQL response is a 200.
    Json,
}

impl ResponseMedia {
    /// In order of preference when the client likes both equally: `application/json` first,
    /// because the spec says to treat a request without `Accept` as asking for it.
    const ALL: [ResponseMedia; 2] = [ResponseMedia::Json, ResponseMedia::GraphqlResponseJson];

    fn subtype(self) -> &'static str {
        match self {
            ResponseMedia::GraphqlResponseJson => "graphql-response+json",
            ResponseMedia::Json => "json",
        }
    }

    pub fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            ResponseMedia::GraphqlResponseJson => {
                "application/graphql-response+json; charset=utf-8"
            }
            ResponseMedia::Json => "application/json; charset=utf-8",
        })
    }
}

/// Refuses a body that is not `application/json` (any parameters, but only a UTF-8 charset).
pub fn require_json_body(headers: &HeaderMap) -> Result<(), Refusal> {
    let mime = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok());
    match mime {
        Some(mime) if mime.essence_str() == "application/json" && is_utf8(&mime) => Ok(()),
        _ => Err(Refusal::unsupported_media_type()),
    }
}

fn is_utf8(mime: &mime::Mime) -> bool {
    mime.get_param(mime::CHARSET)
        .is_none_or(|charset| charset == mime::UTF_8)
}

/// Picks the response media type from `Accept`; `None` means 406.
///
/// No `Accept` (or an empty one) means `application/json`. Otherwise each media type gets
/// the q-value of the most specific range that matches it (`application/json` beats
/// `application/*` beats `*/*`); the highest q wins, then the more specific match, then
/// the range listed first, then `application/json`. A q of 0 excludes a type.
pub fn negotiate(headers: &HeaderMap) -> Option<ResponseMedia> {
    let ranges = accepted_ranges(headers);
    if ranges.is_empty() {
        return Some(ResponseMedia::Json);
    }

    ResponseMedia::ALL
        .into_iter()
        .filter_map(|media| best_match(&ranges, media).map(|rank| (rank, media)))
        .filter(|(rank, _)| rank.quality > 0.0)
        .min_by(|(a, _), (b, _)| a.compare(b))
        .map(|(_, media)| media)
}

/// One entry of `Accept`, lower-cased, in the order the client listed it.
struct MediaRange {
    kind: String,
    subtype: String,
    quality: f32,
}

fn accepted_ranges(headers: &HeaderMap) -> Vec<MediaRange> {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(parse_range)
        .collect()
}

/// `type/subtype;param=value;q=0.5`; a range that does not parse is ignored.
fn parse_range(text: &str) -> Option<MediaRange> {
    let mut parts = text.split(';');
    let (kind, subtype) = parts.next()?.trim().split_once('/')?;
    let mut quality = 1.0;
    for param in parts {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            quality = value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|q| (0.0..=1.0).contains(q))?;
        }
    }
    Some(MediaRange {
        kind: kind.trim().to_ascii_lowercase(),
        subtype: subtype.trim().to_ascii_lowercase(),
        quality,
    })
}

/// How well `Accept` matches one media type; smaller compares as better.
struct Rank {
    quality: f32,
    specificity: u8,
    position: usize,
}

impl Rank {
    fn compare(&self, other: &Rank) -> std::cmp::Ordering {
        other
            .quality
            .total_cmp(&self.quality)
            .then(other.specificity.cmp(&self.specificity))
            .then(self.position.cmp(&other.position))
    }
}

fn best_match(ranges: &[MediaRange], media: ResponseMedia) -> Option<Rank> {
    ranges
        .iter()
        .enumerate()
        .filter_map(|(position, range)| {
            let specificity = specificity(range, media)?;
            Some(Rank {
                quality: range.quality,
                specificity,
                position,
            })
        })
        .max_by(|a, b| {
            a.specificity
                .cmp(&b.specificity)
                .then(b.position.cmp(&a.position))
        })
}

fn specificity(range: &MediaRange, media: ResponseMedia) -> Option<u8> {
    match (range.kind.as_str(), range.subtype.as_str()) {
        ("application", subtype) if subtype == media.subtype() => Some(2),
        ("application", "*") => Some(1),
        ("*", "*") => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> Option<ResponseMedia> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(value));
        negotiate(&headers)
    }

    #[test]
    fn a_missing_accept_header_means_application_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(ResponseMedia::Json));
    }

    #[test]
    fn the_first_listed_type_wins_at_equal_quality() {
        let both = "application/graphql-response+json, application/json";
        assert_eq!(accept(both), Some(ResponseMedia::GraphqlResponseJson));
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(ResponseMedia::Json)
        );
    }

    #[test]
    fn q_values_outrank_order() {
        let value = "application/json;q=0.5, application/graphql-response+json;q=0.9";
        assert_eq!(accept(value), Some(ResponseMedia::GraphqlResponseJson));
    }

    #[test]
    fn an_exact_type_outranks_a_wildcard() {
        assert_eq!(
            accept("*/*, application/graphql-response+json"),
            Some(ResponseMedia::GraphqlResponseJson)
        );
        assert_eq!(accept("*/*"), Some(ResponseMedia::Json));
        assert_eq!(
            accept("application/*;q=0.1, application/json;q=0"),
            Some(ResponseMedia::GraphqlResponseJson)
        );
    }

    #[test]
    fn neither_type_accepted_is_none() {
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn content_type_parameters_are_allowed_but_only_utf8() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            require_json_body(&headers).is_ok()
        };

        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=UTF-8"));
        assert!(!with("application/json; charset=latin1"));
        assert!(!with("text/plain"));
        assert!(!with("application/graphql"));
    }
}
