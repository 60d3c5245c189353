//! The nightly escalation: levels reached day by day, what never escalates, high severity,
//! exactly once under repeats, concurrency and a crash, one digest per person, catch-up,
//! time zones and daylight saving, the policy's validation and who may change or run it.

use chrono::{DateTime, Duration, TimeZone, Utc};
use closeloop::clock::{Clock, SharedClock};
use closeloop::entities::enums::{
    MemberRole, ProjectKind, ProjectStatus, Severity, TaskPriority, TaskStatus,
};
use closeloop::entities::{
    account, activity, email_outbox, escalation_notice, job_run, project, task,
};
use closeloop::escalation::run::{self, RunOptions};
use closeloop::escalation::schedule::{DEFAULT_CRON, Schedule};
use closeloop::members::service::{self as members, NewMember};
use closeloop::values::{EmailAddress, Name, Timezone};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::default_workspace_id;
use crate::helpers::{TestApp, data, error_code};

/// The people of a workspace: a CSM reporting to a manager, and a head of CS.
pub struct Team {
    pub workspace_id: Uuid,
    pub csm: Uuid,
    pub manager: Uuid,
    pub head: Uuid,
}

/// A time on 2026-03-`day` (UTC).
pub fn march(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("a valid time")
}

pub async fn team(app: &TestApp, workspace_id: Uuid) -> Team {
    let now = app.clock.now();
    let person = |email: &str, role, manager_id| NewMember {
        email: EmailAddress::parse("email", email).expect("email"),
        name: Name::parse("name", email.split('@').next().unwrap_or("x")).expect("name"),
        role,
        manager_id,
    };
    let suffix = &workspace_id.to_string()[..8];
    let head = members::create(
        &app.db,
        workspace_id,
        person(&format!("head-{suffix}@acme.io"), MemberRole::Manager, None),
        now,
    )
    .await
    .expect("head");
    let manager = members::create(
        &app.db,
        workspace_id,
        person(
            &format!("manager-{suffix}@acme.io"),
            MemberRole::Manager,
            None,
        ),
        now,
    )
    .await
    .expect("manager");
    let csm = members::create(
        &app.db,
        workspace_id,
        person(
            &format!("csm-{suffix}@acme.io"),
            MemberRole::Csm,
            Some(manager.id),
        ),
        now,
    )
    .await
    .expect("csm");
    let changes = closeloop::workspaces::service::SettingsChanges {
        head_of_cs_id: Some(Some(head.id)),
        ..Default::default()
    };
    closeloop::workspaces::service::update_settings(&app.db, workspace_id, changes, now)
        .await
        .expect("head of CS");
    Team {
        workspace_id,
        csm: csm.id,
        manager: manager.id,
        head: head.id,
    }
}

/// A workspace in `zone` with its team.
pub async fn workspace_in(app: &TestApp, name: &str, zone: &str) -> Team {
    let workspace = closeloop::workspaces::service::create(
        &app.db,
        Name::parse("name", name).expect("name"),
        Timezone::parse("timezone", zone).expect("zone"),
        app.clock.now(),
    )
    .await
    .expect("workspace");
    team(app, workspace.id).await
}

/// What an overdue task hangs on.
#[derive(Clone, Copy)]
pub struct Shape {
    pub kind: ProjectKind,
    pub severity: Severity,
    pub status: TaskStatus,
}

pub const DETRACTOR: Shape = Shape {
    kind: ProjectKind::NpsDetractor,
    severity: Severity::Normal,
    status: TaskStatus::Open,
};

