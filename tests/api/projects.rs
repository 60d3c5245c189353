//! Projects: starting the detractor blueprint, rescheduling, milestone progress, the
//! project lifecycle, filters, refusals, isolation, and no N+1 on nested pages.

use chrono::{DateTime, Duration, Utc};
use closeloop::clock::Clock;
use closeloop::entities::enums::{MemberRole, Severity};
use closeloop::projects::service::{self as projects, StartProject};
use serde_json::{Value, json};

use crate::accounts::{create_account, default_workspace_id};
use crate::helpers::{TestApp, data, error_code, start_time};

const PROJECT: &str = "id name kind status severity startsAt completedAt accountId account { name }
    owner { email } template { name } progress { total done }
    milestones { id position title completedAt
        tasks { id title dueAt status priority assigneeRule assignee { email } } }";

const READ: &str = "query($id: ID!) { project(id: $id) {
    id name status severity startsAt completedAt owner { email } progress { total done }
    milestones { title completedAt tasks { id title dueAt status } } } }";

const HISTORY: &str = "query($id: ID!) { activities(projectId: $id, first: 10) {
    edges { node { action details actor { email } } } } }";

const MOVE_START: &str = "mutation($id: ID!, $at: DateTime!) {
    moveProjectStart(id: $id, startsAt: $at) { startsAt } }";

const UPDATE: &str = "mutation($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { name severity owner { email } } }";

const TEMPLATES: &str = "{ projectTemplates(kind: NPS_DETRACTOR, first: 10) {
    edges { node { id builtinKey } } } }";

const COMPLETE_TASK: &str = "mutation($id: ID!) { completeTask(id: $id) { id } }";
const SET_STATUS: &str =
    "mutation($id: ID!, $status: TaskStatus!) { setTaskStatus(id: $id, status: $status) { id } }";

/// A task of the blueprint: its title, the days from the start it is due, and who does it.
type ExpectedTask = (&'static str, i64, &'static str);

/// The detractor blueprint as a team sees it: each milestone with its tasks.
const DETRACTOR: [(&str, &[ExpectedTask]); 4] = [
    (
        "Research",
        &[
            (
                "Read the NPS comment and the account's recent history",
                0,
                "owner",
            ),
            (
                "Check open support tickets and product usage for the last 90 days",
                1,
                "owner",
            ),
            (
                "Reach out to the contact to acknowledge their feedback",
                1,
                "owner",
            ),
        ],
    ),
    (
        "Address the concerns",
        &[
            ("Hold a call to understand the root cause", 3, "owner"),
            ("Agree on an action plan with the contact", 5, "owner"),
            ("Log product feedback for the product team", 5, "owner"),
        ],
    ),
    (
        "Internal follow-up",
        &[
            ("Review the case with your manager", 7, "manager"),
            ("Escalate blockers to the responsible team", 7, "owner"),
        ],
    ),
    (
        "Close the loop",
        &[
            (
                "Confirm the concerns are resolved with the contact",
                12,
                "owner",
            ),
            ("Record the outcome and lessons learned", 14, "owner"),
        ],
    ),
];

/// Adds a CSM or manager; returns their id.
pub async fn add_member(app: &TestApp, email: &str, manager_id: Option<&Value>) -> Value {
    let body = app
        .graphql(
            "mutation($input: CreateTeamMemberInput!) { createTeamMember(input: $input) { id } }",
            json!({
                "input": { "email": email, "name": email, "role": "CSM", "managerId": manager_id },
            }),
        )
        .await;
    data(&body)["createTeamMember"]["id"].clone()
}

