//! When the nightly escalation is due for a workspace: the latest time at or before now that
//! the cron expression names, read as wall-clock time in the workspace's own zone.
//!
//! Each slot is computed in the zone itself (chrono-tz), not through a fixed offset, so
//! "02:00" stays 02:00 local on both sides of a daylight-saving change. On the night the
//! clocks spring forward past 02:00 the slot is the first time after the gap (03:00); on
//! the night they fall back, the repeated hour gives one slot, not two.

use std::str::FromStr;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds};

use crate::error::{AppError, AppResult};

/// 02:00 every day, in each workspace's zone.
pub const DEFAULT_CRON: &str = "0 2 * * *";

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: croner::Cron,
}

impl Schedule {
    /// Parses a five-field cron expression (minute hour day month weekday).
    pub fn parse(expression: &str) -> AppResult<Schedule> {
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .build()
            .parse(expression)
            .map_err(|e| {
                AppError::bad_input("escalationSchedule", format!("not a cron expression: {e}"))
            })?;
        Ok(Schedule { cron })
    }

    /// The latest slot at or before `now` in `timezone`; `None` for a zone that is not
    /// an IANA name (workspaces store validated ones) or a schedule that never fires.
    ///
    /// croner searches forward correctly across daylight-saving gaps but not backward (it
    /// lands on 01:59:59 on the night 02:00 is skipped), so the backward search only gives
    /// a starting point a little before the answer, and the slot is found walking forward.
    pub fn latest_slot(&self, timezone: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = Tz::from_str(timezone).ok()?;
        // croner carries the fraction of a second it starts from into every occurrence it
        // finds; a slot must be the same instant whenever and wherever it is computed.
        let now = now.trunc_subsecs(0);
        let local_now = now.with_timezone(&zone);
        let hint = self
            .cron
            .find_previous_occurrence(&local_now, true)
            .map_or(now - Duration::days(8), |at| at.with_timezone(&Utc));
        let mut cursor = (hint - Duration::hours(3)).with_timezone(&zone);
        let mut latest = None;
        for _ in 0..MAX_STEPS {
            match self.cron.find_next_occurrence(&cursor, false) {
                Ok(next) if next <= local_now => {
                    latest = Some(next.with_timezone(&Utc));
                    cursor = next;
                }
                _ => break,
            }
        }
        latest
    }
}

/// Steps of the forward walk: a few hours of a once-a-minute schedule, many days of any
/// sensible nightly one.
const MAX_STEPS: usize = 1_000;

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn the_slot_is_two_in_the_morning_local_time() {
        let schedule = Schedule::parse(DEFAULT_CRON).ok();

        let slot = schedule.and_then(|s| s.latest_slot("Europe/Paris", utc(2026, 3, 2, 9, 0)));

        assert_eq!(slot, Some(utc(2026, 3, 2, 1, 0)));
    }

    #[test]
    fn a_slot_in_the_spring_forward_gap_moves_to_the_end_of_the_gap() {
        let schedule = Schedule::parse(DEFAULT_CRON).ok();
        let slot = |now| {
            schedule
                .as_ref()
                .and_then(|s| s.latest_slot("America/New_York", now))
        };

        let before = slot(utc(2026, 3, 7, 12, 0));
        let gap_night = slot(utc(2026, 3, 8, 12, 0));
        let after = slot(utc(2026, 3, 9, 12, 0));

        assert_eq!(before, Some(utc(2026, 3, 7, 7, 0)));
        assert_eq!(gap_night, Some(utc(2026, 3, 8, 7, 0)));
        assert_eq!(after, Some(utc(2026, 3, 9, 6, 0)));
    }

    #[test]
    fn the_slot_is_the_same_instant_whatever_the_fraction_of_a_second_of_now() {
        let schedule = Schedule::parse(DEFAULT_CRON).ok();
        let slot = |now| {
            schedule
                .as_ref()
                .and_then(|s| s.latest_slot("Europe/Paris", now))
        };

        let early = slot(utc(2026, 3, 2, 9, 0) + Duration::milliseconds(291));
        let late = slot(utc(2026, 3, 2, 9, 1) + Duration::microseconds(470_944));

        assert_eq!(early, Some(utc(2026, 3, 2, 1, 0)));
        assert_eq!(late, early);
    }

    #[test]
    fn a_repeated_hour_gives_one_slot() {
        let schedule = Schedule::parse("30 1 * * *").ok();

        let first = schedule
            .as_ref()
            .and_then(|s| s.latest_slot("America/New_York", utc(2026, 11, 1, 5, 45)));
        let repeated = schedule
            .as_ref()
            .and_then(|s| s.latest_slot("America/New_York", utc(2026, 11, 1, 6, 45)));

        assert_eq!(first, Some(utc(2026, 11, 1, 5, 30)));
        assert_eq!(repeated, first);
    }
}
