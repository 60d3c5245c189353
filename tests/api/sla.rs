//! Response-time targets: a detractor project's contact and resolution clocks, counted in
//! the workspace's business hours and zone; the owner warned at 75%, a breach escalated,
//! each once; what meets or stops a clock; the settings, their checks and who may change them.

use chrono::{DateTime, TimeZone, Utc};
use closeloop::clock::SharedClock;
use closeloop::entities::enums::MemberRole;
use closeloop::entities::{activity, job_run};
use closeloop::escalation::schedule::Schedule;
use closeloop::live::{Event, Signal};
use closeloop::sla::check::{self, CheckOptions, DEFAULT_CRON};
use closeloop::templates::builtin::REACH_OUT_TASK_TITLE;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::accounts::default_workspace_id;
use crate::email::{app_sending_to, uuid};
use crate::helpers::{TestApp, data, error_code};
use crate::playbooks::Customer;
use crate::projects::add_member;
use crate::smtp::SmtpServer;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a valid time")
}

/// Friday 2026-03-06 16:00 UTC: an hour before the weekend.
fn friday_four_pm() -> DateTime<Utc> {
    at(2026, 3, 6, 16, 0)
}

const CLOCKS: &str = "query($id: ID!) { project(id: $id) { slaClocks {
    contact { startedAt dueAt warnAt remainingSeconds breached metAt warnedAt breachedAt stoppedAt }
    resolution { startedAt dueAt warnAt remainingSeconds breached metAt warnedAt breachedAt stoppedAt }
} } }";

const SETTINGS: &str = "mutation($input: SlaSettingsInput!) { updateSlaSettings(input: $input) {
    businessDays businessHoursStart businessHoursEnd contactTargetHours resolutionTargetDays warningPercent
} }";

/// A detractor, their account's owner (who has a manager) and a head of CS, in the default
/// workspace set to `zone`.
struct Detractor {
    customer: Customer,
}

impl Detractor {
    async fn in_zone(app: &TestApp, zone: &str) -> Detractor {
        let customer = Customer::create(app, "Initech", json!({}), "ADMIN").await;
        let head_id = add_member(app, "head@closeloop.io", None).await;
        let input = json!({ "input": { "timezone": zone, "headOfCsId": head_id } });
        data(
            &app.graphql(
                "mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id } }",
                input,
            )
            .await,
        );
        Detractor { customer }
    }

    /// Answers 2 out of 10 at `when`; returns the project the playbook started.
    async fn answers(&self, app: &TestApp, when: DateTime<Utc>) -> Value {
        app.clock.set(when);
        let input = json!({ "contactId": self.customer.contact_id, "score": 2, "comment": "Support is slow", "respondedAt": when });
        let body = app
            .graphql(
                "mutation($input: NpsResponseInput!) { recordNpsResponse(input: $input) { projectsStarted { id } } }",
                json!({ "input": input }),
            )
            .await;
        data(&body)["recordNpsResponse"]["projectsStarted"][0]["id"].clone()
    }
}

async fn clocks(app: &TestApp, project_id: &Value) -> Value {
    let body = app.graphql(CLOCKS, json!({ "id": project_id })).await;
    data(&body)["project"]["slaClocks"].clone()
}

/// One tick of the SLA check at `when`.
async fn check_at(app: &TestApp, when: DateTime<Utc>) -> Vec<job_run::Model> {
    app.clock.set(when);
    let clock: SharedClock = app.clock.clone();
    let options = CheckOptions {
        publisher: Some(app.publisher.clone()),
        ..CheckOptions::default()
    };
    let schedule = Schedule::parse(DEFAULT_CRON).expect("schedule");
    check::run_due(&app.db, &clock, &schedule, &options)
        .await
        .expect("SLA check")
}

/// Subjects of the mail `address` received.
async fn inbox(app: &TestApp, smtp: &SmtpServer, address: &str) -> Vec<String> {
    app.deliver_outbox().await;
    smtp.received()
        .iter()
        .filter(|mail| mail.to.iter().any(|to| to == address))
        .filter_map(|mail| {
            mail.data
                .lines()
                .find_map(|line| line.strip_prefix("Subject: ").map(str::to_owned))
        })
        .collect()
}

/// The events published so far on a subscription.
fn published(events: &mut broadcast::Receiver<Signal>) -> Vec<Event> {
    let mut seen = Vec::new();
    while let Ok(signal) = events.try_recv() {
        if let Signal::Event(published) = signal {
            seen.push(published.event.clone());
        }
    }
    seen
}