/// A task of its own project, assigned to the team's CSM, due at `due_at`.
pub async fn task_due(app: &TestApp, team: &Team, due_at: DateTime<Utc>, shape: Shape) -> Uuid {
    let now = app.clock.now();
    let account = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(team.workspace_id),
        name: Set(format!("Account {}", Uuid::now_v7())),
        external_id: Set(None),
        owner_id: Set(Some(team.csm)),
        mrr_cents: Set(None),
        segment: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("account");
    let project = project::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(team.workspace_id),
        account_id: Set(account.id),
        template_id: Set(None),
        kind: Set(shape.kind),
        name: Set("Recovery".into()),
        status: Set(ProjectStatus::Active),
        severity: Set(shape.severity),
        owner_id: Set(Some(team.csm)),
        triggering_response_id: Set(None),
        starts_at: Set(due_at - Duration::days(3)),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("project");
    let task = task::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(team.workspace_id),
        account_id: Set(account.id),
        project_id: Set(Some(project.id)),
        milestone_id: Set(None),
        title: Set("Call the customer back".into()),
        description: Set(None),
        assignee_id: Set(Some(team.csm)),
        assignee_rule: Set(None),
        status: Set(shape.status),
        priority: Set(TaskPriority::Normal),
        due_at: Set(Some(due_at)),
        escalation_level: Set(0),
        completed_at: Set(None),
        position: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("task");
    task.id
}

pub fn clock_of(app: &TestApp) -> SharedClock {
    app.clock.clone()
}

/// One tick of the scheduler at the clock's time.
pub async fn tick(app: &TestApp, options: &RunOptions) -> Vec<job_run::Model> {
    let schedule = Schedule::parse(DEFAULT_CRON).expect("schedule");
    run::run_due(&app.db, &clock_of(app), &schedule, options)
        .await
        .expect("escalation tick")
}

pub async fn level_of(app: &TestApp, task_id: Uuid) -> (i32, TaskPriority) {
    let task = task::Entity::find_by_id(task_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("task");
    (task.escalation_level, task.priority)
}

pub async fn escalation_activity(app: &TestApp, task_id: Uuid) -> u64 {
    activity::Entity::find()
        .filter(activity::Column::TaskId.eq(task_id))
        .filter(activity::Column::Action.eq("task.escalated"))
        .count(&app.db)
        .await
        .expect("count")
}

/// The escalation emails queued for `member`, by template key.
pub async fn digests_to(app: &TestApp, member: Uuid) -> Vec<String> {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::MemberId.eq(member))
        .filter(email_outbox::Column::TemplateKey.starts_with("escalation"))
        .all(&app.db)
        .await
        .expect("outbox")
        .into_iter()
        .map(|row| row.template_key)
        .collect()
}

/// The subjects of the emails queued for `member`.
async fn subjects_to(app: &TestApp, member: Uuid) -> Vec<String> {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::MemberId.eq(member))
        .all(&app.db)
        .await
        .expect("outbox")
        .into_iter()
        .map(|row| row.subject)
        .collect()
}

const TASK: &str = "query($id: ID!) { task(id: $id) { escalationLevel priority } }";

#[tokio::test]
async fn a_task_due_yesterday_reaches_level_one_then_two_days_later_level_two_and_so_on() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;
    let seen = |body: Value| data(&body)["task"].clone();

    app.clock.set(march(2, 2, 30));
    tick(&app, &RunOptions::default()).await;
    let night_one = seen(app.graphql(TASK, json!({ "id": task })).await);
    app.clock.set(march(4, 2, 30));
    tick(&app, &RunOptions::default()).await;
    let night_three = seen(app.graphql(TASK, json!({ "id": task })).await);
    app.clock.set(march(5, 2, 30));
    tick(&app, &RunOptions::default()).await;
    let night_four = seen(app.graphql(TASK, json!({ "id": task })).await);
    app.clock.set(march(7, 2, 30));
    tick(&app, &RunOptions::default()).await;
    let night_six = seen(app.graphql(TASK, json!({ "id": task })).await);

    assert_eq!(
        night_one,
        json!({ "escalationLevel": 1, "priority": "NORMAL" })
    );
    assert_eq!(
        night_three,
        json!({ "escalationLevel": 2, "priority": "HIGH" })
    );
    assert_eq!(
        night_four,
        json!({ "escalationLevel": 2, "priority": "HIGH" })
    );
    assert_eq!(
        night_six,
        json!({ "escalationLevel": 3, "priority": "URGENT" })
    );
    assert_eq!(escalation_activity(&app, task).await, 3);
}

