//! Changing a template: fields, milestones and task templates, order, and what is refused.

use closeloop::entities::enums::MemberRole;
use closeloop::entities::template_task;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ADD_TASK, builtin, create_mutation, custom_input, member_id, one_query, pluck,
    reorder_milestones, templates,
};
use crate::helpers::{TestApp, data, error_code};

const UPDATE_TASK: &str = "mutation($id: ID!, $input: UpdateTemplateTaskInput!) { updateTemplateTask(id: $id, input: $input) { title dueOffsetDays assigneeRule assigneeMember { email } priority } }";

async fn create_custom(app: &TestApp) -> Value {
    let created = app
        .graphql(&create_mutation(), json!({ "input": custom_input() }))
        .await;
    data(&created)["createProjectTemplate"].clone()
}

#[tokio::test]
async fn edits_keep_positions_contiguous() {
    let app = TestApp::spawn().await;
    let template = create_custom(&app).await;
    let assess = &template["milestones"][0];

    let renamed = app
        .graphql("mutation($id: ID!) { updateProjectTemplate(id: $id, input: { name: \"Churn risk\", description: null }) { name description } }", json!({ "id": template["id"] }))
        .await;
    let added = app
        .graphql("mutation($id: ID!) { addTemplateMilestone(templateId: $id, position: 0, input: { title: \"Prepare\" }) { position } }", json!({ "id": template["id"] }))
        .await;
    let appended = app
        .graphql(
            ADD_TASK,
            json!({ "m": assess["id"], "input": { "title": "Read notes" } }),
        )
        .await;
    let removed = app
        .graphql(
            "mutation($id: ID!) { removeTemplateTask(id: $id) { tasks { title position } } }",
            json!({ "id": assess["tasks"][0]["id"] }),
        )
        .await;
    let edited = app
        .graphql(UPDATE_TASK, json!({ "id": assess["tasks"][1]["id"], "input": { "dueOffsetDays": 4, "priority": "URGENT" } }))
        .await;

    assert_eq!(
        data(&renamed)["updateProjectTemplate"],
        json!({ "name": "Churn risk", "description": null })
    );
    assert_eq!(data(&added)["addTemplateMilestone"]["position"], 0);
    assert_eq!(data(&appended)["addTemplateTask"]["position"], 2);
    let tasks = &data(&removed)["removeTemplateTask"]["tasks"];
    assert_eq!(
        pluck(tasks, "title"),
        json!(["Call the champion", "Read notes"])
    );
    assert_eq!(pluck(tasks, "position"), json!([0, 1]));
    let edited = &data(&edited)["updateTemplateTask"];
    assert_eq!(
        (&edited["dueOffsetDays"], &edited["priority"]),
        (&json!(4), &json!("URGENT"))
    );
    let after = app
        .graphql(&one_query(), json!({ "id": template["id"] }))
        .await;
    let milestones = &data(&after)["projectTemplate"]["milestones"];
    assert_eq!(
        pluck(milestones, "title"),
        json!(["Prepare", "Assess", "Recover"])
    );
    assert_eq!(pluck(milestones, "position"), json!([0, 1, 2]));
}

