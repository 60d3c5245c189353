//! `closeloop seed-demo`: a realistic demo workspace — a CS team with managers, accounts
//! in three segments, their contacts, six months of NPS answers, and detractor projects
//! at every stage — so a new user has something to explore and benchmarks have data.
//! The data is the same on every run (a seeded generator); `--scale N` multiplies it.

mod names;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use crate::accounts::service::{self as accounts, MrrCents, NewAccount};
use crate::contacts::service::{self as contacts, NewContact};
use crate::db;
use crate::entities::enums::{ContactRole, MemberRole, NpsCategory, Severity};
use crate::entities::{account, team_member};
use crate::error::{AppError, AppResult};
use crate::members::service::{self as members, NewMember};
use crate::projects::service::{StartProject, start_project};
use crate::values::{EmailAddress, Name, Text, Timezone};
use crate::workspaces::service as workspaces;

/// Accounts per unit of scale; each has three contacts with two answers each.
const ACCOUNTS_PER_SCALE: usize = 25;
/// Accounts written per transaction, so SQLite's write lock is held briefly.
const ACCOUNTS_PER_TRANSACTION: usize = 25;

/// What the seeder made.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedReport {
    pub members: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub responses: usize,
    pub projects: usize,
}

/// Creates the workspace `name` (refusing an existing one) and fills it.
pub async fn seed(
    db: &DatabaseConnection,
    name: &str,
    scale: usize,
    now: DateTime<Utc>,
) -> AppResult<SeedReport> {
    let name = Name::parse("workspace", name)?;
    let txn = db::begin_write(db).await?;
    let workspace = workspaces::create(
        &txn,
        name,
        Timezone::parse("timezone", "Europe/London")?,
        now,
    )
    .await?;
    let team = Team::create(&txn, workspace.id, scale, now).await?;
    txn.commit().await?;

    let mut report = SeedReport {
        members: team.size(),
        ..SeedReport::default()
    };
    let mut rng = StdRng::seed_from_u64(0x00c1_05e1_00f0);
    let total = scale.max(1) * ACCOUNTS_PER_SCALE;
    for chunk_start in (0..total).step_by(ACCOUNTS_PER_TRANSACTION) {
        let txn = db::begin_write(db).await?;
        for index in chunk_start..(chunk_start + ACCOUNTS_PER_TRANSACTION).min(total) {
            seed_account(&txn, workspace.id, &team, index, &mut rng, now, &mut report).await?;
        }
        txn.commit().await?;
    }
    tracing::info!(workspace.id = %workspace.id, accounts = report.accounts, responses = report.responses, projects = report.projects, "demo workspace seeded");
    Ok(report)
}

/// The demo CS team: a head of CS, managers, and CSMs who own the accounts.
struct Team {
    csms: Vec<team_member::Model>,
    managers: usize,
}

impl Team {
    async fn create(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        scale: usize,
        now: DateTime<Utc>,
    ) -> AppResult<Team> {
        let head = add_member(
            db,
            workspace_id,
            "Morgan Blake",
            "head",
            MemberRole::Admin,
            None,
            now,
        )
        .await?;
        workspaces::update_settings(
            db,
            workspace_id,
            workspaces::SettingsChanges {
                head_of_cs_id: Some(Some(head.id)),
                ..Default::default()
            },
            now,
        )
        .await?;
        let managers = scale.div_ceil(4).max(1);
        let mut csms = Vec::new();
        for m in 0..managers {
            let manager_name = names::person(m + 7);
            let manager = add_member(
                db,
                workspace_id,
                &manager_name,
                &format!("manager{m}"),
                MemberRole::Manager,
                Some(head.id),
                now,
            )
            .await?;
            for c in 0..4 {
                let n = m * 4 + c;
                let csm = add_member(
                    db,
                    workspace_id,
                    &names::person(n + 20),
                    &format!("csm{n}"),
                    MemberRole::Csm,
                    Some(manager.id),
                    now,
                )
                .await?;
                csms.push(csm);
            }
        }
        Ok(Team { csms, managers })
    }

    fn size(&self) -> usize {
        1 + self.managers + self.csms.len()
    }

    fn owner_for(&self, index: usize) -> Option<Uuid> {
        self.csms.get(index % self.csms.len().max(1)).map(|m| m.id)
    }
}