/// The id of the workspace's built-in NPS Detractor blueprint.
pub async fn detractor_template(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(token, TEMPLATES, json!({})).await;
    let edges = data(&body)["projectTemplates"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    edges
        .into_iter()
        .find(|edge| edge["node"]["builtinKey"] == "nps_detractor")
        .map(|edge| edge["node"]["id"].clone())
        .expect("built-in detractor template")
}

/// Starts the detractor blueprint for an account as the admin; returns the response body.
pub async fn start_detractor(app: &TestApp, account_id: &Value, extra: Value) -> Value {
    let mut input =
        json!({ "accountId": account_id, "templateId": detractor_template(app, &app.token).await });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    let query = format!(
        "mutation($input: StartProjectInput!) {{ startProject(input: $input) {{ {PROJECT} }} }}"
    );
    app.graphql(&query, json!({ "input": input })).await
}

/// An account owned by a new CSM; returns (account id, owner id).
pub async fn owned_account(
    app: &TestApp,
    name: &str,
    manager_id: Option<&Value>,
) -> (Value, Value) {
    let owner = add_member(
        app,
        &format!("owner@{}.io", name.to_lowercase()),
        manager_id,
    )
    .await;
    let account = create_account(app, json!({ "name": name, "ownerId": owner })).await;
    (account, owner)
}

pub fn at(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a date"))
        .expect("an RFC 3339 date")
        .with_timezone(&Utc)
}

/// Every task of a project in milestone order.
pub fn tasks_of(project: &Value) -> Vec<Value> {
    project["milestones"]
        .as_array()
        .map(|milestones| {
            milestones
                .iter()
                .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

async fn read(app: &TestApp, id: &Value) -> Value {
    let body = app.graphql(READ, json!({ "id": id })).await;
    data(&body)["project"].clone()
}

async fn mutate(app: &TestApp, mutation: &str, id: &Value) -> Value {
    let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id status completedAt }} }}");
    app.graphql(&query, json!({ "id": id })).await
}

#[tokio::test]
async fn starting_the_detractor_blueprint_copies_its_milestones_dates_and_assignees() {
    let app = TestApp::spawn().await;
    let manager = add_member(&app, "maria@acme.io", None).await;
    let (account, _) = owned_account(&app, "Acme", Some(&manager)).await;

    let body = start_detractor(&app, &account, json!({ "severity": "HIGH" })).await;

    let project = &data(&body)["startProject"];
    assert_eq!(project["name"], "NPS Detractor: Acme");
    assert_eq!(
        (
            project["kind"].clone(),
            project["status"].clone(),
            project["severity"].clone()
        ),
        (json!("NPS_DETRACTOR"), json!("ACTIVE"), json!("HIGH"))
    );
    assert_eq!(
        (
            project["owner"]["email"].clone(),
            project["template"]["name"].clone(),
            project["account"]["name"].clone()
        ),
        (
            json!("owner@acme.io"),
            json!("NPS Detractor"),
            json!("Acme")
        )
    );
    assert_eq!(at(&project["startsAt"]), start_time());
    assert_eq!(project["progress"], json!({ "total": 10, "done": 0 }));
    let milestones = project["milestones"].as_array().expect("milestones");
    assert_eq!(milestones.len(), DETRACTOR.len());
    for (position, (milestone, (title, tasks))) in milestones.iter().zip(DETRACTOR).enumerate() {
        assert_eq!(
            (milestone["position"].as_u64(), milestone["title"].as_str()),
            (Some(position as u64), Some(title))
        );
        let got: Vec<(String, DateTime<Utc>, String)> = milestone["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|t| {
                (
                    t["title"].as_str().unwrap_or("").to_owned(),
                    at(&t["dueAt"]),
                    t["assignee"]["email"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, DateTime<Utc>, String)> = tasks
            .iter()
            .map(|(title, days, who)| {
                let email = if *who == "manager" {
                    "maria@acme.io"
                } else {
                    "owner@acme.io"
                };
                (
                    (*title).to_owned(),
                    start_time() + Duration::days(*days),
                    email.to_owned(),
                )
            })
            .collect();
        assert_eq!(got, expected);
    }
    let reach_out = &tasks_of(project)[2];
    assert_eq!(
        (
            reach_out["priority"].clone(),
            reach_out["assigneeRule"].clone()
        ),
        (json!("HIGH"), json!("ACCOUNT_OWNER"))
    );
}

#[tokio::test]
async fn owner_manager_tasks_go_to_the_owner_when_the_owner_has_no_manager() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Initech", None).await;

    let body = start_detractor(&app, &account, json!({})).await;

    let tasks = tasks_of(&data(&body)["startProject"]);
    let review = tasks
        .iter()
        .find(|t| t["title"] == "Review the case with your manager")
        .expect("review task");
    assert_eq!(review["assigneeRule"], "OWNER_MANAGER");
    assert_eq!(review["assignee"]["email"], "owner@initech.io");
    assert!(
        tasks
            .iter()
            .all(|t| t["assignee"]["email"] == "owner@initech.io")
    );
}

#[tokio::test]
async fn a_start_time_and_owner_given_are_kept_and_the_start_is_recorded() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Globex", None).await;
    let other_owner = add_member(&app, "olga@acme.io", None).await;
    let starts_at = start_time() + Duration::days(3) + Duration::minutes(90);

    let given = json!({
        "startsAt": starts_at.to_rfc3339(),
        "ownerId": other_owner,
        "name": "Win back Globex",
    });
    let body = start_detractor(&app, &account, given).await;

    let project = &data(&body)["startProject"];
    assert_eq!(
        (project["name"].clone(), project["owner"]["email"].clone()),
        (json!("Win back Globex"), json!("olga@acme.io"))
    );
    let last = tasks_of(project).pop().expect("tasks");
    assert_eq!(at(&last["dueAt"]), starts_at + Duration::days(14));
    assert_eq!(
        last["assignee"]["email"], "owner@globex.io",
        "tasks follow the account's owner"
    );
    let history = app.graphql(HISTORY, json!({ "id": project["id"] })).await;
    let first = &data(&history)["activities"]["edges"][0]["node"];
    assert_eq!(
        (
            first["action"].clone(),
            first["details"]["taskCount"].clone()
        ),
        (json!("project.started"), json!(10))
    );
    assert_eq!(first["actor"]["email"], "admin@closeloop.localhost");
}

