//! GraphQL over HTTP: media types, methods, status codes, limits and error codes, as the
//! GraphQL-over-HTTP specification asks rather than as async-graphql answers by default.

use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use sea_orm::ConnectionTrait;

use crate::helpers::{TestApp, error_code, logs_contain};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

fn endpoint(app: &TestApp) -> String {
    format!("{}/graphql", app.address)
}

/// POSTs a JSON body with the admin token, accepting `accept`.
async fn post(app: &TestApp, accept: &str, body: &Value) -> Response {
    app.client
        .post(endpoint(app))
        .bearer_auth(&app.token)
        .header(ACCEPT, accept)
        .json(body)
        .send()
        .await
        .expect("request")
}

fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn header(response: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Status, content type and JSON body of a response.
async fn read(response: Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let content_type = content_type(&response);
    let body = response.json().await.expect("json body");
    (status, content_type, body)
}

#[tokio::test]
async fn post_with_text_plain_body_is_refused_with_415() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .bearer_auth(&app.token)
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"));
}

#[tokio::test]
async fn post_with_a_json_charset_parameter_is_accepted() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(body, json!({ "data": { "__typename": "QueryRoot" } }));
}

#[tokio::test]
async fn mutation_over_get_is_refused_with_405_and_allow_header() {
    let app = TestApp::spawn().await;
    let mutation =
        r#"mutation { updateWorkspace(input: { timezone: "Europe/Paris" }) { timezone } }"#;

    let response = app
        .client
        .get(endpoint(&app))
        .bearer_auth(&app.token)
        .query(&[("query", mutation)])
        .send()
        .await
        .expect("request");

    assert_eq!(header(&response, ALLOW).as_deref(), Some("POST"));
    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("METHOD_NOT_ALLOWED"));
    let workspace = app.graphql("{ workspace { timezone } }", json!({})).await;
    assert_eq!(workspace["data"]["workspace"]["timezone"], "UTC");
}

#[tokio::test]
async fn named_mutation_chosen_by_operation_name_over_get_is_refused() {
    let app = TestApp::spawn().await;
    let document = r#"query Read { __typename } mutation Write { updateWorkspace(input: { timezone: "Europe/Paris" }) { timezone } }"#;

    let response = app
        .client
        .get(endpoint(&app))
        .bearer_auth(&app.token)
        .query(&[("query", document), ("operationName", "Write")])
        .send()
        .await
        .expect("request");

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&response, ALLOW).as_deref(), Some("POST"));
}

#[tokio::test]
async fn query_over_get_runs_with_variables_from_the_query_string() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .get(endpoint(&app))
        .bearer_auth(&app.token)
        .header(ACCEPT, GRAPHQL_RESPONSE_JSON)
        .query(&[
            (
                "query",
                "query Q($skip: Boolean!) { __typename workspace @skip(if: $skip) { name } }",
            ),
            ("operationName", "Q"),
            ("variables", r#"{"skip":true}"#),
        ])
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(body, json!({ "data": { "__typename": "QueryRoot" } }));
}

#[tokio::test]
async fn other_methods_on_graphql_are_refused_with_405_allowing_get_and_post() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .put(endpoint(&app))
        .send()
        .await
        .expect("request");

    assert_eq!(header(&response, ALLOW).as_deref(), Some("GET, POST"));
    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("METHOD_NOT_ALLOWED"));
}

#[tokio::test]
async fn graphql_response_json_answers_400_for_a_query_that_does_not_validate() {
    let app = TestApp::spawn().await;

    let response = post(
        &app,
        GRAPHQL_RESPONSE_JSON,
        &json!({ "query": "{ noSuchField }" }),
    )
    .await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
    assert!(
        body.get("data").is_none(),
        "a request error has no data: {body}"
    );
}

#[tokio::test]
async fn graphql_response_json_answers_400_for_a_document_that_does_not_parse() {
    let app = TestApp::spawn().await;

    let response = post(
        &app,
        GRAPHQL_RESPONSE_JSON,
        &json!({ "query": "{ workspace { " }),
    )
    .await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("GRAPHQL_PARSE_FAILED"));
}

#[tokio::test]
async fn application_json_answers_200_with_errors_in_the_body() {
    let app = TestApp::spawn().await;

    let response = post(&app, JSON, &json!({ "query": "{ noSuchField }" })).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
}

#[tokio::test]
async fn accept_is_honoured_by_q_value() {
    let app = TestApp::spawn().await;
    let accept = "application/json;q=0.5, application/graphql-response+json";

    let response = post(&app, accept, &json!({ "query": "{ __typename }" })).await;

    let (status, content_type, _) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
}

#[tokio::test]
async fn accept_without_a_json_type_is_refused_with_406() {
    let app = TestApp::spawn().await;

    let response = post(&app, "text/html", &json!({ "query": "{ __typename }" })).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("NOT_ACCEPTABLE"));
}

#[tokio::test]
async fn oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let padding = " ".repeat(closeloop::config::QueryLimits::default().body_bytes);

    let response = post(
        &app,
        JSON,
        &json!({ "query": format!("{{ __typename {padding} }}") }),
    )
    .await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));
}