#[tokio::test]
async fn a_task_six_days_overdue_passes_every_level_in_one_run_each_recorded_in_turn() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;

    app.clock.set(march(7, 2, 30));
    let runs = tick(&app, &RunOptions::default()).await;

    assert_eq!(level_of(&app, task).await, (3, TaskPriority::Urgent));
    let records = activity::Entity::find()
        .filter(activity::Column::TaskId.eq(task))
        .filter(activity::Column::Action.eq("task.escalated"))
        .all(&app.db)
        .await
        .expect("activity");
    let mut passed: Vec<(Value, Value)> = records
        .iter()
        .map(|r| (r.details["level"].clone(), r.details["priority"].clone()))
        .collect();
    passed.sort_by_key(|(level, _)| level.as_i64());
    assert_eq!(
        passed,
        [
            (json!(1), json!("normal")),
            (json!(2), json!("high")),
            (json!(3), json!("urgent")),
        ]
    );
    assert_eq!(digests_to(&app, team.csm).await, ["escalation_assignee"]);
    assert_eq!(digests_to(&app, team.manager).await, ["escalation_manager"]);
    assert_eq!(digests_to(&app, team.head).await, ["escalation_head_of_cs"]);
    let counts = &runs[0].counts;
    assert_eq!(
        (&counts["level1"], &counts["level2"], &counts["level3"]),
        (&json!(1), &json!(1), &json!(1))
    );
}

#[tokio::test]
async fn notices_stop_at_what_a_digest_lists_and_every_digest_still_counts_every_task() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let mut tasks = Vec::new();
    for minute in 0..120 {
        tasks.push(
            task_due(
                &app,
                &team,
                march(1, 0, minute % 60) - Duration::days(7),
                DETRACTOR,
            )
            .await,
        );
    }
    let killed = RunOptions {
        batch_size: 50,
        crash_after_batches: Some(3),
        ..RunOptions::default()
    };
    app.clock.set(march(2, 2, 30));
    tick(&app, &killed).await;
    let notices = escalation_notice::Entity::find()
        .count(&app.db)
        .await
        .expect("notices");
    app.clock.set(march(2, 3, 45));
    tick(&app, &RunOptions::default()).await;

    assert_eq!(
        notices, 303,
        "100 for each of the three people and one saying how many more, not 360"
    );
    for task in tasks {
        assert_eq!(level_of(&app, task).await, (3, TaskPriority::Urgent));
        assert_eq!(escalation_activity(&app, task).await, 3);
    }
    assert_eq!(
        subjects_to(&app, team.csm).await,
        ["120 overdue tasks need you"]
    );
    assert_eq!(
        subjects_to(&app, team.manager).await,
        ["Your team: 120 escalated tasks"]
    );
    assert_eq!(
        subjects_to(&app, team.head).await,
        ["Escalation: 120 detractor tasks still open"]
    );
    let head_mail = email_outbox::Entity::find()
        .filter(email_outbox::Column::MemberId.eq(team.head))
        .one(&app.db)
        .await
        .expect("outbox")
        .expect("head digest");
    assert_eq!(head_mail.body_text.matches("days overdue").count(), 100);
    assert!(head_mail.body_text.contains("- and 20 more"));
    let left = escalation_notice::Entity::find()
        .count(&app.db)
        .await
        .expect("notices");
    assert_eq!(left, 0, "sent notices are deleted");
}