async fn activity_count(app: &TestApp, action: &str) -> u64 {
    activity::Entity::find()
        .filter(activity::Column::Action.eq(action))
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_detractor_answering_friday_at_four_must_be_contacted_six_business_days_later_at_four() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;

    let project = detractor.answers(&app, friday_four_pm()).await;

    let clocks = clocks(&app, &project).await;
    assert_eq!(clocks["contact"]["dueAt"], "2026-03-16T16:00:00+00:00");
    assert_eq!(clocks["contact"]["warnAt"], "2026-03-13T12:00:00+00:00");
    assert_eq!(clocks["contact"]["remainingSeconds"], 48 * 3600);
    assert_eq!(clocks["contact"]["breached"], false);
    assert_eq!(clocks["resolution"]["dueAt"], "2026-03-26T16:00:00+00:00");
    assert_eq!(clocks["resolution"]["remainingSeconds"], 112 * 3600);
}

#[tokio::test]
async fn remaining_time_stands_still_over_the_weekend_and_goes_negative_once_past_due() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let project = detractor.answers(&app, friday_four_pm()).await;

    app.clock.set(at(2026, 3, 8, 12, 0));
    let on_sunday = clocks(&app, &project).await;
    app.clock.set(at(2026, 3, 17, 10, 0));
    let a_day_late = clocks(&app, &project).await;

    assert_eq!(on_sunday["contact"]["remainingSeconds"], 47 * 3600);
    assert_eq!(a_day_late["contact"]["remainingSeconds"], -2 * 3600);
    assert_eq!(a_day_late["contact"]["breached"], true);
}

#[tokio::test]
async fn the_owner_is_warned_at_75_percent_of_business_time_once_however_often_the_check_runs() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let project = detractor.answers(&app, friday_four_pm()).await;

    let just_before = check_at(&app, at(2026, 3, 13, 11, 59)).await;
    let before = inbox(&app, &smtp, "owner@initech.io").await;
    let runs = tokio::join!(
        check_at(&app, at(2026, 3, 13, 12, 0)),
        check_at(&app, at(2026, 3, 13, 12, 0)),
        check_at(&app, at(2026, 3, 13, 12, 0)),
    );
    let later = check_at(&app, at(2026, 3, 13, 12, 30)).await;

    assert!(just_before.is_empty());
    assert!(before.iter().all(|s| !s.starts_with("Due soon")));
    assert_eq!(runs.0.len() + runs.1.len() + runs.2.len(), 1);
    assert!(later.is_empty());
    let warnings: Vec<String> = inbox(&app, &smtp, "owner@initech.io")
        .await
        .into_iter()
        .filter(|s| s.starts_with("Due soon"))
        .collect();
    assert_eq!(
        warnings,
        vec!["Due soon: first contact for NPS Detractor: Initech"]
    );
    assert_eq!(
        clocks(&app, &project).await["contact"]["warnedAt"],
        "2026-03-13T12:00:00+00:00"
    );
    assert_eq!(activity_count(&app, "project.sla_warned").await, 1);
}

#[tokio::test]
async fn a_breach_at_the_due_business_hour_escalates_once_to_the_owner_their_manager_and_the_head_of_cs()
 {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let project = detractor.answers(&app, friday_four_pm()).await;

    check_at(&app, at(2026, 3, 16, 15, 59)).await;
    let before = clocks(&app, &project).await;
    let mut events = app.publisher.subscribe();
    check_at(&app, at(2026, 3, 16, 16, 0)).await;
    check_at(&app, at(2026, 3, 16, 16, 0)).await;
    check_at(&app, at(2026, 3, 17, 9, 0)).await;

    assert_eq!(before["contact"]["breachedAt"], Value::Null);
    let after = clocks(&app, &project).await;
    assert_eq!(after["contact"]["breachedAt"], "2026-03-16T16:00:00+00:00");
    assert_eq!(after["contact"]["breached"], true);
    assert_eq!(activity_count(&app, "project.sla_breached").await, 1);
    let changed = Event::ProjectChanged {
        workspace_id: default_workspace_id(&app).await,
        project_id: uuid(&project),
    };
    assert!(published(&mut events).contains(&changed));
    for person in [
        "owner@initech.io",
        "manager@initech.io",
        "head@closeloop.io",
    ] {
        let missed: Vec<String> = inbox(&app, &smtp, person)
            .await
            .into_iter()
            .filter(|s| s.starts_with("Missed"))
            .collect();
        assert_eq!(
            missed,
            vec!["Missed: 1 detractor response target"],
            "{person}"
        );
    }
}

