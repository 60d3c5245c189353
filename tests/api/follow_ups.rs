//! Follow-ups after detractor projects: the email some days after completion, once however
//! often and on however many processes the job runs; what holds it back (an unsubscribed
//! contact, a reopened project, a playbook); the workspace's delay; and the link from a
//! later answer of the contact to the project, with the resolution figure that reads it.

use chrono::{DateTime, Duration, Utc};
use closeloop::clock::{Clock, SharedClock};
use closeloop::entities::enums::MemberRole;
use closeloop::entities::{contact, email_outbox, job_run};
use closeloop::escalation::schedule::Schedule;
use closeloop::follow_ups::job::{self, DEFAULT_CRON, FollowUpOptions};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::email::{Customer, app_sending_to};
use crate::escalation::march;
use crate::helpers::{TestApp, data, error_code};
use crate::ingestion::record;
use crate::smtp::SmtpServer;

const FOLLOW_UP: &str = "query($id: ID!) { project(id: $id) { status followUp { status dueAt sentAt reason emailId } } }";
const SUBJECT: &str = "Subject: Did we get it right?";

/// A detractor answer of the customer's contact at the clock's time; returns the id of the
/// project the built-in playbook started.
async fn detractor_project(app: &TestApp, customer: &Customer) -> Value {
    let body = record(
        app,
        json!({ "contactId": customer.contact_id.to_string(), "score": 3, "comment": "Slow support" }),
    )
    .await;
    data(&body)["recordNpsResponse"]["projectsStarted"][0]["id"].clone()
}

async fn change(app: &TestApp, mutation: &str, project: &Value) -> Value {
    let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ status }} }}");
    app.graphql(&query, json!({ "id": project })).await
}

async fn follow_up(app: &TestApp, project: &Value) -> Value {
    let body = app.graphql(FOLLOW_UP, json!({ "id": project })).await;
    data(&body)["project"]["followUp"].clone()
}

/// One scheduler tick of the follow-up job at the clock's time.
async fn tick(app: &TestApp) -> Vec<job_run::Model> {
    let schedule = Schedule::parse(DEFAULT_CRON).expect("schedule");
    let clock: SharedClock = app.clock.clone();
    job::run_due(&app.db, &clock, &schedule, &FollowUpOptions::default())
        .await
        .expect("follow-up tick")
}

/// Follow-up emails in the outbox, whatever their state.
async fn follow_ups_queued(app: &TestApp) -> u64 {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::TemplateKey.eq("detractor_follow_up"))
        .count(&app.db)
        .await
        .expect("outbox")
}

/// The follow-up emails the SMTP server received, by recipient.
fn follow_ups_received(smtp: &SmtpServer) -> Vec<Vec<String>> {
    smtp.received()
        .into_iter()
        .filter(|message| message.data.contains(SUBJECT))
        .map(|message| message.to)
        .collect()
}

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .expect("a time")
}

#[tokio::test]
async fn a_completed_detractor_project_gets_its_follow_up_seven_days_later_once() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    let completed_at = app.clock.now();

    app.clock.set(march(8, 10, 0));
    tick(&app).await;
    app.deliver_outbox().await;
    let after_six_days = follow_ups_received(&smtp);
    let waiting = follow_up(&app, &project).await;
    app.clock.set(march(9, 10, 0));
    tick(&app).await;
    tick(&app).await;
    let clock: SharedClock = app.clock.clone();
    job::run_now_everywhere(&app.db, &clock, &FollowUpOptions::default())
        .await
        .expect("run now");
    app.deliver_outbox().await;

    assert!(after_six_days.is_empty());
    assert_eq!(waiting["status"], "SCHEDULED");
    assert_eq!(at(&waiting["dueAt"]), completed_at + Duration::days(7));
    assert_eq!(follow_ups_received(&smtp), [["ada@initech.io"]]);
    let sent = follow_up(&app, &project).await;
    assert_eq!(sent["status"], "SENT");
    assert_eq!(at(&sent["sentAt"]), march(9, 10, 0));
    assert!(sent["emailId"].is_string());
    let history = app
        .graphql(
            HISTORY,
            json!({ "project": project, "contact": customer.contact_id.to_string() }),
        )
        .await;
    let actions: Vec<&str> = data(&history)["activities"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|edge| edge["node"]["action"].as_str())
        .filter(|action| action.contains("follow_up"))
        .collect();
    assert!(
        actions.contains(&"project.follow_up_scheduled"),
        "{actions:?}"
    );
    assert!(actions.contains(&"project.follow_up_sent"), "{actions:?}");
    assert_eq!(actions.len(), 2);
    let subjects: Vec<&str> = data(&history)["conversations"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|edge| edge["node"]["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"Did we get it right?"), "{subjects:?}");
}

const HISTORY: &str = "query($project: ID!, $contact: ID!) {
    activities(projectId: $project, first: 50) { edges { node { action } } }
    conversations(contactId: $contact, first: 50) { edges { node { subject direction } } } }";

