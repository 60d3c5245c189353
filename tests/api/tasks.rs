//! Tasks: creating, changing, assigning and closing them, the filters and paging of the
//! task list, owner changes, refusals and isolation.

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::entities::enums::MemberRole;
use closeloop::tasks::service::reassign_owner_rule_tasks;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::default_workspace_id;
use crate::helpers::{TestApp, data, error_code, start_time};
use crate::projects::{add_member, at, owned_account, start_detractor, tasks_of};

const TASK: &str =
    "id title description status priority dueAt completedAt escalationLevel overdue accountId
    assigneeRule assignee { email } project { name } milestone { title }";

const HISTORY: &str = "query($id: ID!) { activities(taskId: $id, first: 50) {
    edges { node { action details } } } }";
const LIST: &str = "query($filter: TaskFilter) { tasks(first: 100, filter: $filter) {
    edges { node { id } } } }";

fn create_mutation() -> String {
    format!("mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK} }} }}")
}

async fn create(app: &TestApp, input: Value) -> Value {
    app.graphql(&create_mutation(), json!({ "input": input }))
        .await
}

/// Creates a task and returns its id.
async fn create_id(app: &TestApp, input: Value) -> Value {
    data(&create(app, input).await)["createTask"]["id"].clone()
}

/// Runs `mutation(id: $id, <args>) { <TASK> }` as the admin.
async fn change(app: &TestApp, mutation: &str, args: &str, variables: Value) -> Value {
    change_as(app, &app.token, mutation, args, variables).await
}

async fn change_as(
    app: &TestApp,
    token: &str,
    mutation: &str,
    args: &str,
    variables: Value,
) -> Value {
    let declared = if args.contains("$status") {
        ", $status: TaskStatus!"
    } else if args.contains("$to") {
        ", $to: ID"
    } else if args.contains("$input") {
        ", $input: UpdateTaskInput!"
    } else {
        ""
    };
    let query =
        format!("mutation($id: ID!{declared}) {{ {mutation}(id: $id{args}) {{ {TASK} }} }}");
    app.graphql_as(token, &query, variables).await
}