#[tokio::test]
async fn moving_the_start_shifts_the_due_dates_of_open_tasks_only() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let tasks = tasks_of(&project);
    data(
        &app.graphql(COMPLETE_TASK, json!({ "id": tasks[0]["id"] }))
            .await,
    );
    data(
        &app.graphql(
            SET_STATUS,
            json!({ "id": tasks[1]["id"], "status": "CANCELLED" }),
        )
        .await,
    );
    data(
        &app.graphql(
            SET_STATUS,
            json!({ "id": tasks[2]["id"], "status": "BLOCKED" }),
        )
        .await,
    );
    let new_start = start_time() + Duration::days(2) + Duration::hours(3);

    let body = app
        .graphql(
            MOVE_START,
            json!({ "id": project["id"], "at": new_start.to_rfc3339() }),
        )
        .await;

    assert_eq!(at(&data(&body)["moveProjectStart"]["startsAt"]), new_start);
    let after = tasks_of(&read(&app, &project["id"]).await);
    let shift = Duration::days(2) + Duration::hours(3);
    for (i, (before, now)) in tasks.iter().zip(&after).enumerate() {
        let expected = if i < 2 {
            at(&before["dueAt"])
        } else {
            at(&before["dueAt"]) + shift
        };
        assert_eq!(at(&now["dueAt"]), expected, "task {i} ({})", now["status"]);
    }
}

#[tokio::test]
async fn completing_every_task_of_a_milestone_completes_it_and_reopening_one_reopens_it() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let research = project["milestones"][0]["tasks"]
        .as_array()
        .cloned()
        .expect("tasks");
    app.clock.advance(Duration::hours(5));

    for task in &research[..2] {
        data(
            &app.graphql(COMPLETE_TASK, json!({ "id": task["id"] }))
                .await,
        );
    }
    let partly = read(&app, &project["id"]).await;
    data(
        &app.graphql(
            SET_STATUS,
            json!({ "id": research[2]["id"], "status": "CANCELLED" }),
        )
        .await,
    );
    let complete = read(&app, &project["id"]).await;
    data(
        &app.graphql(
            "mutation($id: ID!) { reopenTask(id: $id) { id } }",
            json!({ "id": research[0]["id"] }),
        )
        .await,
    );
    let reopened = read(&app, &project["id"]).await;

    assert_eq!(partly["milestones"][0]["completedAt"], Value::Null);
    assert_eq!(
        at(&complete["milestones"][0]["completedAt"]),
        start_time() + Duration::hours(5)
    );
    assert_eq!(complete["milestones"][1]["completedAt"], Value::Null);
    assert_eq!(complete["progress"], json!({ "total": 9, "done": 2 }));
    assert_eq!(reopened["milestones"][0]["completedAt"], Value::Null);
    assert_eq!(reopened["progress"], json!({ "total": 9, "done": 1 }));
}