#[tokio::test]
async fn malformed_json_is_refused_with_400() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .header(CONTENT_TYPE, JSON)
        .body(r#"{"query": "{ __typename }""#)
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn json_that_is_not_a_graphql_request_is_refused_with_400() {
    let app = TestApp::spawn().await;

    let response = post(&app, JSON, &json!({ "operationName": "Q" })).await;

    let (status, _, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn batch_answers_an_array_in_order() {
    let app = TestApp::spawn().await;
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ workspace { timezone } }" }]);

    let response = post(&app, GRAPHQL_RESPONSE_JSON, &batch).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(
        body,
        json!([{ "data": { "__typename": "QueryRoot" } }, { "data": { "workspace": { "timezone": "UTC" } } }])
    );
}

#[tokio::test]
async fn batch_over_the_cap_is_refused() {
    let app = TestApp::spawn().await;
    let cap = closeloop::config::QueryLimits::default().batch_size;
    let batch: Vec<Value> = (0..=cap)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();

    let response = post(&app, GRAPHQL_RESPONSE_JSON, &json!(batch)).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("BATCH_TOO_LARGE"));
}

#[tokio::test]
async fn empty_batch_is_refused() {
    let app = TestApp::spawn().await;

    let response = post(&app, JSON, &json!([])).await;

    let (status, _, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn over_deep_query_is_refused() {
    let app = TestApp::spawn().await;
    let nested = "ofType { ".repeat(10) + "name" + &" }".repeat(10);
    let query = format!("{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}");

    let response = post(&app, GRAPHQL_RESPONSE_JSON, &json!({ "query": query })).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too deep"), "{body}");
}

#[tokio::test]
async fn over_costly_query_is_refused() {
    let app = TestApp::spawn().await;
    let viewers = closeloop::config::QueryLimits::default().complexity / 2 + 1;
    let selection: Vec<String> = (0..viewers)
        .map(|i| format!("v{i}: viewer {{ role }}"))
        .collect();
    let query = format!("{{ {} }}", selection.join(" "));

    let response = post(&app, GRAPHQL_RESPONSE_JSON, &json!({ "query": query })).await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too complex"), "{body}");
}

#[tokio::test]
async fn health_reports_database_ok() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(body, json!({ "status": "ok", "database": "ok" }));
}

#[tokio::test]
async fn health_reports_503_when_the_database_does_not_answer() {
    let app = TestApp::spawn().await;
    app.db
        .close_by_ref()
        .await
        .expect("close the pool the server shares");

    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .expect("request");

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(content_type.starts_with(JSON), "{content_type}");
    assert_eq!(
        body,
        json!({ "status": "unavailable", "database": "error" })
    );
}

#[tokio::test]
async fn a_database_failure_while_authenticating_answers_500_with_a_correlation_id() {
    let app = TestApp::spawn().await;
    app.db
        .execute_unprepared("DROP TABLE api_tokens")
        .await
        .expect("drop the token table to force a database error");

    let response = post(
        &app,
        GRAPHQL_RESPONSE_JSON,
        &json!({ "query": "{ __typename }" }),
    )
    .await;

    let (status, content_type, body) = read(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("INTERNAL_SERVER_ERROR"));
    let text = body.to_string().to_lowercase();
    for internal in ["api_tokens", "sql", "no such table", "does not exist"] {
        assert!(!text.contains(internal), "internals leaked: {body}");
    }
    let correlation_id = body["errors"][0]["extensions"]["correlationId"]
        .as_str()
        .unwrap_or_default();
    assert!(!correlation_id.is_empty());
    assert!(
        logs_contain(correlation_id),
        "the correlation id is not in the log"
    );
}

#[tokio::test]
async fn graphiql_is_served_at_the_root() {
    let app = TestApp::spawn().await;

    let response = app.client.get(&app.address).send().await.expect("request");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/html"));
    assert!(response.text().await.expect("body").contains("/graphql"));
}

#[tokio::test]
async fn unknown_token_gets_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .bearer_auth("clt_not-a-token-this-server-issued")
        .header(ACCEPT, GRAPHQL_RESPONSE_JSON)
        .json(&json!({ "query": "{ workspace { name } }" }))
        .send()
        .await
        .expect("request");

    let challenge = header(&response, WWW_AUTHENTICATE).unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let (status, content_type, body) = read(response).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a field error still executed: {body}"
    );
    assert!(
        content_type.starts_with(GRAPHQL_RESPONSE_JSON),
        "{content_type}"
    );
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    assert_eq!(body["data"], Value::Null);
}

#[tokio::test]
async fn malformed_authorization_header_gets_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .header(reqwest::header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .json(&json!({ "query": "{ workspace { name } }" }))
        .send()
        .await
        .expect("request");

    assert!(header(&response, WWW_AUTHENTICATE).is_some_and(|v| v.starts_with("Bearer")));
    let (status, _, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn introspection_works_without_a_token() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(endpoint(&app))
        .json(&json!({ "query": "{ __schema { queryType { name } } }" }))
        .send()
        .await
        .expect("request");

    assert!(header(&response, WWW_AUTHENTICATE).is_none());
    let (status, _, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "data": { "__schema": { "queryType": { "name": "QueryRoot" } } } })
    );
}