#[tokio::test]
async fn removing_a_milestone_removes_its_tasks_and_closes_the_gap() {
    let app = TestApp::spawn().await;
    let detractor = builtin(&app, "NPS_DETRACTOR").await;
    let renamed_query = "mutation($id: ID!) { updateTemplateMilestone(id: $id, input: { title: \"Dig in\" }) { title } }";

    let renamed = app
        .graphql(
            renamed_query,
            json!({ "id": detractor["milestones"][0]["id"] }),
        )
        .await;
    let removed = app
        .graphql(
            &format!(
                "mutation($id: ID!) {{ removeTemplateMilestone(id: $id) {{ {} }} }}",
                super::FIELDS
            ),
            json!({ "id": detractor["milestones"][1]["id"] }),
        )
        .await;

    assert_eq!(data(&renamed)["updateTemplateMilestone"]["title"], "Dig in");
    let milestones = &data(&removed)["removeTemplateMilestone"]["milestones"];
    assert_eq!(
        pluck(milestones, "title"),
        json!(["Dig in", "Internal follow-up", "Close the loop"])
    );
    assert_eq!(pluck(milestones, "position"), json!([0, 1, 2]));
    let removed_id: Uuid = detractor["milestones"][1]["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("milestone id");
    let orphans = template_task::Entity::find()
        .filter(template_task::Column::TemplateMilestoneId.eq(removed_id))
        .count(&app.db)
        .await
        .expect("count task templates");
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn switching_away_from_a_named_member_drops_the_member() {
    let app = TestApp::spawn().await;
    let template = create_custom(&app).await;
    let task = &template["milestones"][0]["tasks"][0]["id"];
    let admin = member_id(&app, &app.token).await;

    let named = app
        .graphql(
            UPDATE_TASK,
            json!({ "id": task, "input": { "assigneeRule": "MEMBER", "assigneeMemberId": admin } }),
        )
        .await;
    let switched = app
        .graphql(
            UPDATE_TASK,
            json!({ "id": task, "input": { "assigneeRule": "ACCOUNT_OWNER" } }),
        )
        .await;
    let member_without_rule = app
        .graphql(
            UPDATE_TASK,
            json!({ "id": task, "input": { "assigneeMemberId": admin } }),
        )
        .await;

    assert_eq!(
        data(&named)["updateTemplateTask"]["assigneeMember"]["email"],
        "admin@closeloop.localhost"
    );
    let switched = &data(&switched)["updateTemplateTask"];
    assert_eq!(
        (&switched["assigneeRule"], &switched["assigneeMember"]),
        (&json!("ACCOUNT_OWNER"), &Value::Null)
    );
    assert_eq!(error_code(&member_without_rule), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn reordering_returns_the_new_order_and_refuses_a_wrong_list() {
    let app = TestApp::spawn().await;
    let detractor = builtin(&app, "NPS_DETRACTOR").await;
    let ids = pluck(&detractor["milestones"], "id");
    let reversed: Vec<Value> = ids
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .cloned()
        .collect();
    let research = pluck(&detractor["milestones"][0]["tasks"], "id");
    let reorder_tasks = "mutation($m: ID!, $ids: [ID!]!) { reorderTemplateTasks(milestoneId: $m, taskIds: $ids) { tasks { title position } } }";

    let reordered = app
        .graphql(
            &reorder_milestones(),
            json!({ "id": detractor["id"], "ids": reversed }),
        )
        .await;
    let tasks = app
        .graphql(
            reorder_tasks,
            json!({ "m": ids[0], "ids": [research[2], research[0], research[1]] }),
        )
        .await;
    let wrong_lists = [
        json!([ids[0], ids[1], ids[2]]),
        json!([ids[0], ids[0], ids[1], ids[2]]),
        json!([ids[0], ids[1], ids[2], research[0]]),
    ];
    let mut refusals = Vec::new();
    for list in wrong_lists {
        refusals.push(
            app.graphql(
                &reorder_milestones(),
                json!({ "id": detractor["id"], "ids": list }),
            )
            .await,
        );
    }

    let milestones = &data(&reordered)["reorderTemplateMilestones"]["milestones"];
    let titles = json!([
        "Close the loop",
        "Internal follow-up",
        "Address the concerns",
        "Research"
    ]);
    assert_eq!(pluck(milestones, "title"), titles);
    assert_eq!(pluck(milestones, "position"), json!([0, 1, 2, 3]));
    let tasks = &data(&tasks)["reorderTemplateTasks"]["tasks"];
    assert_eq!(
        tasks[0]["title"],
        "Reach out to the contact to acknowledge their feedback"
    );
    assert_eq!(pluck(tasks, "position"), json!([0, 1, 2]));
    for refused in &refusals {
        assert_eq!(error_code(refused), Some("BAD_USER_INPUT"));
        assert_eq!(refused["errors"][0]["extensions"]["field"], "milestoneIds");
    }
    assert_eq!(
        pluck(&builtin(&app, "NPS_DETRACTOR").await["milestones"], "title"),
        titles
    );
}

#[tokio::test]
async fn invalid_task_templates_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let detractor = builtin(&app, "NPS_DETRACTOR").await;
    let research = detractor["milestones"][0]["id"].clone();
    let other = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let outsider = member_id(&app, &other).await;
    let mut bad_create = custom_input();
    bad_create["milestones"][1]["tasks"][0]["dueOffsetDays"] = json!(-1);
    let add = |input: Value| app.graphql(ADD_TASK, json!({ "m": research, "input": input }));

    let no_member = add(json!({ "title": "X", "assigneeRule": "MEMBER" })).await;
    let negative = add(json!({ "title": "X", "dueOffsetDays": -1 })).await;
    let too_late = add(json!({ "title": "X", "dueOffsetDays": 366 })).await;
    let foreign_member =
        add(json!({ "title": "X", "assigneeRule": "MEMBER", "assigneeMemberId": outsider })).await;
    let created = app
        .graphql(&create_mutation(), json!({ "input": bad_create }))
        .await;

    assert_eq!(error_code(&no_member), Some("BAD_USER_INPUT"));
    assert_eq!(
        no_member["errors"][0]["extensions"]["field"],
        "assigneeMemberId"
    );
    assert_eq!(error_code(&negative), Some("BAD_USER_INPUT"));
    assert_eq!(
        negative["errors"][0]["extensions"]["field"],
        "dueOffsetDays"
    );
    assert_eq!(error_code(&too_late), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&foreign_member), Some("NOT_FOUND"));
    assert_eq!(error_code(&created), Some("BAD_USER_INPUT"));
    assert_eq!(builtin(&app, "NPS_DETRACTOR").await, detractor);
    assert_eq!(templates(&app, &app.token, None).await.len(), 2);
}