#[tokio::test]
async fn completed_tasks_and_promoter_projects_never_escalate() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let done = Shape {
        status: TaskStatus::Done,
        ..DETRACTOR
    };
    let cancelled = Shape {
        status: TaskStatus::Cancelled,
        ..DETRACTOR
    };
    let promoter = Shape {
        kind: ProjectKind::NpsPromoter,
        ..DETRACTOR
    };
    let tasks = [
        task_due(&app, &team, march(1, 12, 0), done).await,
        task_due(&app, &team, march(1, 12, 0), cancelled).await,
        task_due(&app, &team, march(1, 12, 0), promoter).await,
    ];

    app.clock.set(march(9, 2, 30));
    tick(&app, &RunOptions::default()).await;

    for task in tasks {
        assert_eq!(level_of(&app, task).await, (0, TaskPriority::Normal));
    }
    assert!(digests_to(&app, team.csm).await.is_empty());
}

#[tokio::test]
async fn high_severity_tasks_escalate_sooner() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let high = Shape {
        severity: Severity::High,
        ..DETRACTOR
    };
    let ordinary = task_due(&app, &team, march(3, 0, 0), DETRACTOR).await;
    let urgent = task_due(&app, &team, march(3, 0, 0), high).await;

    app.clock.set(march(4, 2, 30));
    tick(&app, &RunOptions::default()).await;

    assert_eq!(level_of(&app, ordinary).await, (1, TaskPriority::Normal));
    assert_eq!(level_of(&app, urgent).await, (2, TaskPriority::High));
}

#[tokio::test]
async fn small_batches_reach_every_due_task_of_every_open_status_past_the_ones_passed_over() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let high = Shape {
        severity: Severity::High,
        ..DETRACTOR
    };
    let promoter = Shape {
        kind: ProjectKind::NpsPromoter,
        ..DETRACTOR
    };
    let mut due = Vec::new();
    let mut passed_over = Vec::new();
    for day in 1..=3 {
        for status in [
            TaskStatus::Open,
            TaskStatus::InProgress,
            TaskStatus::Blocked,
        ] {
            let shape = Shape {
                status,
                ..DETRACTOR
            };
            passed_over.push(task_due(&app, &team, march(day, 11, 0), promoter).await);
            due.push(task_due(&app, &team, march(day, 12, 0), shape).await);
            due.push(task_due(&app, &team, march(day, 12, 0), Shape { status, ..high }).await);
        }
    }
    let options = RunOptions {
        batch_size: 2,
        ..RunOptions::default()
    };

    app.clock.set(march(4, 2, 30));
    let runs = tick(&app, &options).await;

    assert_eq!(runs.len(), 1);
    for task in &due {
        assert_ne!(level_of(&app, *task).await.0, 0, "every due task escalated");
    }
    for task in &passed_over {
        assert_eq!(level_of(&app, *task).await, (0, TaskPriority::Normal));
    }
    assert_eq!(runs[0].counts["level1"], 18);
}

#[tokio::test]
async fn running_the_job_twice_in_a_night_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;
    app.clock.set(march(2, 2, 30));
    let first = tick(&app, &RunOptions::default()).await;

    app.clock.set(march(2, 3, 30));
    let second = tick(&app, &RunOptions::default()).await;
    let by_hand = run::run_now(
        &app.db,
        &clock_of(&app),
        team.workspace_id,
        &RunOptions::default(),
    )
    .await
    .expect("manual run");

    assert_eq!(first.len(), 1);
    assert!(second.is_empty());
    assert_eq!(by_hand.counts["escalated"], 0);
    assert_eq!(level_of(&app, task).await, (1, TaskPriority::Normal));
    assert_eq!(escalation_activity(&app, task).await, 1);
    assert_eq!(digests_to(&app, team.csm).await.len(), 1);
}

