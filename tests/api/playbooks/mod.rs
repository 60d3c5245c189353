//! Playbooks: CRUD, validation and permissions; each condition and action; snoozes and the
//! frequency bound; the built-in detractor and promoter playbooks end to end; rollback when
//! an action fails; the project-completed and task-overdue triggers; many responses of one
//! bulk import seeing each other's effects.
//!
//! Responses are stored the way the ingestion flow stores them: the response and the
//! playbook engine in one write transaction.

mod actions;
mod batch;
mod builtin;
mod conditions;
mod crud;

use closeloop::clock::Clock;
use closeloop::entities::enums::NpsCategory;
use closeloop::error::AppResult;
use closeloop::playbooks::engine::{Effects, on_response_recorded};
use closeloop::values::Text;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{create_account, default_workspace_id};
use crate::email::uuid;
use crate::helpers::{TestApp, data};
use crate::projects::add_member;

pub const PLAYBOOK: &str = "id name trigger enabled position builtinKey
    conditions { categories scoreMin scoreMax contactRoles segments mrrMinCents mrrMaxCents
        noOpenProjectFrom { templateId builtinKey } frequency { days per } }
    actions { __typename
        ... on StartProjectAction { template { templateId builtinKey } severity attachToOpenProject }
        ... on SendEmailAction { template holdForReview }
        ... on CreateTaskAction { title dueInDays assignee memberId priority }
        ... on NotifyMemberAction { target memberId message } }";

const RUNS: &str = "query($id: ID!) { playbook(id: $id) { runs(first: 50) {
    edges { node { outcome eventId responseId accountId details } } } } }";

/// A CSM owning an account, with a manager, and a contact of the account.
pub struct Customer {
    pub manager_id: Value,
    pub owner_id: Value,
    pub account_id: Value,
    pub contact_id: Value,
}

impl Customer {
    /// `account` holds extra account fields (segment, mrrCents); the contact has `role`.
    pub async fn create(app: &TestApp, name: &str, account: Value, role: &str) -> Customer {
        let slug = name.to_lowercase();
        let manager_id = add_member(app, &format!("manager@{slug}.io"), None).await;
        let owner_id = add_member(app, &format!("owner@{slug}.io"), Some(&manager_id)).await;
        let mut input = json!({ "name": name, "ownerId": owner_id });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), account.as_object()) {
            input.extend(extra.clone());
        }
        let account_id = create_account(app, input).await;
        let contact_id = add_contact(app, &account_id, &format!("ada@{slug}.com"), role).await;
        Customer {
            manager_id,
            owner_id,
            account_id,
            contact_id,
        }
    }
}

pub async fn add_contact(app: &TestApp, account_id: &Value, email: &str, role: &str) -> Value {
    let input =
        json!({ "accountId": account_id, "email": email, "name": "Ada Lovelace", "role": role });
    let body = app
        .graphql(
            "mutation($input: CreateContactInput!) { createContact(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    data(&body)["createContact"]["id"].clone()
}

/// The category of a score under the default ranges.
fn category(score: i16) -> NpsCategory {
    match score {
        0..=6 => NpsCategory::Detractor,
        7..=8 => NpsCategory::Passive,
        _ => NpsCategory::Promoter,
    }
}

/// Stores a response and runs the playbooks in one transaction, as ingestion does; on an
/// error nothing is committed. Returns the response id with the effects.
pub async fn respond(app: &TestApp, contact_id: &Value, score: i16) -> AppResult<(Uuid, Effects)> {
    let workspace_id = default_workspace_id(app).await;
    let now = app.clock.now();
    let txn = closeloop::db::begin_write(&app.db).await?;
    let comment = Text::parse("comment", "Support takes days to answer").ok();
    let response = closeloop::surveys::service::record_raw(
        &txn,
        workspace_id,
        uuid(contact_id),
        score,
        comment,
        now,
        category(score),
        now,
    )
    .await?;
    let effects = on_response_recorded(&txn, &response, now).await?;
    txn.commit().await?;
    Ok((response.id, effects))
}

/// Like [`respond`], for set-ups where it must work.
pub async fn answer(app: &TestApp, contact_id: &Value, score: i16) -> (Uuid, Effects) {
    respond(app, contact_id, score)
        .await
        .expect("response stored")
}

/// Creates a playbook as the admin; returns the response body.
pub async fn create_playbook(app: &TestApp, input: Value) -> Value {
    let query = format!(
        "mutation($input: PlaybookInput!) {{ createPlaybook(input: $input) {{ {PLAYBOOK} }} }}"
    );
    app.graphql(&query, json!({ "input": input })).await
}

/// Creates a playbook that makes a task when `conditions` hold; returns its id.
pub async fn task_playbook(app: &TestApp, conditions: Value) -> Value {
    let input = json!({
        "name": "Matched",
        "trigger": "NPS_RESPONSE_RECORDED",
        "conditions": conditions,
        "actions": [{ "createTask": { "title": "Look at this", "dueInDays": 1, "assignee": "ACCOUNT_OWNER" } }],
    });
    data(&create_playbook(app, input).await)["createPlaybook"]["id"].clone()
}

/// The runs of a playbook: (outcome, response id).
pub async fn runs(app: &TestApp, playbook_id: &Value) -> Vec<(String, String)> {
    let body = app.graphql(RUNS, json!({ "id": playbook_id })).await;
    data(&body)["playbook"]["runs"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            (
                node["outcome"].as_str().unwrap_or_default().to_owned(),
                node["responseId"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Turns the built-in playbooks off, so a test sees only its own.
pub async fn disable_builtins(app: &TestApp) {
    let body = app
        .graphql("{ playbooks { id builtinKey } }", json!({}))
        .await;
    for playbook in data(&body)["playbooks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        if playbook["builtinKey"].is_string() {
            data(
                &app.graphql(
                    "mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { id } }",
                    json!({ "id": playbook["id"] }),
                )
                .await,
            );
        }
    }
}

/// Emails in the outbox: (template, to, fromName, replyTo).
pub async fn outbox(app: &TestApp) -> Vec<(String, String, String, String)> {
    let body = app
        .graphql(
            "{ emails(first: 50) { edges { node { template to fromName replyTo } } } }",
            json!({}),
        )
        .await;
    data(&body)["emails"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|edge| {
            let n = &edge["node"];
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&n["template"]),
                text(&n["to"]),
                text(&n["fromName"]),
                text(&n["replyTo"]),
            )
        })
        .collect()
}

/// Removes a template's row as a concurrent process or an operator could, behind the
/// API's back (the API refuses to delete a template a playbook names): the playbook then
/// fails at its next firing.
pub async fn remove_template_behind_the_api(app: &TestApp, template_id: &Value) {
    use closeloop::entities::project_template;
    use sea_orm::EntityTrait;

    let id = uuid(template_id);
    project_template::Entity::delete_by_id(id)
        .exec(&app.db)
        .await
        .expect("delete the template row");
}