#[tokio::test]
async fn an_outbound_conversation_with_the_contact_meets_the_contact_clock_and_nothing_follows() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let project = detractor.answers(&app, friday_four_pm()).await;
    app.clock.set(at(2026, 3, 9, 10, 0));
    let input = json!({
        "accountId": detractor.customer.account_id, "contactId": detractor.customer.contact_id,
        "direction": "OUTBOUND", "channel": "CALL", "body": "Called Ada about support times",
    });

    let logged = app
        .graphql(
            "mutation($input: LogConversationInput!) { logConversation(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    check_at(&app, at(2026, 3, 20, 10, 0)).await;

    data(&logged);
    let contact = clocks(&app, &project).await["contact"].clone();
    assert_eq!(contact["metAt"], "2026-03-09T10:00:00+00:00");
    assert_eq!(contact["breached"], false);
    assert_eq!(contact["remainingSeconds"], Value::Null);
    assert_eq!(contact["warnedAt"], Value::Null);
    assert_eq!(contact["breachedAt"], Value::Null);
}

#[tokio::test]
async fn completing_the_reach_out_task_meets_the_contact_clock_even_after_it_was_renamed() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let project = detractor.answers(&app, friday_four_pm()).await;
    let reach_out = reach_out_task(&app, &project).await;
    app.graphql(
        "mutation($id: ID!) { updateTask(id: $id, input: { title: \"Call Ada\" }) { id } }",
        json!({ "id": reach_out }),
    )
    .await;
    app.clock.set(at(2026, 3, 10, 11, 0));

    let done = app
        .graphql(
            "mutation($id: ID!) { completeTask(id: $id) { status } }",
            json!({ "id": reach_out }),
        )
        .await;
    check_at(&app, at(2026, 3, 20, 10, 0)).await;

    assert_eq!(data(&done)["completeTask"]["status"], "DONE");
    let contact = clocks(&app, &project).await["contact"].clone();
    assert_eq!(contact["metAt"], "2026-03-10T11:00:00+00:00");
    assert_eq!(contact["breachedAt"], Value::Null);
}

async fn reach_out_task(app: &TestApp, project: &Value) -> Value {
    let body = app
        .graphql(
            "query($id: ID!) { project(id: $id) { milestones { tasks { id title } } } }",
            json!({ "id": project }),
        )
        .await;
    data(&body)["project"]["milestones"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default())
        .find(|t| t["title"] == REACH_OUT_TASK_TITLE)
        .map(|t| t["id"].clone())
        .expect("the reach-out task")
}

#[tokio::test]
async fn completing_the_project_meets_resolution_and_cancelling_one_stops_its_clocks() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let completed = detractor.answers(&app, friday_four_pm()).await;
    app.clock.set(at(2026, 3, 11, 10, 0));
    app.graphql(
        "mutation($id: ID!) { completeProject(id: $id) { status } }",
        json!({ "id": completed }),
    )
    .await;
    let cancelled = detractor.answers(&app, at(2026, 3, 12, 10, 0)).await;

    app.graphql(
        "mutation($id: ID!) { cancelProject(id: $id) { status } }",
        json!({ "id": cancelled }),
    )
    .await;
    check_at(&app, at(2026, 4, 30, 10, 0)).await;

    let done = clocks(&app, &completed).await;
    assert_eq!(done["resolution"]["metAt"], "2026-03-11T10:00:00+00:00");
    assert_eq!(done["resolution"]["breached"], false);
    assert_eq!(done["contact"]["stoppedAt"], "2026-03-11T10:00:00+00:00");
    let stopped = clocks(&app, &cancelled).await;
    assert_eq!(stopped["contact"]["stoppedAt"], "2026-03-12T10:00:00+00:00");
    assert_eq!(
        stopped["resolution"]["stoppedAt"],
        "2026-03-12T10:00:00+00:00"
    );
    assert_eq!(activity_count(&app, "project.sla_breached").await, 0);
}

#[tokio::test]
async fn a_new_york_workspace_counts_its_own_business_hours_across_the_march_daylight_saving_change()
 {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let detractor = Detractor::in_zone(&app, "America/New_York").await;

    // Friday 16:00 EST; the clocks go forward on Sunday 2026-03-08.
    let project = detractor.answers(&app, at(2026, 3, 6, 21, 0)).await;
    check_at(&app, at(2026, 3, 13, 15, 59)).await;
    let before = inbox(&app, &smtp, "owner@initech.io").await;
    check_at(&app, at(2026, 3, 13, 16, 0)).await;

    let clocks = clocks(&app, &project).await;
    // Monday 16:00 EDT, and the warning on the Friday before at 12:00 EDT.
    assert_eq!(clocks["contact"]["dueAt"], "2026-03-16T20:00:00+00:00");
    assert_eq!(clocks["contact"]["warnAt"], "2026-03-13T16:00:00+00:00");
    assert!(before.iter().all(|s| !s.starts_with("Due soon")));
    let after = inbox(&app, &smtp, "owner@initech.io").await;
    assert_eq!(
        after.iter().filter(|s| s.starts_with("Due soon")).count(),
        1
    );
}