#[tokio::test]
async fn three_jobs_firing_at_once_queue_the_follow_up_once() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(9, 10, 0));
    let workspace = closeloop::workspaces::service::find(&app.db, customer.workspace_id)
        .await
        .expect("workspace");
    let clock: SharedClock = app.clock.clone();
    let options = FollowUpOptions::default();
    let slot = |minute| job::run_slot(&app.db, &clock, &workspace, march(9, 10, minute), &options);

    let (a, b, c) = tokio::join!(tick(&app), tick(&app), tick(&app));
    let (x, y, z) = tokio::join!(slot(1), slot(2), slot(3));

    assert_eq!(a.len() + b.len() + c.len(), 1);
    let sent: i64 = [x, y, z]
        .into_iter()
        .chain(a.into_iter().chain(b).chain(c).map(|run| Ok(Some(run))))
        .map(|run| {
            run.expect("run").expect("claimed").counts["sent"]
                .as_i64()
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(sent, 1);
    assert_eq!(follow_ups_queued(&app).await, 1);
    assert_eq!(follow_up(&app, &project).await["status"], "SENT");
}

#[tokio::test]
async fn an_unsubscribed_contact_gets_no_follow_up_and_the_follow_up_says_why() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    contact::ActiveModel {
        id: Set(customer.contact_id),
        unsubscribed_at: Set(Some(app.clock.now())),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("unsubscribe");

    app.clock.set(march(9, 10, 0));
    let runs = tick(&app).await;

    assert_eq!(
        runs[0].counts,
        json!({ "sent": 0, "skipped": 1, "cancelled": 0 })
    );
    let skipped = follow_up(&app, &project).await;
    assert_eq!(skipped["status"], "SKIPPED");
    assert_eq!(skipped["reason"], "contact unsubscribed");
    assert_eq!(follow_ups_queued(&app).await, 0);
}

#[tokio::test]
async fn reopening_the_project_cancels_its_follow_up_and_completing_it_again_sends_none() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);

    app.clock.set(march(4, 9, 0));
    data(&change(&app, "reopenProject", &project).await);
    let after_reopening = follow_up(&app, &project).await;
    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(12, 10, 0));
    tick(&app).await;

    assert_eq!(after_reopening["status"], "CANCELLED");
    assert_eq!(after_reopening["reason"], "project reopened");
    assert_eq!(follow_up(&app, &project).await["status"], "CANCELLED");
    assert_eq!(follow_ups_queued(&app).await, 0);
}

async fn completion_playbook(app: &TestApp, actions: Value) -> Value {
    let input = json!({ "name": "After recovery", "trigger": "PROJECT_COMPLETED",
        "conditions": { "categories": ["DETRACTOR"] }, "actions": actions });
    app.graphql(
        "mutation($input: PlaybookInput!) { createPlaybook(input: $input) { id actions { __typename ... on ScheduleFollowUpAction { afterDays } } } }",
        json!({ "input": input }),
    )
    .await
}

#[tokio::test]
async fn a_project_completed_playbook_moves_the_follow_up() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let created =
        completion_playbook(&app, json!([{ "scheduleFollowUp": { "afterDays": 14 } }])).await;
    let project = detractor_project(&app, &customer).await;

    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(9, 10, 0));
    tick(&app).await;

    assert_eq!(
        data(&created)["createPlaybook"]["actions"],
        json!([{ "__typename": "ScheduleFollowUpAction", "afterDays": 14 }])
    );
    let moved = follow_up(&app, &project).await;
    assert_eq!(moved["status"], "SCHEDULED");
    assert_eq!(at(&moved["dueAt"]), march(16, 9, 0));
    assert_eq!(follow_ups_queued(&app).await, 0);
}

#[tokio::test]
async fn a_project_completed_playbook_skips_the_follow_up() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    data(
        &completion_playbook(
            &app,
            json!([{ "skipFollowUp": { "reason": "renewal call instead" } }]),
        )
        .await,
    );
    let project = detractor_project(&app, &customer).await;

    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(9, 10, 0));
    tick(&app).await;

    let skipped = follow_up(&app, &project).await;
    assert_eq!(skipped["status"], "SKIPPED");
    assert_eq!(skipped["reason"], "renewal call instead");
    assert_eq!(follow_ups_queued(&app).await, 0);
}

