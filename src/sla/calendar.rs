//! Business time: the hours a workspace's team works, in its own time zone. Response-time
//! targets count only these hours, so a detractor who answers on Friday evening does not
//! eat the weekend.
//!
//! Each business day is one window, opening and closing at the same wall-clock times; the
//! window of a date is found in the zone itself (chrono-tz), so 09:00 stays 09:00 local on
//! both sides of a daylight-saving change. A window edge that falls in a spring-forward gap
//! is read with the offset in force before the gap; one in a repeated hour is the first of
//! the two.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The furthest any sum or difference looks ahead: five years of dates.
const MAX_DAYS: usize = 5 * 366;

/// Business days (bit 0 Monday … bit 6 Sunday) and hours in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessCalendar {
    zone: Tz,
    days: u8,
    opens: NaiveTime,
    closes: NaiveTime,
}

impl BusinessCalendar {
    /// A calendar; `opens` must be before `closes` and `days` name at least one day for any
    /// time to count (settings validate both).
    pub fn new(zone: Tz, days: u8, opens: NaiveTime, closes: NaiveTime) -> BusinessCalendar {
        BusinessCalendar {
            zone,
            days,
            opens,
            closes,
        }
    }

    /// The instant `amount` of business time after `start`: counting starts at `start` if
    /// that is within business hours, else at the next opening. `None` when the calendar has
    /// no business time within five years.
    pub fn add(&self, start: DateTime<Utc>, amount: Duration) -> Option<DateTime<Utc>> {
        let mut left = amount.max(Duration::zero());
        let mut date = start.with_timezone(&self.zone).date_naive();
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = self.window(date) {
                let from = open.max(start);
                if from < close {
                    let available = close - from;
                    if left <= available {
                        return Some(from + left);
                    }
                    left -= available;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// The business time between two instants (zero when `to` is not after `from`).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let mut date = from.with_timezone(&self.zone).date_naive();
        let last = to.with_timezone(&self.zone).date_naive();
        for _ in 0..MAX_DAYS {
            if date > last {
                break;
            }
            if let Some((open, close)) = self.window(date) {
                let overlap = close.min(to) - open.max(from);
                if overlap > Duration::zero() {
                    total += overlap;
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        total
    }

    /// The business hours of a local date as instants, or `None` on a day off.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let bit = 1u8 << date.weekday().num_days_from_monday();
        if self.days & bit == 0 {
            return None;
        }
        let open = self.instant(date, self.opens)?;
        let close = self.instant(date, self.closes)?;
        (close > open).then_some((open, close))
    }

    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = date.and_time(time);
        match self.zone.from_local_datetime(&local) {
            LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => {
                let before = self
                    .zone
                    .offset_from_utc_datetime(&(local - Duration::days(1)));
                let offset = chrono::Offset::fix(&before);
                Some((local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Paris;

    use super::*;

    const WEEKDAYS: u8 = 0b001_1111;

    fn time(hour: u32, minute: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
    }

    fn nine_to_five(zone: Tz) -> BusinessCalendar {
        BusinessCalendar::new(zone, WEEKDAYS, time(9, 0), time(17, 0))
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn forty_eight_hours_from_friday_four_pm_end_six_business_days_later_at_four() {
        let calendar = nine_to_five(chrono_tz::UTC);

        // Friday 2026-03-06 16:00: 1 h that day, 5 days of 8 h, then 7 h on the Monday.
        let due = calendar.add(utc(2026, 3, 6, 16, 0), Duration::hours(48));

        assert_eq!(due, Some(utc(2026, 3, 16, 16, 0)));
    }

    #[test]
    fn time_starts_counting_at_the_next_opening_outside_business_hours() {
        let calendar = nine_to_five(chrono_tz::UTC);

        let from_saturday = calendar.add(utc(2026, 3, 7, 11, 0), Duration::hours(2));
        let from_the_night = calendar.add(utc(2026, 3, 3, 22, 0), Duration::hours(2));
        let from_early_morning = calendar.add(utc(2026, 3, 3, 6, 0), Duration::minutes(30));

        assert_eq!(from_saturday, Some(utc(2026, 3, 9, 11, 0)));
        assert_eq!(from_the_night, Some(utc(2026, 3, 4, 11, 0)));
        assert_eq!(from_early_morning, Some(utc(2026, 3, 3, 9, 30)));
    }

    #[test]
    fn a_sum_that_ends_exactly_at_closing_ends_that_evening_not_the_next_morning() {
        let calendar = nine_to_five(chrono_tz::UTC);

        let due = calendar.add(utc(2026, 3, 2, 9, 0), Duration::hours(8));

        assert_eq!(due, Some(utc(2026, 3, 2, 17, 0)));
    }

    #[test]
    fn business_days_are_read_in_the_workspace_zone_at_day_boundaries() {
        let calendar = nine_to_five(New_York);

        // Friday 2026-02-27 22:00 in New York is Saturday 03:00 UTC: Friday evening there,
        // so the hour is Monday's first (09:00 EST, 14:00 UTC).
        let due = calendar.add(utc(2026, 2, 28, 3, 0), Duration::hours(1));

        assert_eq!(due, Some(utc(2026, 3, 2, 15, 0)));
    }

    #[test]
    fn nine_o_clock_stays_nine_local_across_the_spring_forward_change() {
        let calendar = nine_to_five(New_York);

        // Friday 2026-03-06 16:00 EST (21:00 UTC); clocks go forward on Sunday the 8th.
        let due = calendar.add(utc(2026, 3, 6, 21, 0), Duration::hours(2));

        // One hour on Friday, one on Monday from 09:00 EDT (13:00 UTC).
        assert_eq!(due, Some(utc(2026, 3, 9, 14, 0)));
    }

    #[test]
    fn nine_o_clock_stays_nine_local_across_the_fall_back_change() {
        let calendar = nine_to_five(Paris);

        // Friday 2026-10-23 16:00 CEST (14:00 UTC); clocks go back on Sunday the 25th.
        let due = calendar.add(utc(2026, 10, 23, 14, 0), Duration::hours(2));

        // Monday 10:00 CET is 09:00 UTC.
        assert_eq!(due, Some(utc(2026, 10, 26, 9, 0)));
    }

    #[test]
    fn a_window_across_a_change_at_night_keeps_its_business_length() {
        let calendar = BusinessCalendar::new(New_York, 0b111_1111, time(1, 0), time(4, 0));

        // 2026-03-08: 02:00–03:00 does not exist, so 01:00–04:00 lasts two hours.
        let worked = calendar.between(utc(2026, 3, 8, 0, 0), utc(2026, 3, 9, 0, 0));

        assert_eq!(worked, Duration::hours(2));
    }

    #[test]
    fn business_time_between_skips_nights_and_weekends() {
        let calendar = nine_to_five(chrono_tz::UTC);

        let over_weekend = calendar.between(utc(2026, 3, 6, 15, 0), utc(2026, 3, 9, 10, 0));
        let same_day = calendar.between(utc(2026, 3, 3, 10, 0), utc(2026, 3, 3, 12, 30));
        let backwards = calendar.between(utc(2026, 3, 4, 10, 0), utc(2026, 3, 3, 10, 0));

        assert_eq!(over_weekend, Duration::hours(3));
        assert_eq!(same_day, Duration::minutes(150));
        assert_eq!(backwards, Duration::zero());
    }

    #[test]
    fn between_undoes_add() {
        let calendar = nine_to_five(New_York);
        let start = utc(2026, 3, 5, 18, 30);

        let due = calendar.add(start, Duration::hours(37));

        assert_eq!(
            due.map(|due| calendar.between(start, due)),
            Some(Duration::hours(37))
        );
    }

    #[test]
    fn a_calendar_without_business_days_never_ends_a_sum() {
        let calendar = BusinessCalendar::new(New_York, 0, time(9, 0), time(17, 0));

        assert_eq!(
            calendar.add(utc(2026, 3, 2, 9, 0), Duration::hours(1)),
            None
        );
    }

    #[test]
    fn a_weekend_team_works_saturday_and_sunday_only() {
        let calendar = BusinessCalendar::new(chrono_tz::UTC, 0b110_0000, time(10, 0), time(14, 0));

        let due = calendar.add(utc(2026, 3, 2, 9, 0), Duration::hours(6));

        assert_eq!(due, Some(utc(2026, 3, 8, 12, 0)));
    }
}