#[tokio::test]
async fn three_processes_firing_at_once_escalate_each_task_once_and_queue_each_digest_once() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let mut tasks = Vec::new();
    for hour in 0..6 {
        tasks.push(task_due(&app, &team, march(1, hour, 0), DETRACTOR).await);
    }
    let options = RunOptions {
        batch_size: 2,
        ..RunOptions::default()
    };
    app.clock.set(march(4, 2, 0));

    let (a, b, c) = tokio::join!(
        tick(&app, &options),
        tick(&app, &options),
        tick(&app, &options)
    );
    let workspace = closeloop::workspaces::service::find(&app.db, team.workspace_id)
        .await
        .expect("workspace");
    let clock = clock_of(&app);
    let overlapping =
        |minute| run::run_slot(&app.db, &clock, &workspace, march(4, 2, minute), &options);
    let (x, y, z) = tokio::join!(overlapping(1), overlapping(2), overlapping(3));

    assert_eq!(a.len() + b.len() + c.len(), 1);
    for run in [x, y, z] {
        assert_eq!(
            run.expect("run").map(|r| r.outcome).as_deref(),
            Some("succeeded")
        );
    }
    for task in tasks {
        assert_eq!(level_of(&app, task).await, (2, TaskPriority::High));
        assert_eq!(escalation_activity(&app, task).await, 2);
    }
    assert_eq!(digests_to(&app, team.csm).await, ["escalation_assignee"]);
    assert_eq!(digests_to(&app, team.manager).await, ["escalation_manager"]);
}

#[tokio::test]
async fn each_person_gets_one_digest_per_run_listing_everything_it_has_to_tell_them() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    for day in 1..=3 {
        task_due(
            &app,
            &team,
            march(day, 12, 0) - Duration::days(7),
            DETRACTOR,
        )
        .await;
    }

    app.clock.set(march(2, 2, 30));
    tick(&app, &RunOptions::default()).await;

    assert_eq!(digests_to(&app, team.csm).await, ["escalation_assignee"]);
    assert_eq!(digests_to(&app, team.manager).await, ["escalation_manager"]);
    assert_eq!(digests_to(&app, team.head).await, ["escalation_head_of_cs"]);
    let manager_mail = email_outbox::Entity::find()
        .filter(email_outbox::Column::MemberId.eq(team.manager))
        .one(&app.db)
        .await
        .expect("query")
        .expect("manager digest");
    assert!(manager_mail.subject.contains("3 escalated tasks"));
    assert!(
        manager_mail.body_text.contains(": 3"),
        "each member's overdue count is listed"
    );
}

#[tokio::test]
async fn a_run_killed_after_its_first_batch_leaves_nothing_doubled_and_the_next_run_finishes_the_rest()
 {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let mut tasks = Vec::new();
    for hour in 0..5 {
        tasks.push(task_due(&app, &team, march(1, hour, 0), DETRACTOR).await);
    }
    let killed = RunOptions {
        batch_size: 2,
        crash_after_batches: Some(1),
        ..RunOptions::default()
    };
    app.clock.set(march(2, 2, 30));
    tick(&app, &killed).await;
    let mut after_crash = Vec::new();
    for task in &tasks {
        after_crash.push(level_of(&app, *task).await.0);
    }

    let while_claimed = tick(&app, &RunOptions::default()).await;
    app.clock.set(march(2, 3, 45));
    let taken_over = tick(&app, &RunOptions::default()).await;

    after_crash.sort_unstable();
    assert_eq!(after_crash, [0, 0, 0, 1, 1]);
    assert!(
        while_claimed.is_empty(),
        "a live run's slot is not run twice"
    );
    assert_eq!(taken_over.len(), 1);
    assert_eq!(taken_over[0].outcome, "succeeded");
    for task in tasks {
        assert_eq!(level_of(&app, task).await.0, 1);
        assert_eq!(escalation_activity(&app, task).await, 1);
    }
    let digest = email_outbox::Entity::find()
        .filter(email_outbox::Column::MemberId.eq(team.csm))
        .all(&app.db)
        .await
        .expect("outbox");
    assert_eq!(digest.len(), 1);
    assert!(digest[0].subject.starts_with("5 overdue tasks"));
}

