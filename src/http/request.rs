//! Turning an HTTP request into GraphQL requests: a JSON body (one request or a batch)
//! or the parameters of a GET.

use async_graphql::{BatchRequest, Request, Variables};
use axum::extract::Query;
use axum::http::Uri;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::refusal::Refusal;

/// A GraphQL request as the spec defines it: `query` is required, `variables` and
/// `extensions` are objects (or null). async-graphql's own `Request` would accept `{}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest {
    query: String,
    #[serde(default)]
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<Map<String, Value>>,
    #[serde(default)]
    extensions: Option<Map<String, Value>>,
}

/// Parses a POST body: an object is one request, a non-empty array of at most
/// `max_batch` objects is a batch.
pub fn parse_body(body: &[u8], max_batch: usize) -> Result<BatchRequest, Refusal> {
    let not_a_request = |error: serde_json::Error| {
        Refusal::bad_request(format!("the body is not a GraphQL request: {error}"))
    };
    match body.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'{') => {
            let wire = serde_json::from_slice(body).map_err(not_a_request)?;
            Ok(BatchRequest::Single(into_request(wire)?))
        }
        Some(b'[') => {
            let batch: Vec<WireRequest> = serde_json::from_slice(body).map_err(not_a_request)?;
            check_batch_size(batch.len(), max_batch)?;
            let requests = batch
                .into_iter()
                .map(into_request)
                .collect::<Result<_, _>>()?;
            Ok(BatchRequest::Batch(requests))
        }
        _ => Err(Refusal::bad_request(
            "the body must be a JSON object (one request) or array (a batch)",
        )),
    }
}

fn check_batch_size(size: usize, max: usize) -> Result<(), Refusal> {
    match size {
        0 => Err(Refusal::bad_request("an empty batch holds nothing to run")),
        size if size > max => Err(Refusal::batch_too_large(size, max)),
        _ => Ok(()),
    }
}

/// The parameters of a GET: `variables` and `extensions` are JSON-encoded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// Reads a GraphQL request from the query string of a GET.
pub fn parse_query_string(uri: &Uri) -> Result<Request, Refusal> {
    let Query(params) = Query::<GetParams>::try_from_uri(uri).map_err(|error| {
        Refusal::bad_request(format!("invalid query string: {}", error.body_text()))
    })?;
    let query = params
        .query
        .ok_or_else(|| Refusal::bad_request("the `query` parameter is required"))?;

    into_request(WireRequest {
        query,
        operation_name: params.operation_name,
        variables: decode_object("variables", params.variables.as_deref())?,
        extensions: decode_object("extensions", params.extensions.as_deref())?,
    })
}

fn decode_object(name: &str, text: Option<&str>) -> Result<Option<Map<String, Value>>, Refusal> {
    let Some(text) = text else {
        return Ok(None);
    };
    serde_json::from_str(text).map_err(|error| {
        Refusal::bad_request(format!("`{name}` must be a JSON-encoded object: {error}"))
    })
}

fn into_request(wire: WireRequest) -> Result<Request, Refusal> {
    let mut request = Request::new(wire.query);
    if let Some(name) = wire.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = wire.variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(extensions) = wire.extensions {
        request.extensions = into_extensions(extensions)?;
    }
    Ok(request)
}

fn into_extensions(map: Map<String, Value>) -> Result<async_graphql::Extensions, Refusal> {
    let entries = map
        .into_iter()
        .map(|(name, value)| Ok((name, async_graphql::Value::from_json(value)?)))
        .collect::<Result<_, serde_json::Error>>()
        .map_err(|error| Refusal::bad_request(format!("invalid `extensions`: {error}")))?;
    Ok(async_graphql::Extensions(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(result: Result<BatchRequest, Refusal>) -> String {
        match result {
            Ok(_) => "OK".to_owned(),
            Err(refusal) => format!("{refusal:?}"),
        }
    }

    #[test]
    fn an_object_with_a_query_is_one_request() {
        let parsed = parse_body(br#" {"query":"{ a }","variables":null}"#, 10);

        assert!(matches!(parsed, Ok(BatchRequest::Single(_))));
    }

    #[test]
    fn a_body_without_query_or_with_a_bad_shape_is_refused() {
        for body in [
            &b"{}"[..],
            b"[]",
            b"42",
            b"{\"query\":1}",
            b"{\"query\":\"{a}\",\"variables\":[]}",
            b"{",
        ] {
            assert!(
                code_of(parse_body(body, 10)).contains("BAD_REQUEST"),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_batch_over_the_cap_is_refused() {
        let parsed = parse_body(br#"[{"query":"{a}"},{"query":"{a}"},{"query":"{a}"}]"#, 2);

        assert!(code_of(parsed).contains("BATCH_TOO_LARGE"));
    }

    #[test]
    fn get_parameters_decode_variables_and_operation_name() {
        let uri: Uri = "/graphql?query=query%20Q(%24x%3AInt)%7Ba%7D&operationName=Q&variables=%7B%22x%22%3A1%7D"
            .parse()
            .unwrap_or_default();

        let request = parse_query_string(&uri);

        let request = request.ok();
        assert_eq!(
            request.as_ref().and_then(|r| r.operation_name.as_deref()),
            Some("Q")
        );
        assert!(request.is_some_and(|r| !r.variables.is_empty()));
    }
}