/// The actions recorded on a task, oldest first, with their details.
async fn history(app: &TestApp, task_id: &Value) -> Vec<(String, Value)> {
    let body = app.graphql(HISTORY, json!({ "id": task_id })).await;
    data(&body)["activities"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|e| {
                    (
                        e["node"]["action"].as_str().unwrap_or("").to_owned(),
                        e["node"]["details"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The ids the task list returns for `filter`, in order.
async fn listed(app: &TestApp, filter: Value) -> Vec<Value> {
    let body = app.graphql(LIST, json!({ "filter": filter })).await;
    data(&body)["tasks"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|e| e["node"]["id"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_task_is_created_standalone_on_an_account_or_at_the_end_of_a_milestone() {
    let app = TestApp::spawn().await;
    let (account, owner) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let due = start_time() + Duration::days(2);

    let standalone = json!({
        "accountId": account,
        "title": " Call the CFO ",
        "assigneeId": owner,
        "dueAt": due.to_rfc3339(),
        "priority": "HIGH",
    });
    let standalone = create(&app, standalone).await;
    let milestone = &project["milestones"][1]["id"];
    let in_milestone =
        json!({ "accountId": account, "milestoneId": milestone, "title": "Send the recap" });
    let in_milestone = create(&app, in_milestone).await;

    let task = &data(&standalone)["createTask"];
    assert_eq!(
        (
            task["title"].clone(),
            task["status"].clone(),
            task["priority"].clone()
        ),
        (json!("Call the CFO"), json!("OPEN"), json!("HIGH"))
    );
    assert_eq!(
        (
            task["assignee"]["email"].clone(),
            task["project"].clone(),
            task["assigneeRule"].clone()
        ),
        (json!("owner@acme.io"), Value::Null, Value::Null)
    );
    assert_eq!(
        (
            at(&task["dueAt"]),
            task["overdue"].clone(),
            task["escalationLevel"].clone()
        ),
        (due, json!(false), json!(0))
    );
    let task = &data(&in_milestone)["createTask"];
    assert_eq!(
        (
            task["project"]["name"].clone(),
            task["milestone"]["title"].clone()
        ),
        (json!("NPS Detractor: Acme"), json!("Address the concerns"))
    );
    assert_eq!(
        (task["priority"].clone(), task["assignee"].clone()),
        (json!("NORMAL"), Value::Null)
    );
    let body = app
        .graphql(
            "query($id: ID!) { project(id: $id) { milestones { tasks { title } } } }",
            json!({ "id": project["id"] }),
        )
        .await;
    assert_eq!(
        data(&body)["project"]["milestones"][1]["tasks"][3]["title"],
        "Send the recap"
    );
    let created = history(&app, &task["id"]).await;
    assert_eq!(
        created.first().map(|(action, _)| action.as_str()),
        Some("task.created")
    );
}

#[tokio::test]
async fn a_task_in_the_wrong_project_milestone_or_workspace_is_refused() {
    let app = TestApp::spawn().await;
    let (acme, _) = owned_account(&app, "Acme", None).await;
    let (globex, _) = owned_account(&app, "Globex", None).await;
    let acme_project = data(&start_detractor(&app, &acme, json!({})).await)["startProject"].clone();
    let globex_project =
        data(&start_detractor(&app, &globex, json!({})).await)["startProject"].clone();

    let other_account = create(
        &app,
        json!({ "accountId": acme, "projectId": globex_project["id"], "title": "T" }),
    )
    .await;
    let other_project = json!({
        "accountId": acme,
        "projectId": acme_project["id"],
        "milestoneId": globex_project["milestones"][0]["id"],
        "title": "T",
    });
    let other_project = create(&app, other_project).await;
    let empty_title = create(&app, json!({ "accountId": acme, "title": "  " })).await;
    let bad_id = create(&app, json!({ "accountId": "acme", "title": "T" })).await;
    let unknown_assignee = create(
        &app,
        json!({ "accountId": acme, "title": "T", "assigneeId": Uuid::now_v7() }),
    )
    .await;
    let unknown_milestone = create(
        &app,
        json!({ "accountId": acme, "title": "T", "milestoneId": Uuid::now_v7() }),
    )
    .await;

    assert_eq!(error_code(&other_account), Some("BAD_USER_INPUT"));
    assert_eq!(
        other_account["errors"][0]["extensions"]["field"],
        "projectId"
    );
    assert_eq!(error_code(&other_project), Some("BAD_USER_INPUT"));
    assert_eq!(
        other_project["errors"][0]["extensions"]["field"],
        "milestoneId"
    );
    assert_eq!(error_code(&empty_title), Some("BAD_USER_INPUT"));
    assert_eq!(bad_id["errors"][0]["extensions"]["field"], "accountId");
    assert_eq!(error_code(&unknown_assignee), Some("NOT_FOUND"));
    assert_eq!(error_code(&unknown_milestone), Some("NOT_FOUND"));
    assert_eq!(
        listed(&app, json!({ "accountId": acme })).await.len(),
        10,
        "only the blueprint's tasks"
    );
}

#[tokio::test]
async fn an_update_records_each_changed_field_from_and_to() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let due = start_time() + Duration::days(1);
    let input = json!({
        "accountId": account,
        "title": "Call",
        "description": "Ask why",
        "dueAt": due.to_rfc3339(),
    });
    let id = create_id(&app, input).await;

    let changes = json!({
        "id": id,
        "input": {
            "title": "Call the CFO",
            "description": null,
            "dueAt": null,
            "priority": "URGENT",
        },
    });
    let body = change(&app, "updateTask", ", input: $input", changes).await;
    let unchanged = change(
        &app,
        "updateTask",
        ", input: $input",
        json!({ "id": id, "input": { "title": "Call the CFO" } }),
    )
    .await;
    let empty = change(
        &app,
        "updateTask",
        ", input: $input",
        json!({ "id": id, "input": { "title": "" } }),
    )
    .await;

    let task = &data(&body)["updateTask"];
    assert_eq!(
        (
            task["title"].clone(),
            task["description"].clone(),
            task["dueAt"].clone(),
            task["priority"].clone()
        ),
        (
            json!("Call the CFO"),
            Value::Null,
            Value::Null,
            json!("URGENT")
        )
    );
    assert_eq!(data(&unchanged)["updateTask"]["title"], "Call the CFO");
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"));
    let updates: Vec<Value> = history(&app, &id)
        .await
        .into_iter()
        .filter(|(a, _)| a == "task.updated")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        updates.len(),
        1,
        "an update that changes nothing is not recorded"
    );
    assert_eq!(
        updates[0]["title"],
        json!({ "from": "Call", "to": "Call the CFO" })
    );
    assert_eq!(
        updates[0]["description"],
        json!({ "from": "Ask why", "to": null })
    );
    assert_eq!(
        updates[0]["priority"],
        json!({ "from": "NORMAL", "to": "URGENT" })
    );
    assert_eq!(at(&updates[0]["dueAt"]["from"]), due);
}

#[tokio::test]
async fn assigning_by_hand_ends_the_owner_rule_and_null_unassigns() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let task = tasks_of(&data(&start_detractor(&app, &account, json!({})).await)["startProject"])
        [0]
    .clone();
    let olga = add_member(&app, "olga@acme.io", None).await;

    let assigned = change(
        &app,
        "assignTask",
        ", assigneeId: $to",
        json!({ "id": task["id"], "to": olga }),
    )
    .await;
    let unassigned = change(
        &app,
        "assignTask",
        ", assigneeId: $to",
        json!({ "id": task["id"], "to": null }),
    )
    .await;
    let unknown = change(
        &app,
        "assignTask",
        ", assigneeId: $to",
        json!({ "id": task["id"], "to": Uuid::now_v7() }),
    )
    .await;

    assert_eq!(task["assigneeRule"], "ACCOUNT_OWNER");
    let after = &data(&assigned)["assignTask"];
    assert_eq!(
        (
            after["assignee"]["email"].clone(),
            after["assigneeRule"].clone()
        ),
        (json!("olga@acme.io"), Value::Null)
    );
    assert_eq!(data(&unassigned)["assignTask"]["assignee"], Value::Null);
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    let assignments: Vec<Value> = history(&app, &task["id"])
        .await
        .into_iter()
        .filter(|(a, _)| a == "task.assigned")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(assignments.len(), 2);
    assert_eq!(assignments[0]["to"], olga);
    assert_eq!(assignments[1], json!({ "from": olga, "to": null }));
}

#[tokio::test]
async fn a_task_moves_through_its_statuses_and_impossible_moves_are_conflicts() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let id = create_id(&app, json!({ "accountId": account, "title": "Call" })).await;
    let set = |status: &'static str| {
        change(
            &app,
            "setTaskStatus",
            ", status: $status",
            json!({ "id": id, "status": status }),
        )
    };
    let call = |mutation: &'static str| change(&app, mutation, "", json!({ "id": id }));
    app.clock.advance(Duration::hours(2));

    let in_progress = set("IN_PROGRESS").await;
    let same_again = set("IN_PROGRESS").await;
    let reopen_open = call("reopenTask").await;
    let done = call("completeTask").await;
    let done_again = call("completeTask").await;
    let done_to_cancelled = set("CANCELLED").await;
    let reopened = call("reopenTask").await;
    let cancelled = set("CANCELLED").await;
    let complete_cancelled = call("completeTask").await;

    assert_eq!(data(&in_progress)["setTaskStatus"]["status"], "IN_PROGRESS");
    let finished = &data(&done)["completeTask"];
    assert_eq!(
        (finished["status"].clone(), at(&finished["completedAt"])),
        (json!("DONE"), start_time() + Duration::hours(2))
    );
    assert_eq!(data(&reopened)["reopenTask"]["completedAt"], Value::Null);
    assert_eq!(data(&reopened)["reopenTask"]["status"], "OPEN");
    assert_eq!(data(&cancelled)["setTaskStatus"]["status"], "CANCELLED");
    for refused in [
        &same_again,
        &reopen_open,
        &done_again,
        &done_to_cancelled,
        &complete_cancelled,
    ] {
        assert_eq!(error_code(refused), Some("CONFLICT"), "{refused}");
    }
    let actions: Vec<(String, Value)> = history(&app, &id).await;
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "task.created",
            "task.status_changed",
            "task.completed",
            "task.reopened",
            "task.status_changed"
        ]
    );
    assert_eq!(actions[2].1, json!({ "from": "IN_PROGRESS", "to": "DONE" }));
}

#[tokio::test]
async fn task_filters_combine() {
    let app = TestApp::spawn().await;
    let (acme, acme_owner) = owned_account(&app, "Acme", None).await;
    let (globex, _) = owned_account(&app, "Globex", None).await;
    let project = data(&start_detractor(&app, &acme, json!({})).await)["startProject"].clone();
    let project_tasks: Vec<Value> = tasks_of(&project).iter().map(|t| t["id"].clone()).collect();
    let renewal = json!({
        "accountId": acme,
        "title": "Renewal",
        "assigneeId": acme_owner,
        "dueAt": (start_time() + Duration::days(20)).to_rfc3339(),
    });
    let standalone = create_id(&app, renewal).await;
    let undated = create_id(
        &app,
        json!({ "accountId": acme, "title": "Someday", "assigneeId": acme_owner }),
    )
    .await;
    let elsewhere = create_id(&app, json!({ "accountId": globex, "title": "Globex call" })).await;
    data(&change(&app, "completeTask", "", json!({ "id": project_tasks[0] })).await);
    data(
        &change(
            &app,
            "setTaskStatus",
            ", status: $status",
            json!({ "id": project_tasks[1], "status": "BLOCKED" }),
        )
        .await,
    );
    app.clock.advance(Duration::days(4));

    let overdue = listed(&app, json!({ "overdue": true })).await;
    let not_overdue_of_owner =
        listed(&app, json!({ "overdue": false, "assigneeId": acme_owner })).await;
    let blocked_or_done = listed(
        &app,
        json!({ "status": ["BLOCKED", "DONE"], "accountId": acme }),
    )
    .await;
    let detractor_overdue = listed(
        &app,
        json!({ "projectKind": "NPS_DETRACTOR", "overdue": true, "status": ["OPEN"] }),
    )
    .await;
    let of_project = listed(
        &app,
        json!({ "projectId": project["id"], "assigneeId": acme_owner, "status": ["OPEN"] }),
    )
    .await;
    let of_globex = listed(&app, json!({ "accountId": globex })).await;
    let promoter = listed(&app, json!({ "projectKind": "NPS_PROMOTER" })).await;

    assert_eq!(
        overdue,
        project_tasks[1..4].to_vec(),
        "open and due by day 3"
    );
    let mut expected = vec![project_tasks[0].clone()];
    expected.extend_from_slice(&project_tasks[4..]);
    expected.extend([standalone, undated]);
    assert_eq!(not_overdue_of_owner, expected);
    assert_eq!(blocked_or_done, project_tasks[..2].to_vec());
    assert_eq!(detractor_overdue, project_tasks[2..4].to_vec());
    assert_eq!(of_project, project_tasks[2..].to_vec());
    assert_eq!(of_globex, vec![elsewhere]);
    assert!(promoter.is_empty());
    let body = app
        .graphql(
            "query($id: ID!) { task(id: $id) { overdue } }",
            json!({ "id": project_tasks[2] }),
        )
        .await;
    assert_eq!(data(&body)["task"]["overdue"], true);
}

#[tokio::test]
async fn paging_is_bounded_and_walks_every_task_once_in_order_while_tasks_are_added() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(
            create_id(
                &app,
                json!({ "accountId": account, "title": format!("Task {n}") }),
            )
            .await,
        );
    }
    let page = "query($after: String) { tasks(first: 3, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }";

    let zero = app
        .graphql("{ tasks(first: 0) { edges { node { id } } } }", json!({}))
        .await;
    let too_many = app
        .graphql("{ tasks(first: 101) { edges { node { id } } } }", json!({}))
        .await;
    let bad_cursor = app
        .graphql(
            "{ tasks(after: \"nope\") { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.graphql(page, json!({ "after": after })).await;
        let connection = &data(&body)["tasks"];
        seen.extend(
            connection["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        if seen.len() == 3 {
            created.push(
                create_id(
                    &app,
                    json!({ "accountId": account, "title": "Added while paging" }),
                )
                .await,
            );
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }

    for refused in [&zero, &too_many, &bad_cursor] {
        assert_eq!(error_code(refused), Some("BAD_USER_INPUT"), "{refused}");
    }
    assert_eq!(seen, created);
}

#[tokio::test]
async fn another_workspace_cannot_read_list_or_change_a_task() {
    let app = TestApp::spawn().await;
    let (account, owner) = owned_account(&app, "Acme", None).await;
    let id = create_id(&app, json!({ "accountId": account, "title": "Call" })).await;
    let other = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let theirs = crate::accounts::member_id(&app, &other).await;

    let read = app
        .graphql_as(
            &other,
            "query($id: ID!) { task(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    let complete = change_as(&app, &other, "completeTask", "", json!({ "id": id })).await;
    let assign = change_as(
        &app,
        &other,
        "assignTask",
        ", assigneeId: $to",
        json!({ "id": id, "to": theirs }),
    )
    .await;
    let assign_theirs = change(
        &app,
        "assignTask",
        ", assigneeId: $to",
        json!({ "id": id, "to": theirs }),
    )
    .await;
    let create_on_mine = app
        .graphql_as(
            &other,
            &create_mutation(),
            json!({ "input": { "accountId": account, "title": "Mine now" } }),
        )
        .await;
    let listed_there = app
        .graphql_as(&other, "{ tasks { edges { node { id } } } }", json!({}))
        .await;

    for refused in [&read, &complete, &assign, &assign_theirs, &create_on_mine] {
        assert_eq!(error_code(refused), Some("NOT_FOUND"), "{refused}");
    }
    assert_eq!(data(&listed_there)["tasks"]["edges"], json!([]));
    let after = app
        .graphql(
            "query($id: ID!) { task(id: $id) { status assignee { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data(&after)["task"],
        json!({ "status": "OPEN", "assignee": null })
    );
    assert_ne!(owner, theirs);
}

#[tokio::test]
async fn viewers_read_tasks_but_cannot_change_them() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let id = create_id(&app, json!({ "accountId": account, "title": "Call" })).await;
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;

    let read = app
        .graphql_as(
            &viewer,
            "query($id: ID!) { task(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    let create = app
        .graphql_as(
            &viewer,
            &create_mutation(),
            json!({ "input": { "accountId": account, "title": "T" } }),
        )
        .await;
    let complete = change_as(&app, &viewer, "completeTask", "", json!({ "id": id })).await;
    let status = change_as(
        &app,
        &viewer,
        "setTaskStatus",
        ", status: $status",
        json!({ "id": id, "status": "BLOCKED" }),
    )
    .await;
    let update = change_as(
        &app,
        &viewer,
        "updateTask",
        ", input: $input",
        json!({ "id": id, "input": { "title": "X" } }),
    )
    .await;

    assert_eq!(data(&read)["task"]["title"], "Call");
    for refused in [&create, &complete, &status, &update] {
        assert_eq!(error_code(refused), Some("FORBIDDEN"), "{refused}");
    }
}

#[tokio::test]
async fn a_new_account_owner_takes_over_the_open_tasks_that_follow_the_owner() {
    let app = TestApp::spawn().await;
    let manager = add_member(&app, "maria@acme.io", None).await;
    let (account, old_owner) = owned_account(&app, "Acme", None).await;
    let new_owner = add_member(&app, "nina@acme.io", Some(&manager)).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let tasks = tasks_of(&project);
    data(&change(&app, "completeTask", "", json!({ "id": tasks[0]["id"] })).await);
    data(
        &change(
            &app,
            "assignTask",
            ", assigneeId: $to",
            json!({ "id": tasks[1]["id"], "to": old_owner }),
        )
        .await,
    );
    let uuid = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .expect("uuid")
    };
    let workspace_id = default_workspace_id(&app).await;

    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    let moved = reassign_owner_rule_tasks(
        &txn,
        workspace_id,
        uuid(&account),
        Some(uuid(&old_owner)),
        Some(uuid(&new_owner)),
        None,
        app.clock.now(),
    )
    .await
    .expect("reassign");
    txn.commit().await.expect("commit");

    assert_eq!(moved, 8);
    let query =
        "query($id: ID!) { project(id: $id) { milestones { tasks { assignee { email } } } } }";
    let body = app.graphql(query, json!({ "id": project["id"] })).await;
    let emails: Vec<Value> = tasks_of(&data(&body)["project"])
        .iter()
        .map(|t| t["assignee"]["email"].clone())
        .collect();
    let mut expected = vec![json!("owner@acme.io"), json!("owner@acme.io")];
    expected.extend(std::iter::repeat_n(json!("nina@acme.io"), 4));
    expected.extend([
        json!("maria@acme.io"),
        json!("nina@acme.io"),
        json!("nina@acme.io"),
        json!("nina@acme.io"),
    ]);
    assert_eq!(
        emails, expected,
        "done and hand-assigned tasks stay; the manager task goes to the new manager"
    );
    let moved_history = history(&app, &tasks[6]["id"]).await;
    assert_eq!(
        moved_history
            .last()
            .map(|(a, d)| (a.as_str(), d["reason"].clone())),
        Some(("task.assigned", json!("account_owner_changed")))
    );
}
