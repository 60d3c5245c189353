//! Who may change templates, and which templates a caller can reach at all.

use closeloop::entities::enums::MemberRole;
use serde_json::json;

use super::{
    ADD_TASK, builtin, create_mutation, custom_input, one_query, pluck, reorder_milestones,
    templates,
};
use crate::helpers::{TestApp, data, error_code};

#[tokio::test]
async fn viewers_and_csms_read_templates_but_cannot_edit_them() {
    let app = TestApp::spawn().await;
    let detractor = builtin(&app, "NPS_DETRACTOR").await;
    let rename =
        "mutation($id: ID!) { updateProjectTemplate(id: $id, input: { name: \"Mine\" }) { name } }";

    for role in [MemberRole::Viewer, MemberRole::Csm] {
        let token = app
            .token_for("Default workspace", &format!("{role:?}@acme.io"), role)
            .await;

        let read = templates(&app, &token, None).await;
        let created = app
            .graphql_as(
                &token,
                &create_mutation(),
                json!({ "input": custom_input() }),
            )
            .await;
        let renamed = app
            .graphql_as(&token, rename, json!({ "id": detractor["id"] }))
            .await;

        assert_eq!(read.len(), 2);
        assert_eq!(error_code(&created), Some("FORBIDDEN"));
        assert_eq!(error_code(&renamed), Some("FORBIDDEN"));
    }
    assert_eq!(builtin(&app, "NPS_DETRACTOR").await, detractor);
}

#[tokio::test]
async fn another_workspaces_template_is_not_found_and_unchanged() {
    let app = TestApp::spawn().await;
    let mine = builtin(&app, "NPS_DETRACTOR").await;
    let other = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let milestone = &mine["milestones"][0];
    let by_template = json!({ "id": mine["id"] });
    let by_milestone = json!({ "id": milestone["id"] });

    let attempts = [
        app.graphql_as(&other, &one_query(), by_template.clone()).await,
        app.graphql_as(&other, "mutation($id: ID!) { updateProjectTemplate(id: $id, input: { name: \"Hacked\" }) { id } }", by_template.clone()).await,
        app.graphql_as(&other, "mutation($id: ID!) { deleteProjectTemplate(id: $id) }", by_template.clone()).await,
        app.graphql_as(&other, "mutation($id: ID!) { addTemplateMilestone(templateId: $id, input: { title: \"X\" }) { id } }", by_template).await,
        app.graphql_as(&other, "mutation($id: ID!) { updateTemplateMilestone(id: $id, input: { title: \"X\" }) { id } }", by_milestone.clone()).await,
        app.graphql_as(&other, "mutation($id: ID!) { removeTemplateMilestone(id: $id) { id } }", by_milestone).await,
        app.graphql_as(&other, ADD_TASK, json!({ "m": milestone["id"], "input": { "title": "X" } })).await,
        app.graphql_as(&other, "mutation($id: ID!) { updateTemplateTask(id: $id, input: { title: \"X\" }) { id } }", json!({ "id": milestone["tasks"][0]["id"] })).await,
        app.graphql_as(&other, &reorder_milestones(), json!({ "id": mine["id"], "ids": pluck(&mine["milestones"], "id") })).await,
    ];

    for body in &attempts {
        assert_eq!(error_code(body), Some("NOT_FOUND"), "{body}");
    }
    assert_eq!(builtin(&app, "NPS_DETRACTOR").await, mine);
    let theirs = templates(&app, &other, None).await;
    assert!(theirs.iter().all(|template| template["id"] != mine["id"]));
}

#[tokio::test]
async fn built_in_templates_cannot_be_deleted_but_custom_ones_can() {
    let app = TestApp::spawn().await;
    let detractor = builtin(&app, "NPS_DETRACTOR").await;
    let created = app
        .graphql(&create_mutation(), json!({ "input": custom_input() }))
        .await;
    let custom_id = data(&created)["createProjectTemplate"]["id"].clone();
    let delete = "mutation($id: ID!) { deleteProjectTemplate(id: $id) }";

    let refused = app.graphql(delete, json!({ "id": detractor["id"] })).await;
    let deleted = app.graphql(delete, json!({ "id": custom_id })).await;

    assert_eq!(error_code(&refused), Some("CONFLICT"));
    assert_eq!(data(&deleted)["deleteProjectTemplate"], custom_id);
    let gone = app.graphql(&one_query(), json!({ "id": custom_id })).await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"));
    assert_eq!(templates(&app, &app.token, None).await.len(), 2);
}