#[tokio::test]
async fn follow_up_actions_are_refused_outside_project_completed_playbooks_and_out_of_range() {
    let app = TestApp::spawn().await;
    let on_responses = json!({ "name": "Wrong trigger", "trigger": "NPS_RESPONSE_RECORDED",
        "actions": [{ "skipFollowUp": {} }] });

    let wrong_trigger = app
        .graphql(
            "mutation($input: PlaybookInput!) { createPlaybook(input: $input) { id } }",
            json!({ "input": on_responses }),
        )
        .await;
    let no_delay =
        completion_playbook(&app, json!([{ "scheduleFollowUp": { "afterDays": 0 } }])).await;

    assert_eq!(error_code(&wrong_trigger), Some("BAD_USER_INPUT"));
    assert_eq!(wrong_trigger["errors"][0]["extensions"]["field"], "actions");
    assert_eq!(error_code(&no_delay), Some("BAD_USER_INPUT"));
    assert_eq!(
        no_delay["errors"][0]["extensions"]["field"],
        "actions.scheduleFollowUp.afterDays"
    );
}

const DELAY: &str = "mutation($days: Int!) { updateWorkspace(input: { followUpDelayDays: $days }) { followUpDelayDays } }";

#[tokio::test]
async fn the_follow_up_delay_is_a_workspace_setting_admins_change_within_a_year() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let manager = app
        .token_for(
            "Default workspace",
            "lead@acme-cs.io",
            closeloop::entities::enums::MemberRole::Manager,
        )
        .await;

    let changed = app.graphql(DELAY, json!({ "days": 3 })).await;
    let too_long = app.graphql(DELAY, json!({ "days": 366 })).await;
    let none = app.graphql(DELAY, json!({ "days": 0 })).await;
    let by_manager = app.graphql_as(&manager, DELAY, json!({ "days": 30 })).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);

    assert_eq!(data(&changed)["updateWorkspace"]["followUpDelayDays"], 3);
    for refused in [&too_long, &none] {
        assert_eq!(error_code(refused), Some("BAD_USER_INPUT"));
        assert_eq!(
            refused["errors"][0]["extensions"]["field"],
            "followUpDelayDays"
        );
    }
    assert_eq!(error_code(&by_manager), Some("FORBIDDEN"));
    assert_eq!(
        at(&follow_up(&app, &project).await["dueAt"]),
        march(5, 9, 0)
    );
}

const LATER: &str =
    "query($id: ID!) { project(id: $id) { laterResponses { score followsProject { id } } } }";
const AFTER: &str =
    "query($from: DateTime!, $to: DateTime!) { detractorResolution(from: $from, to: $to) {
    afterProjects { projects completed followedUp answeredAgain recovered recoveredPercent } } }";

#[tokio::test]
async fn a_later_answer_of_the_contact_is_linked_to_the_project_and_counted_as_recovered() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(9, 10, 0));
    tick(&app).await;

    app.clock.set(march(20, 9, 0));
    let later = record(
        &app,
        json!({ "contactId": customer.contact_id.to_string(), "score": 9 }),
    )
    .await;
    let linked = app.graphql(LATER, json!({ "id": project })).await;
    let figures = app
        .graphql(
            AFTER,
            json!({ "from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z" }),
        )
        .await;

    assert_eq!(data(&later)["recordNpsResponse"]["created"], true);
    assert_eq!(
        data(&linked)["project"]["laterResponses"],
        json!([{ "score": 9, "followsProject": { "id": project } }])
    );
    assert_eq!(
        data(&figures)["detractorResolution"]["afterProjects"],
        json!({ "projects": 1, "completed": 1, "followedUp": 1, "answeredAgain": 1,
                "recovered": 1, "recoveredPercent": 100.0 })
    );
}

#[tokio::test]
async fn an_answer_of_another_contact_or_before_the_project_is_not_linked() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let colleague = app
        .graphql(
            "mutation($input: CreateContactInput!) { createContact(input: $input) { id } }",
            json!({ "input": { "accountId": customer.account_id, "email": "grace@initech.io", "role": "USER" } }),
        )
        .await;
    let colleague = data(&colleague)["createContact"]["id"].clone();
    let project = detractor_project(&app, &customer).await;

    app.clock.set(march(3, 9, 0));
    record(&app, json!({ "contactId": colleague, "score": 10 })).await;
    record(
        &app,
        json!({ "contactId": customer.contact_id.to_string(), "score": 8,
        "respondedAt": "2026-03-01T09:00:00Z" }),
    )
    .await;
    let linked = app.graphql(LATER, json!({ "id": project })).await;

    assert_eq!(data(&linked)["project"]["laterResponses"], json!([]));
}

const PROJECTS: &str = "query($first: Int!) { projects(first: $first) { edges { node {
    followUp { status dueAt } laterResponses { score followsProject { id } } } } } }";