#[tokio::test]
async fn an_admin_changes_the_sla_settings_which_time_new_projects_but_not_running_clocks() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let running = detractor.answers(&app, friday_four_pm()).await;
    let input = json!({
        "businessDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"],
        "businessHoursStart": "08:00", "businessHoursEnd": "12:00",
        "contactTargetHours": 4, "warningPercent": 50,
    });

    let updated = app.graphql(SETTINGS, json!({ "input": input })).await;
    let app_project = {
        app.graphql(
            "mutation($id: ID!) { completeProject(id: $id) { status } }",
            json!({ "id": running }),
        )
        .await;
        detractor.answers(&app, at(2026, 3, 9, 11, 0)).await
    };

    let settings = &data(&updated)["updateSlaSettings"];
    assert_eq!(
        settings["businessDays"],
        json!(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"])
    );
    assert_eq!(settings["businessHoursStart"], "08:00");
    assert_eq!(settings["resolutionTargetDays"], 14);
    assert_eq!(
        clocks(&app, &running).await["contact"]["dueAt"],
        "2026-03-16T16:00:00+00:00"
    );
    let new = clocks(&app, &app_project).await;
    assert_eq!(new["contact"]["dueAt"], "2026-03-10T11:00:00+00:00");
    assert_eq!(new["contact"]["warnAt"], "2026-03-10T09:00:00+00:00");
}

#[tokio::test]
async fn bad_sla_settings_are_refused_naming_the_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({ "businessDays": [] }), "businessDays"),
        (
            json!({ "businessDays": ["MONDAY", "MONDAY"] }),
            "businessDays",
        ),
        (json!({ "businessHoursStart": "9am" }), "businessHoursStart"),
        (json!({ "businessHoursStart": "18:00" }), "businessHoursEnd"),
        (json!({ "contactTargetHours": 0 }), "contactTargetHours"),
        (
            json!({ "resolutionTargetDays": 366 }),
            "resolutionTargetDays",
        ),
        (json!({ "warningPercent": 100 }), "warningPercent"),
    ];

    for (input, field) in cases {
        let body = app.graphql(SETTINGS, json!({ "input": input })).await;

        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{input}");
    }
    let read = app
        .graphql(
            "{ slaSettings { contactTargetHours businessHoursStart } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&read)["slaSettings"],
        json!({ "contactTargetHours": 48, "businessHoursStart": "09:00" })
    );
}

#[tokio::test]
async fn only_admins_change_the_sla_settings_and_everyone_reads_them() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "viewer@acme.io", MemberRole::Viewer)
        .await;
    let csm = app
        .token_for("Default workspace", "csm@acme.io", MemberRole::Csm)
        .await;
    let input = json!({ "input": { "contactTargetHours": 24 } });

    let by_viewer = app.graphql_as(&viewer, SETTINGS, input.clone()).await;
    let by_csm = app.graphql_as(&csm, SETTINGS, input).await;
    let read = app
        .graphql_as(&viewer, "{ slaSettings { contactTargetHours } }", json!({}))
        .await;

    assert_eq!(error_code(&by_viewer), Some("FORBIDDEN"));
    assert_eq!(error_code(&by_csm), Some("FORBIDDEN"));
    assert_eq!(data(&read)["slaSettings"]["contactTargetHours"], 48);
}

#[tokio::test]
async fn a_page_of_projects_with_their_clocks_costs_as_many_statements_as_one() {
    let app = TestApp::spawn().await;
    let detractor = Detractor::in_zone(&app, "UTC").await;
    let query = "{ projects(first: 50) { edges { node { slaClocks { contact { dueAt remainingSeconds } } } } } }";
    let first = detractor.answers(&app, friday_four_pm()).await;
    let (one, _) = app.fewest_statements(query, json!({})).await;
    cancel(&app, first).await;
    for day in 9..13 {
        let project = detractor.answers(&app, at(2026, 3, day, 10, 0)).await;
        cancel(&app, project).await;
    }

    let (five, body) = app.fewest_statements(query, json!({})).await;

    assert_eq!(
        data(&body)["projects"]["edges"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(five, one);
}

async fn cancel(app: &TestApp, project: Value) {
    app.graphql(
        "mutation($id: ID!) { cancelProject(id: $id) { status } }",
        json!({ "id": project }),
    )
    .await;
}