#[tokio::test]
async fn a_project_is_completed_cancelled_and_reopened_but_never_twice() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let id = &project["id"];

    let completed = mutate(&app, "completeProject", id).await;
    let completed_again = mutate(&app, "completeProject", id).await;
    let cancel_completed = mutate(&app, "cancelProject", id).await;
    let moved = app
        .graphql(
            MOVE_START,
            json!({ "id": id, "at": start_time().to_rfc3339() }),
        )
        .await;
    let reopened = mutate(&app, "reopenProject", id).await;
    let reopened_again = mutate(&app, "reopenProject", id).await;
    let cancelled = mutate(&app, "cancelProject", id).await;

    assert_eq!(data(&completed)["completeProject"]["status"], "COMPLETED");
    assert_eq!(
        at(&data(&completed)["completeProject"]["completedAt"]),
        start_time()
    );
    for refused in [&completed_again, &cancel_completed, &moved, &reopened_again] {
        assert_eq!(error_code(refused), Some("CONFLICT"), "{refused}");
    }
    assert_eq!(
        data(&reopened)["reopenProject"],
        json!({ "id": id, "status": "ACTIVE", "completedAt": null })
    );
    assert_eq!(data(&cancelled)["cancelProject"]["status"], "CANCELLED");
    let after = read(&app, id).await;
    assert!(tasks_of(&after).iter().all(|t| t["status"] == "CANCELLED"));
    assert_eq!(after["progress"], json!({ "total": 0, "done": 0 }));
}

#[tokio::test]
async fn an_update_changes_name_severity_and_owner_and_records_what_changed() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let olga = add_member(&app, "olga@acme.io", None).await;

    let body = app
        .graphql(
            UPDATE,
            json!({
                "id": project["id"],
                "input": { "name": "Acme recovery", "severity": "HIGH", "ownerId": olga },
            }),
        )
        .await;
    let empty_name = app
        .graphql(
            "mutation($id: ID!) { updateProject(id: $id, input: { name: \" \" }) { name } }",
            json!({ "id": project["id"] }),
        )
        .await;

    assert_eq!(
        data(&body)["updateProject"],
        json!({ "name": "Acme recovery", "severity": "HIGH", "owner": { "email": "olga@acme.io" } })
    );
    assert_eq!(error_code(&empty_name), Some("BAD_USER_INPUT"));
    let history = app.graphql(HISTORY, json!({ "id": project["id"] })).await;
    let update = &data(&history)["activities"]["edges"][1]["node"];
    assert_eq!(update["action"], "project.updated");
    assert_eq!(
        update["details"]["name"],
        json!({ "from": "NPS Detractor: Acme", "to": "Acme recovery" })
    );
    assert_eq!(
        update["details"]["severity"],
        json!({ "from": "NORMAL", "to": "HIGH" })
    );
    assert_eq!(update["details"]["ownerId"]["to"], olga);
}