/// `count` contacts of the customer's account, each with a completed detractor project and
/// a later answer linked to it.
async fn recovered_projects(app: &TestApp, customer: &Customer, count: usize) {
    for n in 0..count {
        let input = json!({ "accountId": customer.account_id, "email": format!("c{n}@initech.io"), "role": "USER" });
        let created = app
            .graphql(
                "mutation($input: CreateContactInput!) { createContact(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        let contact = data(&created)["createContact"]["id"].clone();
        let answered = record(app, json!({ "contactId": contact, "score": 2 })).await;
        let project = data(&answered)["recordNpsResponse"]["projectsStarted"][0]["id"].clone();
        data(&change(app, "completeProject", &project).await);
        app.clock.set(app.clock.now() + Duration::hours(1));
        data(&record(app, json!({ "contactId": contact, "score": 9 })).await);
    }
}

#[tokio::test]
async fn a_page_of_projects_with_follow_ups_and_later_answers_costs_the_same_statements_at_any_size()
 {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    recovered_projects(&app, &customer, 8).await;

    let (small, small_body) = app.fewest_statements(PROJECTS, json!({ "first": 2 })).await;
    let (large, large_body) = app.fewest_statements(PROJECTS, json!({ "first": 8 })).await;

    let nodes = data(&large_body)["projects"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 8);
    assert!(
        nodes
            .iter()
            .all(|edge| edge["node"]["followUp"]["status"] == "SCHEDULED"
                && edge["node"]["laterResponses"][0]["score"] == 9)
    );
    assert_eq!(
        data(&small_body)["projects"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(small, large);
}

#[tokio::test]
async fn an_admin_runs_the_follow_ups_now_and_no_one_else_may() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    let csm = app
        .token_for("Default workspace", "csm@acme.io", MemberRole::Csm)
        .await;
    let run_now = "mutation { runFollowUpsNow { jobName outcome counts { name value } } }";

    app.clock.set(app.clock.now() + Duration::days(8));
    let refused = app.graphql_as(&csm, run_now, json!({})).await;
    let still_waiting = follow_up(&app, &project).await;
    let ran = app.graphql(run_now, json!({})).await;
    let sent = follow_up(&app, &project).await;

    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    assert_eq!(still_waiting["status"], "SCHEDULED");
    let run = &data(&ran)["runFollowUpsNow"];
    assert_eq!(run["jobName"], "follow_ups");
    assert_eq!(run["outcome"], "succeeded");
    assert!(
        run["counts"]
            .as_array()
            .is_some_and(|c| c.contains(&json!({ "name": "sent", "value": 1 })))
    );
    assert_eq!(sent["status"], "SENT");
    assert_eq!(follow_ups_queued(&app).await, 1);
}

/// The statements one follow-up run takes when `count` follow-ups are due, and what it did.
async fn run_with_due(count: usize) -> (usize, u64, Vec<job_run::Model>) {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    recovered_projects(&app, &customer, count).await;
    app.clock.set(app.clock.now() + Duration::days(8));
    app.reset_statements();
    let runs = tick(&app).await;
    (app.statement_count(), follow_ups_queued(&app).await, runs)
}

#[tokio::test]
async fn a_run_takes_the_same_statements_for_two_due_follow_ups_as_for_eight() {
    let (small, small_queued, small_runs) = run_with_due(2).await;
    let (large, large_queued, large_runs) = run_with_due(8).await;

    let sent = |runs: &[job_run::Model]| runs[0].counts["sent"].clone();
    assert_eq!((sent(&small_runs), sent(&large_runs)), (json!(2), json!(8)));
    assert_eq!((small_queued, large_queued), (2, 8));
    assert_eq!(small, large, "statements for 2 and for 8 follow-ups");
}

const RUNS: &str = "{ jobRuns(jobName: \"follow_ups\", first: 10) { edges { node { slot outcome counts { name value } } } } }";

#[tokio::test]
async fn the_scheduler_catches_up_missed_days_of_follow_ups_once_at_start() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;
    let project = detractor_project(&app, &customer).await;
    data(&change(&app, "completeProject", &project).await);
    app.clock.set(march(12, 12, 0));
    let settings = closeloop::config::JobSettings::default();

    let scheduler =
        closeloop::jobs::scheduler::start(app.db.clone(), app.clock.clone(), &settings, None, None)
            .await
            .expect("scheduler");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while follow_up(&app, &project).await["status"] != "SENT"
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    scheduler.stop().await;

    let runs = app.graphql(RUNS, json!({})).await;
    let runs = data(&runs)["jobRuns"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(runs.len(), 1);
    assert_eq!(at(&runs[0]["node"]["slot"]), march(12, 10, 0));
    assert_eq!(runs[0]["node"]["outcome"], "succeeded");
    assert_eq!(follow_ups_queued(&app).await, 1);
}