#[tokio::test]
async fn a_missed_night_is_caught_up_once_at_start() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;
    app.clock.set(march(2, 2, 30));
    tick(&app, &RunOptions::default()).await;

    app.clock.set(march(6, 10, 0));
    let at_start = tick(&app, &RunOptions::default()).await;
    let next_minute = tick(&app, &RunOptions::default()).await;

    let ours: Vec<_> = at_start
        .iter()
        .filter(|run| run.scope == team.workspace_id.to_string())
        .map(|run| run.slot)
        .collect();
    assert_eq!(ours, [march(6, 2, 0)]);
    assert!(next_minute.is_empty());
    assert_eq!(level_of(&app, task).await.0, 2);
}

#[tokio::test]
async fn runs_happen_once_a_day_at_two_local_time_across_day_boundaries_and_daylight_saving() {
    let app = TestApp::spawn().await;
    let new_york = workspace_in(&app, "New York", "America/New_York").await;
    let tokyo = workspace_in(&app, "Tokyo", "Asia/Tokyo").await;
    let mut runs = Vec::new();

    let mut at = march(6, 0, 0);
    while at < march(10, 12, 0) {
        app.clock.set(at);
        runs.extend(tick(&app, &RunOptions::default()).await);
        at += Duration::minutes(30);
    }

    let slots_of = |team: &Team| -> Vec<DateTime<Utc>> {
        let scope = team.workspace_id.to_string();
        runs.iter()
            .filter(|r| r.scope == scope)
            .map(|r| r.slot)
            .collect()
    };
    assert_eq!(
        slots_of(&new_york),
        [
            march(5, 7, 0),
            march(6, 7, 0),
            march(7, 7, 0),
            march(8, 7, 0),
            march(9, 6, 0),
            march(10, 6, 0)
        ],
        "02:00 EST, then 03:00 on the night 02:00 does not exist, then 02:00 EDT"
    );
    assert_eq!(
        slots_of(&tokyo),
        [
            march(5, 17, 0),
            march(6, 17, 0),
            march(7, 17, 0),
            march(8, 17, 0),
            march(9, 17, 0)
        ],
        "02:00 in Tokyo is 17:00 UTC the day before"
    );
}

const POLICY: &str =
    "levels { level daysOverdue actions raisePriorityTo } highSeverityFactor projectKinds";

fn update_policy() -> String {
    format!(
        "mutation($input: EscalationPolicyInput!) {{ updateEscalationPolicy(input: $input) {{ {POLICY} }} }}"
    )
}

#[tokio::test]
async fn an_admin_changes_the_policy_and_bad_policies_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let good = json!({
        "levels": [
            { "daysOverdue": 1, "actions": ["REMIND_ASSIGNEE"] },
            { "daysOverdue": 3, "actions": ["RAISE_PRIORITY", "REASSIGN_TO_MANAGER"], "raisePriorityTo": "URGENT" }
        ],
        "highSeverityFactor": 0.25,
        "projectKinds": ["NPS_DETRACTOR", "CUSTOM"]
    });
    let refused = [
        (json!({ "levels": [] }), "levels"),
        (
            json!({ "levels": [{ "daysOverdue": 2, "actions": ["REMIND_ASSIGNEE"] }, { "daysOverdue": 2, "actions": ["NOTIFY_MANAGER"] }] }),
            "daysOverdue",
        ),
        (
            json!({ "levels": [{ "daysOverdue": -1, "actions": ["REMIND_ASSIGNEE"] }] }),
            "daysOverdue",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": [] }] }),
            "actions",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": ["RAISE_PRIORITY"] }] }),
            "raisePriorityTo",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE"], "raisePriorityTo": "HIGH" }] }),
            "raisePriorityTo",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE", "REMIND_ASSIGNEE"] }] }),
            "actions",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE"] }], "highSeverityFactor": 0.0 }),
            "highSeverityFactor",
        ),
        (
            json!({ "levels": [{ "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE"] }], "projectKinds": [] }),
            "projectKinds",
        ),
    ];

    let mut refusals = Vec::new();
    for (input, field) in &refused {
        let body = app
            .graphql(&update_policy(), json!({ "input": input }))
            .await;
        refusals.push((
            error_code(&body).map(str::to_owned),
            body["errors"][0]["extensions"]["field"].clone(),
            *field,
        ));
    }
    let unchanged = app
        .graphql(&format!("{{ escalationPolicy {{ {POLICY} }} }}"), json!({}))
        .await;
    let updated = app
        .graphql(&update_policy(), json!({ "input": good }))
        .await;
    let read_back = app
        .graphql(&format!("{{ escalationPolicy {{ {POLICY} }} }}"), json!({}))
        .await;

    for (code, field, expected) in refusals {
        assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"), "{expected}");
        assert_eq!(field, json!(expected));
    }
    assert_eq!(
        data(&unchanged)["escalationPolicy"]["levels"][2]["daysOverdue"],
        5
    );
    assert_eq!(
        data(&updated)["updateEscalationPolicy"],
        data(&read_back)["escalationPolicy"]
    );
    assert_eq!(
        data(&read_back)["escalationPolicy"],
        json!({
            "levels": [
                { "level": 1, "daysOverdue": 1, "actions": ["REMIND_ASSIGNEE"], "raisePriorityTo": null },
                { "level": 2, "daysOverdue": 3, "actions": ["RAISE_PRIORITY", "REASSIGN_TO_MANAGER"], "raisePriorityTo": "URGENT" }
            ],
            "highSeverityFactor": 0.25,
            "projectKinds": ["NPS_DETRACTOR", "CUSTOM"]
        })
    );
}