#[tokio::test]
async fn projects_are_filtered_by_account_status_and_kind() {
    let app = TestApp::spawn().await;
    let (acme, _) = owned_account(&app, "Acme", None).await;
    let (globex, _) = owned_account(&app, "Globex", None).await;
    let first = data(&start_detractor(&app, &acme, json!({})).await)["startProject"]["id"].clone();
    let second = data(&start_detractor(&app, &acme, json!({})).await)["startProject"]["id"].clone();
    let third =
        data(&start_detractor(&app, &globex, json!({})).await)["startProject"]["id"].clone();
    data(&mutate(&app, "completeProject", &second).await);
    let list = |args: &str| {
        let query = format!("{{ projects(first: 10{args}) {{ edges {{ node {{ id }} }} }} }}");
        let app = &app;
        async move {
            let body = app.graphql(&query, json!({})).await;
            data(&body)["projects"]["edges"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .map(|e| e["node"]["id"].clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };

    let all = list("").await;
    let of_acme = list(&format!(", accountId: {acme}")).await;
    let active_of_acme = list(&format!(", accountId: {acme}, status: ACTIVE")).await;
    let detractors = list(", kind: NPS_DETRACTOR, status: ACTIVE").await;
    let promoters = list(", kind: NPS_PROMOTER").await;

    assert_eq!(all, vec![first.clone(), second.clone(), third.clone()]);
    assert_eq!(of_acme, vec![first.clone(), second]);
    assert_eq!(active_of_acme, vec![first.clone()]);
    assert_eq!(detractors, vec![first, third]);
    assert!(promoters.is_empty());
}

#[tokio::test]
async fn bad_ids_and_input_are_refused_and_start_nothing() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let template = detractor_template(&app, &app.token).await;
    let start = "mutation($input: StartProjectInput!) { startProject(input: $input) { id } }";

    let bad_id = app
        .graphql(
            start,
            json!({ "input": { "accountId": account, "templateId": "nope" } }),
        )
        .await;
    let unknown_account = app
        .graphql(
            start,
            json!({ "input": { "accountId": uuid::Uuid::now_v7(), "templateId": template } }),
        )
        .await;
    let empty_name = app
        .graphql(
            start,
            json!({ "input": { "accountId": account, "templateId": template, "name": "" } }),
        )
        .await;
    let nobody = uuid::Uuid::now_v7();
    let unknown_owner = json!({ "accountId": account, "templateId": template, "ownerId": nobody });
    let unknown_owner = app.graphql(start, json!({ "input": unknown_owner })).await;

    assert_eq!(error_code(&bad_id), Some("BAD_USER_INPUT"));
    assert_eq!(bad_id["errors"][0]["extensions"]["field"], "templateId");
    assert_eq!(error_code(&unknown_account), Some("NOT_FOUND"));
    assert_eq!(error_code(&empty_name), Some("BAD_USER_INPUT"));
    assert_eq!(error_code(&unknown_owner), Some("NOT_FOUND"));
    let list = app
        .graphql(
            "{ projects { edges { node { id } } } tasks { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&list)["projects"]["edges"], json!([]));
    assert_eq!(data(&list)["tasks"]["edges"], json!([]));
}

#[tokio::test]
async fn another_workspace_cannot_see_start_or_change_a_project() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let other = app
        .token_for("Globex", "admin@globex.io", MemberRole::Admin)
        .await;
    let their_template = detractor_template(&app, &other).await;
    let my_template = detractor_template(&app, &app.token).await;
    let id = json!({ "id": project["id"] });

    let read = app
        .graphql_as(
            &other,
            "query($id: ID!) { project(id: $id) { name } }",
            id.clone(),
        )
        .await;
    let complete = app
        .graphql_as(
            &other,
            "mutation($id: ID!) { completeProject(id: $id) { id } }",
            id.clone(),
        )
        .await;
    let rename = app
        .graphql_as(
            &other,
            "mutation($id: ID!) { updateProject(id: $id, input: { name: \"Mine\" }) { id } }",
            id.clone(),
        )
        .await;
    let start_mine = app
        .graphql_as(
            &other,
            "mutation($input: StartProjectInput!) { startProject(input: $input) { id } }",
            json!({ "input": { "accountId": account, "templateId": their_template } }),
        )
        .await;
    let theirs_with_my_template = app
        .graphql(
            "mutation($input: StartProjectInput!) { startProject(input: $input) { id } }",
            json!({ "input": { "accountId": account, "templateId": their_template } }),
        )
        .await;
    let listed = app
        .graphql_as(&other, "{ projects { edges { node { id } } } }", json!({}))
        .await;

    for refused in [
        &read,
        &complete,
        &rename,
        &start_mine,
        &theirs_with_my_template,
    ] {
        assert_eq!(error_code(refused), Some("NOT_FOUND"), "{refused}");
    }
    assert_eq!(data(&listed)["projects"]["edges"], json!([]));
    assert_ne!(my_template, their_template);
    let after = app
        .graphql("query($id: ID!) { project(id: $id) { name status } }", id)
        .await;
    assert_eq!(
        data(&after)["project"],
        json!({ "name": "NPS Detractor: Acme", "status": "ACTIVE" })
    );
}

#[tokio::test]
async fn viewers_read_projects_but_cannot_start_or_change_them() {
    let app = TestApp::spawn().await;
    let (account, _) = owned_account(&app, "Acme", None).await;
    let project = data(&start_detractor(&app, &account, json!({})).await)["startProject"].clone();
    let viewer = app
        .token_for("Default workspace", "vera@acme.io", MemberRole::Viewer)
        .await;
    let template = detractor_template(&app, &viewer).await;

    let read = app
        .graphql_as(
            &viewer,
            "query($id: ID!) { project(id: $id) { status } }",
            json!({ "id": project["id"] }),
        )
        .await;
    let start = app
        .graphql_as(
            &viewer,
            "mutation($input: StartProjectInput!) { startProject(input: $input) { id } }",
            json!({ "input": { "accountId": account, "templateId": template } }),
        )
        .await;
    let complete = app
        .graphql_as(
            &viewer,
            "mutation($id: ID!) { completeProject(id: $id) { id } }",
            json!({ "id": project["id"] }),
        )
        .await;

    assert_eq!(data(&read)["project"]["status"], "ACTIVE");
    assert_eq!(error_code(&start), Some("FORBIDDEN"));
    assert_eq!(error_code(&complete), Some("FORBIDDEN"));
}

const NESTED: &str = "query($first: Int!) { projects(first: $first) { edges { node {
    name owner { email } account { name } template { name } progress { total done }
    milestones { title
        tasks { title overdue assignee { email } project { name } milestone { title } } }
} } } }";

