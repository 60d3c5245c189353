//! `GET /unsubscribe/{token}` shows a small page with one button; `POST` to the same address
//! unsubscribes at once. Mail clients' own unsubscribe buttons POST
//! `List-Unsubscribe=One-Click` there (RFC 8058), without the page; any POST body is taken
//! the same way. A token whose signature is wrong gets a 404 and changes nothing.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::app::AppState;
use crate::db;
use crate::email::unsubscribe;
use crate::entities::{contact, workspace};
use crate::error::AppResult;

/// The confirmation page.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(contact_id) = state.outbound.links().verify(&token) else {
        return not_found();
    };
    match load(&state, contact_id).await {
        Ok(Some((contact, sender))) if contact.unsubscribed_at.is_some() => page(
            StatusCode::OK,
            "You are unsubscribed",
            &format!("<p>{sender} will not email you again.</p>"),
        ),
        Ok(Some((_, sender))) => {
            let body = format!(
                "<p>Stop emails from {sender}?</p><form method=\"post\" action=\"/unsubscribe/{token}\">\
                 <button type=\"submit\">Unsubscribe</button></form>",
                token = escape(&token)
            );
            page(StatusCode::OK, "Unsubscribe", &body)
        }
        Ok(None) => not_found(),
        Err(error) => failed(&error),
    }
}

/// Unsubscribes the contact the token names.
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(contact_id) = state.outbound.links().verify(&token) else {
        return not_found();
    };
    match unsubscribe_now(&state, contact_id).await {
        Ok(Some(sender)) => page(
            StatusCode::OK,
            "You are unsubscribed",
            &format!("<p>{sender} will not email you again.</p>"),
        ),
        Ok(None) => not_found(),
        Err(error) => failed(&error),
    }
}

async fn unsubscribe_now(state: &AppState, contact_id: Uuid) -> AppResult<Option<String>> {
    let txn = db::begin_write(&state.db).await?;
    let contact = unsubscribe::unsubscribe(&txn, contact_id, state.clock.now()).await?;
    txn.commit().await?;
    match contact {
        Some(contact) => Ok(Some(sender_name(state, &contact).await?)),
        None => Ok(None),
    }
}

/// The contact and the name of the workspace that emails them, escaped for HTML.
async fn load(state: &AppState, contact_id: Uuid) -> AppResult<Option<(contact::Model, String)>> {
    let Some(contact) = contact::Entity::find_by_id(contact_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let sender = sender_name(state, &contact).await?;
    Ok(Some((contact, sender)))
}

async fn sender_name(state: &AppState, contact: &contact::Model) -> AppResult<String> {
    let workspace = workspace::Entity::find_by_id(contact.workspace_id)
        .one(&state.db)
        .await?;
    let name = workspace
        .map(|w| w.sender_name.unwrap_or(w.name))
        .unwrap_or_else(|| "We".to_owned());
    Ok(escape(&name))
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<p>This unsubscribe link is not valid. Nothing was changed.</p>",
    )
}

fn failed(error: &crate::error::AppError) -> Response {
    tracing::error!(error = ?error, "unsubscribe page failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<p>Please try the link again in a moment.</p>",
    )
}

/// A minimal page; the token stays out of Referer headers and caches.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:32rem;margin:4rem auto\"><h1>{title}</h1>{body}</body></html>"
    );
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    (status, headers, Html(html)).into_response()
}

fn escape(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}
