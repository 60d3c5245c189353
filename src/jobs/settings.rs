//! Settings of the scheduled jobs, checked at start like every other setting.

use clap::Args;

use crate::escalation::run::{DEFAULT_BATCH_SIZE, RunOptions};
use crate::escalation::schedule::{DEFAULT_CRON, Schedule};
use crate::follow_ups::job::{self as follow_ups, FollowUpOptions};
use crate::sla::check::{CheckOptions, DEFAULT_CRON as DEFAULT_SLA_CRON};

#[derive(Debug, Clone, Args)]
pub struct JobSettings {
    /// Whether this process runs the scheduled jobs. Turn it off on servers that leave them
    /// to a `closeloop worker`; leaving it on everywhere is safe too (the ledger lets one in).
    #[arg(long = "scheduler", env = "CLOSELOOP_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set)]
    pub enabled: bool,

    /// When the nightly escalation runs: a five-field cron expression (minute hour day
    /// month weekday), read in each workspace's own time zone.
    #[arg(long, env = "CLOSELOOP_ESCALATION_SCHEDULE", default_value = DEFAULT_CRON)]
    pub escalation_schedule: String,

    /// When the daily follow-up job runs: a five-field cron expression, read in each
    /// workspace's own time zone.
    #[arg(long, env = "CLOSELOOP_FOLLOW_UP_SCHEDULE", default_value = follow_ups::DEFAULT_CRON)]
    pub follow_up_schedule: String,

    /// Tasks escalated per batch, each batch one transaction.
    #[arg(long, env = "CLOSELOOP_ESCALATION_BATCH_SIZE", default_value_t = DEFAULT_BATCH_SIZE,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub escalation_batch_size: u64,

    /// When the SLA clocks are checked for warnings and breaches: a five-field cron
    /// expression, read in UTC (business hours are each workspace's own all the same).
    #[arg(long, env = "CLOSELOOP_SLA_SCHEDULE", default_value = DEFAULT_SLA_CRON)]
    pub sla_schedule: String,

    /// On shutdown, how long a running job may take to finish its batch before the process
    /// exits anyway (the next run finishes the rest).
    #[arg(long, env = "CLOSELOOP_JOB_GRACE_SECS", default_value_t = 30)]
    pub job_grace_secs: u64,

    /// How long a run is trusted to be alive; past it, a run that never finished is taken
    /// to have died and its slot is run again.
    #[arg(long, env = "CLOSELOOP_JOB_LEASE_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub job_lease_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            enabled: true,
            escalation_schedule: DEFAULT_CRON.to_owned(),
            follow_up_schedule: follow_ups::DEFAULT_CRON.to_owned(),
            escalation_batch_size: DEFAULT_BATCH_SIZE,
            sla_schedule: DEFAULT_SLA_CRON.to_owned(),
            job_grace_secs: 30,
            job_lease_secs: 3600,
        }
    }
}

impl JobSettings {
    /// The parsed schedule; a bad expression stops the process at start.
    pub fn schedule(&self) -> anyhow::Result<Schedule> {
        Schedule::parse(&self.escalation_schedule)
            .map_err(|e| anyhow::anyhow!("CLOSELOOP_ESCALATION_SCHEDULE: {e}"))
    }

    /// The parsed follow-up schedule; a bad expression stops the process at start.
    pub fn follow_up_schedule(&self) -> anyhow::Result<Schedule> {
        Schedule::parse(&self.follow_up_schedule)
            .map_err(|e| anyhow::anyhow!("CLOSELOOP_FOLLOW_UP_SCHEDULE: {e}"))
    }

    pub fn follow_up_options(&self) -> FollowUpOptions {
        FollowUpOptions {
            lease: self.run_options().lease,
            ..FollowUpOptions::default()
        }
    }

    /// The parsed SLA schedule; a bad expression stops the process at start.
    pub fn sla_schedule(&self) -> anyhow::Result<Schedule> {
        Schedule::parse(&self.sla_schedule)
            .map_err(|e| anyhow::anyhow!("CLOSELOOP_SLA_SCHEDULE: {e}"))
    }

    /// SLA checks batch like escalations and trust a running row as long.
    pub fn sla_options(&self) -> CheckOptions {
        CheckOptions {
            batch_size: self.escalation_batch_size,
            lease: chrono::Duration::seconds(i64::try_from(self.job_lease_secs).unwrap_or(3600)),
            ..CheckOptions::default()
        }
    }

    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            batch_size: self.escalation_batch_size,
            lease: chrono::Duration::seconds(i64::try_from(self.job_lease_secs).unwrap_or(3600)),
            ..RunOptions::default()
        }
    }

    pub fn grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.job_grace_secs)
    }
}
