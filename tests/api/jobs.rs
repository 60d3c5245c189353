//! The job-run ledger and job runs through the API: one claim per slot, a dead run's slot
//! taken over after its lease, runs listed with their outcome and counts, per workspace, and
//! the scheduler's catch-up at start and its bounded stop.

use std::time::Instant;

use chrono::Duration;
use closeloop::clock::Clock;
use closeloop::config::JobSettings;
use closeloop::entities::enums::MemberRole;
use closeloop::jobs::ledger::{self, SlotKey};
use closeloop::jobs::scheduler;
use serde_json::json;

use crate::accounts::default_workspace_id;
use crate::escalation::{DETRACTOR, level_of, march, task_due, team};
use crate::helpers::{TestApp, data};

const RUN_NOW: &str = "mutation { runEscalationNow {
    id jobName outcome slot startedAt finishedAt error counts { name value } } }";
const RUNS: &str = "query($job: String) { jobRuns(jobName: $job, first: 10) {
    edges { node { id jobName outcome counts { name value } } } } }";

#[tokio::test]
async fn running_the_escalation_now_returns_the_finished_run_and_job_runs_list_it_with_counts() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;

    let ran = app.graphql(RUN_NOW, json!({})).await;
    let listed = app.graphql(RUNS, json!({ "job": "escalation" })).await;
    let other_job = app.graphql(RUNS, json!({ "job": "follow_up" })).await;

    let run = &data(&ran)["runEscalationNow"];
    assert_eq!(run["jobName"], "escalation");
    assert_eq!(run["outcome"], "succeeded");
    assert_eq!(run["error"], json!(null));
    assert!(run["finishedAt"].is_string());
    let counts = run["counts"].as_array().cloned().unwrap_or_default();
    assert!(counts.contains(&json!({ "name": "escalated", "value": 1 })));
    assert!(counts.contains(&json!({ "name": "digests", "value": 1 })));
    let edges = &data(&listed)["jobRuns"]["edges"];
    assert_eq!(edges.as_array().map(Vec::len), Some(1));
    assert_eq!(edges[0]["node"]["id"], run["id"]);
    assert_eq!(data(&other_job)["jobRuns"]["edges"], json!([]));
}

#[tokio::test]
async fn another_workspace_sees_none_of_the_runs() {
    let app = TestApp::spawn().await;
    app.graphql(RUN_NOW, json!({})).await;
    let stranger = app
        .token_for("Elsewhere", "admin@elsewhere.io", MemberRole::Admin)
        .await;

    let listed = app.graphql_as(&stranger, RUNS, json!({})).await;

    assert_eq!(data(&listed)["jobRuns"]["edges"], json!([]));
}

#[tokio::test]
async fn a_slot_is_claimed_once_and_a_run_that_died_is_taken_over_after_its_lease() {
    let app = TestApp::spawn().await;
    let key = SlotKey {
        job: "escalation",
        scope: "global".into(),
        slot: march(2, 2, 0),
    };
    let lease = Duration::hours(1);
    let now = app.clock.now();

    let first = ledger::claim_slot(&app.db, &key, now, lease)
        .await
        .expect("claim");
    let second = ledger::claim_slot(&app.db, &key, now, lease)
        .await
        .expect("claim");
    let within_lease = ledger::claim_slot(&app.db, &key, now + Duration::minutes(59), lease)
        .await
        .expect("claim");
    let after_lease = ledger::claim_slot(&app.db, &key, now + Duration::minutes(61), lease)
        .await
        .expect("claim");
    let again = ledger::claim_slot(&app.db, &key, now + Duration::minutes(61), lease)
        .await
        .expect("claim");

    assert!(first.is_some());
    assert!(second.is_none());
    assert!(within_lease.is_none());
    assert_eq!(after_lease.map(|run| run.id), first.map(|run| run.id));
    assert!(again.is_none());
}

#[tokio::test]
async fn the_scheduler_catches_up_the_missed_night_at_start_and_stops_within_its_grace() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;
    let settings = JobSettings {
        job_grace_secs: 5,
        ..JobSettings::default()
    };

    let scheduler = scheduler::start(app.db.clone(), app.clock.clone(), &settings, None, None)
        .await
        .expect("scheduler");
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    let finished = || async {
        let runs = app.graphql(RUNS, json!({ "job": "escalation" })).await;
        let outcome = data(&runs)["jobRuns"]["edges"][0]["node"]["outcome"].clone();
        outcome.is_string() && outcome != "running"
    };
    while !finished().await && Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let stopping = Instant::now();
    scheduler.stop().await;

    assert_eq!(level_of(&app, task).await.0, 1);
    assert!(stopping.elapsed() < std::time::Duration::from_secs(6));
    let runs = app.graphql(RUNS, json!({ "job": "escalation" })).await;
    assert_eq!(
        data(&runs)["jobRuns"]["edges"][0]["node"]["outcome"],
        "succeeded"
    );
}