async fn add_member(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    name: &str,
    handle: &str,
    role: MemberRole,
    manager_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<team_member::Model> {
    let new = NewMember {
        email: EmailAddress::parse("email", &format!("{handle}@demo.closeloop.localhost"))?,
        name: Name::parse("name", name)?,
        role,
        manager_id,
    };
    members::create(db, workspace_id, new, now).await
}

async fn seed_account(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    team: &Team,
    index: usize,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    report: &mut SeedReport,
) -> AppResult<()> {
    let account = create_account(db, workspace_id, team, index, rng, now).await?;
    report.accounts += 1;
    let roles = [ContactRole::Admin, ContactRole::Champion, ContactRole::User];
    let mut worst: Option<(i16, Uuid)> = None;
    for (c, role) in roles.into_iter().enumerate() {
        let contact = create_contact(db, workspace_id, &account, index, c, role, now).await?;
        report.contacts += 1;
        for answer in 0..2 {
            let score = demo_score(rng, index);
            let responded_at =
                now - Duration::days(rng.random_range(1..180)) - Duration::hours(answer * 24);
            let comment = names::comment(score, rng.random_range(0..4));
            let comment = (!comment.is_empty())
                .then(|| Text::parse("comment", comment))
                .transpose()?;
            let response = crate::surveys::service::record_raw(
                db,
                workspace_id,
                contact.id,
                score,
                comment,
                responded_at,
                category(score),
                now,
            )
            .await?;
            report.responses += 1;
            if score <= 6 && role != ContactRole::User && worst.is_none_or(|(s, _)| score < s) {
                worst = Some((score, response.id));
            }
        }
    }
    if let Some((score, response_id)) = worst {
        start_demo_project(db, workspace_id, &account, score, response_id, now).await?;
        report.projects += 1;
    }
    Ok(())
}

async fn create_account(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    team: &Team,
    index: usize,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let segment = ["smb", "mid-market", "enterprise"][index % 3];
    let base = [40_000, 250_000, 1_500_000][index % 3];
    let new = NewAccount {
        name: Name::parse("name", &names::company(index))?,
        external_id: Some(Name::parse("externalId", &format!("demo-{index:06}"))?),
        owner_id: team.owner_for(index),
        mrr_cents: Some(MrrCents::parse(
            "mrrCents",
            base + rng.random_range(0..base),
        )?),
        segment: Some(Name::parse("segment", segment)?),
    };
    accounts::create(db, workspace_id, None, new, now).await
}

async fn create_contact(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account: &account::Model,
    index: usize,
    c: usize,
    role: ContactRole,
    now: DateTime<Utc>,
) -> AppResult<crate::entities::contact::Model> {
    let person = names::person(index * 3 + c);
    let handle = person.to_lowercase().replace(' ', ".");
    let new = NewContact {
        account_id: account.id,
        email: EmailAddress::parse(
            "email",
            &format!("{handle}.{index}@customer{index}.example"),
        )?,
        name: Some(Name::parse("name", &person)?),
        role,
    };
    contacts::create(db, workspace_id, None, new, now).await
}

async fn start_demo_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account: &account::Model,
    score: i16,
    response_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let template = crate::templates::service::find_builtin(
        db,
        workspace_id,
        crate::templates::builtin::NPS_DETRACTOR,
    )
    .await?;
    let start = StartProject {
        account_id: account.id,
        template_id: template.id,
        name: None,
        severity: if score <= 3 {
            Severity::High
        } else {
            Severity::Normal
        },
        starts_at: Some(now - Duration::days(i64::from(10 - score))),
        owner_id: None,
        triggering_response_id: Some(response_id),
    };
    start_project(db, workspace_id, None, start, now)
        .await
        .map(|_| ())
}

/// Scores skewed towards promoters, with a few unhappy accounts that stay unhappy.
fn demo_score(rng: &mut StdRng, index: usize) -> i16 {
    let unhappy = index % 7 == 3;
    let roll: u8 = rng.random_range(0..100);
    let score = match (unhappy, roll) {
        (true, r) if r < 70 => r % 7,
        (_, r) if r < 12 => r % 7,
        (_, r) if r < 35 => 7 + r % 2,
        (_, r) => 9 + r % 2,
    };
    i16::from(score)
}

fn category(score: i16) -> NpsCategory {
    match score {
        0..=6 => NpsCategory::Detractor,
        7..=8 => NpsCategory::Passive,
        _ => NpsCategory::Promoter,
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} team members, {} accounts, {} contacts, {} NPS responses, {} detractor projects",
            self.members, self.accounts, self.contacts, self.responses, self.projects
        )
    }
}

/// Refuses a scale that would take hours rather than minutes.
pub fn check_scale(scale: usize) -> AppResult<usize> {
    if (1..=10_000).contains(&scale) {
        Ok(scale)
    } else {
        Err(AppError::bad_input(
            "scale",
            "`--scale` must be between 1 and 10000",
        ))
    }
}
