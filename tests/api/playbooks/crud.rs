//! Creating, reading, changing, ordering and deleting playbooks; validation; who may.

use closeloop::entities::enums::MemberRole;
use serde_json::{Value, json};

use super::{PLAYBOOK, create_playbook, task_playbook};
use crate::helpers::{TestApp, data, error_code};

const LIST: &str = "query($trigger: PlaybookTrigger) { playbooks(trigger: $trigger) { id name position builtinKey enabled } }";

fn names(body: &Value) -> Vec<String> {
    data(body)["playbooks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

fn promoter_email_playbook() -> Value {
    json!({
        "name": "Thank big promoters",
        "trigger": "NPS_RESPONSE_RECORDED",
        "conditions": {
            "categories": ["PROMOTER"], "scoreMin": 10, "contactRoles": ["CHAMPION"],
            "segments": ["Enterprise"], "mrrMinCents": 100000,
            "noOpenProjectFrom": { "builtinKey": "nps_promoter" },
            "frequency": { "days": 30, "per": "CONTACT" }
        },
        "actions": [
            { "sendEmail": { "template": "PROMOTER_THANK_YOU", "holdForReview": true } },
            { "notifyMember": { "target": "OWNER_MANAGER", "message": "A big promoter!" } }
        ]
    })
}

#[tokio::test]
async fn a_new_workspace_has_the_built_in_detractor_and_promoter_playbooks() {
    let app = TestApp::spawn().await;

    let body = app
        .graphql(&format!("{{ playbooks {{ {PLAYBOOK} }} }}"), json!({}))
        .await;

    let playbooks = &data(&body)["playbooks"];
    assert_eq!(playbooks[0]["builtinKey"], "nps_detractor");
    assert_eq!(
        playbooks[0]["conditions"]["categories"],
        json!(["DETRACTOR"])
    );
    assert_eq!(
        playbooks[0]["actions"],
        json!([
            { "__typename": "StartProjectAction", "template": { "templateId": null, "builtinKey": "nps_detractor" }, "severity": "BY_CONTACT_ROLE", "attachToOpenProject": true },
            { "__typename": "SendEmailAction", "template": "DETRACTOR_ACKNOWLEDGEMENT", "holdForReview": false }
        ])
    );
    assert_eq!(playbooks[1]["builtinKey"], "nps_promoter");
    assert_eq!(
        playbooks[1]["actions"][1]["title"],
        "Follow up on advocacy interest"
    );
    assert_eq!(playbooks.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_manager_creates_a_playbook_with_every_condition_and_reads_it_back() {
    let app = TestApp::spawn().await;
    let manager = app
        .token_for("Default workspace", "maria@acme.io", MemberRole::Manager)
        .await;
    let query = format!(
        "mutation($input: PlaybookInput!) {{ createPlaybook(input: $input) {{ {PLAYBOOK} }} }}"
    );

    let body = app
        .graphql_as(
            &manager,
            &query,
            json!({ "input": promoter_email_playbook() }),
        )
        .await;

    let created = &data(&body)["createPlaybook"];
    assert_eq!(
        (created["position"].clone(), created["enabled"].clone()),
        (json!(2), json!(true))
    );
    assert_eq!(
        created["conditions"],
        json!({ "categories": ["PROMOTER"], "scoreMin": 10, "scoreMax": null, "contactRoles": ["CHAMPION"],
            "segments": ["Enterprise"], "mrrMinCents": 100000, "mrrMaxCents": null,
            "noOpenProjectFrom": { "templateId": null, "builtinKey": "nps_promoter" },
            "frequency": { "days": 30, "per": "CONTACT" } })
    );
    let read = app
        .graphql(
            &format!("query($id: ID!) {{ playbook(id: $id) {{ {PLAYBOOK} }} }}"),
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(&data(&read)["playbook"], created);
}

#[tokio::test]
async fn playbooks_are_updated_disabled_reordered_and_deleted() {
    let app = TestApp::spawn().await;
    let first = task_playbook(&app, json!({})).await;
    let second = task_playbook(&app, json!({ "categories": ["PASSIVE"] })).await;

    let mut input = promoter_email_playbook();
    input["name"] = json!("Renamed");
    let updated = app
        .graphql(
            "mutation($id: ID!, $input: PlaybookInput!) { updatePlaybook(id: $id, input: $input) { name conditions { scoreMin } } }",
            json!({ "id": first, "input": input }),
        )
        .await;
    let disabled = app
        .graphql(
            "mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { enabled } }",
            json!({ "id": second }),
        )
        .await;
    let listed = app
        .graphql(LIST, json!({ "trigger": "NPS_RESPONSE_RECORDED" }))
        .await;
    let ids: Vec<Value> = data(&listed)["playbooks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let reversed: Vec<Value> = ids.iter().rev().cloned().collect();
    let reordered = app
        .graphql(
            "mutation($ids: [ID!]!) { reorderPlaybooks(trigger: NPS_RESPONSE_RECORDED, ids: $ids) { name position } }",
            json!({ "ids": reversed }),
        )
        .await;
    let deleted = app
        .graphql(
            "mutation($id: ID!) { deletePlaybook(id: $id) }",
            json!({ "id": second }),
        )
        .await;

    assert_eq!(
        data(&updated)["updatePlaybook"],
        json!({ "name": "Renamed", "conditions": { "scoreMin": 10 } })
    );
    assert_eq!(data(&disabled)["setPlaybookEnabled"]["enabled"], false);
    assert_eq!(
        data(&reordered)["reorderPlaybooks"],
        json!([
            { "name": "Matched", "position": 0 },
            { "name": "Renamed", "position": 1 },
            { "name": "Promoter thank-you and advocacy", "position": 2 },
            { "name": "Detractor recovery", "position": 3 }
        ])
    );
    assert_eq!(data(&deleted)["deletePlaybook"], true);
    let after = app.graphql(LIST, json!({})).await;
    assert_eq!(
        names(&after),
        [
            "Renamed",
            "Promoter thank-you and advocacy",
            "Detractor recovery"
        ]
    );
}

#[tokio::test]
async fn built_in_playbooks_cannot_be_deleted_only_disabled() {
    let app = TestApp::spawn().await;
    let listed = app.graphql(LIST, json!({})).await;
    let builtin = data(&listed)["playbooks"][0]["id"].clone();

    let body = app
        .graphql(
            "mutation($id: ID!) { deletePlaybook(id: $id) }",
            json!({ "id": builtin }),
        )
        .await;

    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(names(&app.graphql(LIST, json!({})).await).len(), 2);
}

#[tokio::test]
async fn a_template_a_playbook_names_cannot_be_deleted_until_the_playbook_is_gone() {
    let app = TestApp::spawn().await;
    let template = app
        .graphql(
            "mutation($input: CreateProjectTemplateInput!) { createProjectTemplate(input: $input) { id } }",
            json!({ "input": { "name": "Renewal rescue", "milestones": [{ "title": "Only", "tasks": [{ "title": "Call", "dueOffsetDays": 1 }] }] } }),
        )
        .await;
    let template = data(&template)["createProjectTemplate"]["id"].clone();
    let actions =
        json!([{ "startProject": { "template": { "templateId": template }, "severity": "HIGH" } }]);
    let created = create_playbook(
        &app,
        json!({ "name": "Rescue renewals", "trigger": "NPS_RESPONSE_RECORDED", "actions": actions }),
    )
    .await;
    let playbook = data(&created)["createPlaybook"]["id"].clone();
    let delete_template = "mutation($id: ID!) { deleteProjectTemplate(id: $id) }";

    let refused = app
        .graphql(delete_template, json!({ "id": template }))
        .await;
    app.graphql(
        "mutation($id: ID!) { deletePlaybook(id: $id) }",
        json!({ "id": playbook }),
    )
    .await;
    let deleted = app
        .graphql(delete_template, json!({ "id": template }))
        .await;

    assert_eq!(error_code(&refused), Some("CONFLICT"));
    assert!(
        refused.to_string().contains("Rescue renewals"),
        "the refusal names the playbook: {refused}"
    );
    assert_eq!(data(&deleted)["deleteProjectTemplate"], template);
}

#[tokio::test]
async fn invalid_playbooks_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let action =
        json!({ "createTask": { "title": "T", "dueInDays": 1, "assignee": "ACCOUNT_OWNER" } });
    let cases = [
        (
            json!({ "scoreMax": 11 }),
            json!([action]),
            "conditions.scoreMax",
        ),
        (
            json!({ "scoreMin": 8, "scoreMax": 3 }),
            json!([action]),
            "conditions.scoreMin",
        ),
        (
            json!({ "mrrMinCents": -1 }),
            json!([action]),
            "conditions.mrrMinCents",
        ),
        (
            json!({ "frequency": { "days": 0, "per": "ACCOUNT" } }),
            json!([action]),
            "conditions.frequency.days",
        ),
        (json!({}), json!([]), "actions"),
        (
            json!({}),
            json!([{ "startProject": { "template": { "templateId": "0190f3a4-0000-7000-8000-000000000000" }, "severity": "HIGH" } }]),
            "actions.startProject.template",
        ),
        (
            json!({ "noOpenProjectFrom": { "builtinKey": "no_such_blueprint" } }),
            json!([action]),
            "conditions.noOpenProjectFrom",
        ),
        (
            json!({}),
            json!([{ "createTask": { "title": "T", "dueInDays": 1, "assignee": "MEMBER" } }]),
            "actions.createTask.memberId",
        ),
        (
            json!({}),
            json!([{ "sendEmail": { "template": "ESCALATION_MANAGER" } }]),
            "actions.sendEmail.template",
        ),
    ];

    for (conditions, actions, expected) in cases {
        let input = json!({ "name": "Bad", "trigger": "NPS_RESPONSE_RECORDED", "conditions": conditions, "actions": actions });
        let body = create_playbook(&app, input).await;
        assert_eq!(
            (error_code(&body), field(&body)),
            (Some("BAD_USER_INPUT"), Some(expected)),
            "{body}"
        );
    }

    assert_eq!(names(&app.graphql(LIST, json!({})).await).len(), 2);
}

#[tokio::test]
async fn csms_read_playbooks_but_only_managers_and_admins_change_them() {
    let app = TestApp::spawn().await;
    let csm = app
        .token_for("Default workspace", "sam@acme.io", MemberRole::Csm)
        .await;
    let viewer = app
        .token_for("Default workspace", "vic@acme.io", MemberRole::Viewer)
        .await;
    let query = "mutation($input: PlaybookInput!) { createPlaybook(input: $input) { id } }";
    let listed = app.graphql(LIST, json!({})).await;
    let builtin = data(&listed)["playbooks"][0]["id"].clone();

    let by_csm = app
        .graphql_as(&csm, query, json!({ "input": promoter_email_playbook() }))
        .await;
    let disable = app
        .graphql_as(
            &csm,
            "mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { id } }",
            json!({ "id": builtin }),
        )
        .await;
    let snooze = app
        .graphql_as(
            &viewer,
            "mutation($id: ID!) { unsnoozePlaybook(playbookId: $id, accountId: $id) }",
            json!({ "id": builtin }),
        )
        .await;
    let read = app.graphql_as(&csm, LIST, json!({})).await;

    assert_eq!(error_code(&by_csm), Some("FORBIDDEN"));
    assert_eq!(error_code(&disable), Some("FORBIDDEN"));
    assert_eq!(error_code(&snooze), Some("FORBIDDEN"));
    assert_eq!(names(&read).len(), 2);
}

#[tokio::test]
async fn another_workspaces_playbook_is_not_found() {
    let app = TestApp::spawn().await;
    let other = app
        .token_for("Globex", "hank@globex.io", MemberRole::Admin)
        .await;
    let listed = app.graphql(LIST, json!({})).await;
    let ours = data(&listed)["playbooks"][0]["id"].clone();

    let read = app
        .graphql_as(
            &other,
            "query($id: ID!) { playbook(id: $id) { id } }",
            json!({ "id": ours }),
        )
        .await;
    let disable = app
        .graphql_as(
            &other,
            "mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { id } }",
            json!({ "id": ours }),
        )
        .await;

    assert_eq!(error_code(&read), Some("NOT_FOUND"));
    assert_eq!(error_code(&disable), Some("NOT_FOUND"));
    let theirs = app.graphql_as(&other, LIST, json!({})).await;
    assert_eq!(
        names(&theirs),
        ["Detractor recovery", "Promoter thank-you and advocacy"]
    );
}