/// 100 detractor projects, each on its own account, started through the service.
async fn seed_projects(app: &TestApp) {
    let workspace_id = default_workspace_id(app).await;
    let manager = add_member(app, "maria@acme.io", None).await;
    let (account, _) = owned_account(app, "Acme", Some(&manager)).await;
    let account_id = account
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("account id");
    let template = detractor_template(app, &app.token).await;
    let template_id = template
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("template id");
    let txn = closeloop::db::begin_write(&app.db)
        .await
        .expect("transaction");
    for _ in 0..100 {
        let start = StartProject {
            account_id,
            template_id,
            name: None,
            severity: Severity::Normal,
            starts_at: None,
            owner_id: None,
            triggering_response_id: None,
        };
        projects::start_project(&txn, workspace_id, None, start, app.clock.now())
            .await
            .expect("project");
    }
    txn.commit().await.expect("commit");
}

#[tokio::test]
async fn a_page_of_100_projects_with_milestones_tasks_and_assignees_costs_as_much_as_a_page_of_5() {
    let app = TestApp::spawn().await;
    seed_projects(&app).await;

    app.reset_statements();
    let five = app.graphql(NESTED, json!({ "first": 5 })).await;
    let five_statements = app.statement_count();
    app.reset_statements();
    let hundred = app.graphql(NESTED, json!({ "first": 100 })).await;
    let hundred_statements = app.statement_count();

    assert_eq!(
        data(&five)["projects"]["edges"].as_array().map(Vec::len),
        Some(5)
    );
    let edges = data(&hundred)["projects"]["edges"]
        .as_array()
        .cloned()
        .expect("edges");
    assert_eq!(edges.len(), 100);
    assert!(
        edges
            .iter()
            .all(|e| tasks_of(&e["node"]).len() == 10 && e["node"]["progress"]["total"] == 10)
    );
    assert_eq!(
        edges[99]["node"]["milestones"][2]["tasks"][0]["assignee"]["email"],
        "maria@acme.io"
    );
    assert_eq!(
        five_statements, hundred_statements,
        "statements for 5 projects vs 100"
    );
}
