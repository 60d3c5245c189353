//! Project templates (blueprints): the built-ins, custom templates, editing, ordering and
//! who may change them.

mod access;
mod editing;

use closeloop::entities::enums::MemberRole;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data};

const FIELDS: &str = "id name kind builtinKey description milestones { id position title tasks { id position title dueOffsetDays assigneeRule assigneeMember { email } priority } }";

const ADD_TASK: &str = "mutation($m: ID!, $input: TemplateTaskInput!) { addTemplateTask(milestoneId: $m, input: $input) { id position } }";

fn list_query() -> String {
    format!(
        "query($kind: ProjectKind) {{ projectTemplates(first: 50, kind: $kind) {{ edges {{ node {{ {FIELDS} }} }} }} }}"
    )
}

fn one_query() -> String {
    format!("query($id: ID!) {{ projectTemplate(id: $id) {{ {FIELDS} }} }}")
}

fn create_mutation() -> String {
    format!(
        "mutation($input: CreateProjectTemplateInput!) {{ createProjectTemplate(input: $input) {{ {FIELDS} }} }}"
    )
}

fn reorder_milestones() -> String {
    format!(
        "mutation($id: ID!, $ids: [ID!]!) {{ reorderTemplateMilestones(templateId: $id, milestoneIds: $ids) {{ {FIELDS} }} }}"
    )
}

/// The templates of the caller's workspace, in list order.
async fn templates(app: &TestApp, token: &str, kind: Option<&str>) -> Vec<Value> {
    let body = app
        .graphql_as(token, &list_query(), json!({ "kind": kind }))
        .await;
    let edges = data(&body)["projectTemplates"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    edges.into_iter().map(|edge| edge["node"].clone()).collect()
}

/// The one template of a kind: a built-in in a fresh workspace.
async fn builtin(app: &TestApp, kind: &str) -> Value {
    templates(app, &app.token, Some(kind)).await.remove(0)
}

async fn member_id(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(token, "{ viewer { member { id } } }", json!({}))
        .await;
    data(&body)["viewer"]["member"]["id"].clone()
}

/// One field of every item of a JSON list, as a JSON list.
fn pluck(list: &Value, field: &str) -> Value {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(items.iter().map(|item| item[field].clone()).collect())
}

fn custom_input() -> Value {
    json!({
        "name": "Renewal at risk",
        "description": "For accounts whose renewal is in doubt.",
        "milestones": [
            { "title": "Assess", "tasks": [
                { "title": "Review usage", "dueOffsetDays": 0 },
                { "title": "Call the champion", "dueOffsetDays": 2, "priority": "HIGH" }
            ] },
            { "title": "Recover", "tasks": [
                { "title": "Executive sponsor call", "dueOffsetDays": 10, "assigneeRule": "OWNER_MANAGER" }
            ] }
        ]
    })
}

#[tokio::test]
async fn a_new_workspace_has_the_detractor_and_promoter_blueprints() {
    let app = TestApp::spawn().await;

    let all = templates(&app, &app.token, None).await;

    assert_eq!(
        pluck(&json!(all), "builtinKey"),
        json!(["nps_detractor", "nps_promoter"])
    );
    let milestones = &all[0]["milestones"];
    let titles = json!([
        "Research",
        "Address the concerns",
        "Internal follow-up",
        "Close the loop"
    ]);
    assert_eq!(pluck(milestones, "title"), titles);
    assert_eq!(pluck(milestones, "position"), json!([0, 1, 2, 3]));
    let tasks: Vec<Value> = milestones
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| pluck(&m["tasks"], "position"))
        .collect();
    assert_eq!(json!(tasks), json!([[0, 1, 2], [0, 1, 2], [0, 1], [0, 1]]));
    let reach_out = &milestones[0]["tasks"][2];
    assert_eq!(
        reach_out["title"],
        "Reach out to the contact to acknowledge their feedback"
    );
    assert_eq!(
        (&reach_out["dueOffsetDays"], &reach_out["priority"]),
        (&json!(1), &json!("HIGH"))
    );
    assert_eq!(milestones[2]["tasks"][0]["assigneeRule"], "OWNER_MANAGER");
    let promoter_tasks = &all[1]["milestones"][0]["tasks"];
    assert_eq!(pluck(promoter_tasks, "dueOffsetDays"), json!([0, 3, 7]));
}

#[tokio::test]
async fn a_manager_creates_a_custom_template_in_one_go() {
    let app = TestApp::spawn().await;
    let manager = app
        .token_for("Default workspace", "maria@acme.io", MemberRole::Manager)
        .await;
    let mut input = custom_input();
    let maria = member_id(&app, &manager).await;
    input["milestones"][1]["tasks"][0] =
        json!({ "title": "Ask Maria", "assigneeRule": "MEMBER", "assigneeMemberId": maria });

    let body = app
        .graphql_as(&manager, &create_mutation(), json!({ "input": input }))
        .await;

    let template = &data(&body)["createProjectTemplate"];
    assert_eq!(
        (&template["kind"], &template["builtinKey"]),
        (&json!("CUSTOM"), &Value::Null)
    );
    assert_eq!(
        pluck(&template["milestones"], "title"),
        json!(["Assess", "Recover"])
    );
    let assess = &template["milestones"][0]["tasks"];
    assert_eq!(
        pluck(assess, "title"),
        json!(["Review usage", "Call the champion"])
    );
    assert_eq!(pluck(assess, "position"), json!([0, 1]));
    assert_eq!(
        template["milestones"][1]["tasks"][0]["assigneeMember"]["email"],
        "maria@acme.io"
    );
    assert_eq!(templates(&app, &app.token, None).await.len(), 3);
    let history = app
        .graphql(
            "{ activities(first: 50) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert!(data(&history).to_string().contains("template.created"));
}

#[tokio::test]
async fn listing_templates_costs_the_same_statements_however_many_there_are() {
    let app = TestApp::spawn().await;
    app.reset_statements();
    templates(&app, &app.token, None).await;
    let with_two = app.statement_count();
    for _ in 0..4 {
        data(
            &app.graphql(&create_mutation(), json!({ "input": custom_input() }))
                .await,
        );
    }

    app.reset_statements();
    let listed = templates(&app, &app.token, None).await;

    assert_eq!(listed.len(), 6);
    assert_eq!(app.statement_count(), with_two);
}