#[tokio::test]
async fn a_reassigning_policy_hands_the_task_to_the_manager() {
    let app = TestApp::spawn().await;
    let team = team(&app, default_workspace_id(&app).await).await;
    let task = task_due(&app, &team, march(1, 12, 0), DETRACTOR).await;
    let input = json!({ "levels": [{ "daysOverdue": 0, "actions": ["REASSIGN_TO_MANAGER"] }] });
    app.graphql(&update_policy(), json!({ "input": input }))
        .await;

    app.clock.set(march(2, 2, 30));
    tick(&app, &RunOptions::default()).await;

    let task = task::Entity::find_by_id(task)
        .one(&app.db)
        .await
        .expect("query")
        .expect("task");
    assert_eq!(task.assignee_id, Some(team.manager));
    assert_eq!(
        digests_to(&app, team.manager).await,
        ["escalation_assignee"]
    );
}

#[tokio::test]
async fn only_admins_change_the_policy_or_run_the_escalation_and_everyone_reads_them() {
    let app = TestApp::spawn().await;
    let viewer = app
        .token_for("Default workspace", "viewer@acme.io", MemberRole::Viewer)
        .await;
    let csm = app
        .token_for("Default workspace", "csm@acme.io", MemberRole::Csm)
        .await;
    let input = json!({ "levels": [{ "daysOverdue": 0, "actions": ["REMIND_ASSIGNEE"] }] });
    let run_now = "mutation { runEscalationNow { outcome } }";

    let mut codes = Vec::new();
    for token in [&viewer, &csm] {
        let update = app
            .graphql_as(token, &update_policy(), json!({ "input": input }))
            .await;
        let run = app.graphql_as(token, run_now, json!({})).await;
        codes.push(error_code(&update).map(str::to_owned));
        codes.push(error_code(&run).map(str::to_owned));
    }
    let read = app
        .graphql_as(
            &viewer,
            &format!("{{ escalationPolicy {{ {POLICY} }} }}"),
            json!({}),
        )
        .await;
    let runs = app
        .graphql_as(&viewer, "{ jobRuns { edges { node { id } } } }", json!({}))
        .await;

    assert!(
        codes
            .iter()
            .all(|code| code.as_deref() == Some("FORBIDDEN")),
        "{codes:?}"
    );
    assert_eq!(
        data(&read)["escalationPolicy"]["levels"][0]["daysOverdue"],
        0
    );
    assert_eq!(data(&runs)["jobRuns"]["edges"], json!([]));
}
