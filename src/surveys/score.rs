//! The NPS score: an integer from 0 to 10, and nothing else.

use crate::error::{AppError, AppResult};

/// A score a contact gave, 0 to 10. Built only by [`NpsScore::parse`] or
/// [`NpsScore::parse_text`], so an out-of-range score cannot reach the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NpsScore(u8);

impl NpsScore {
    pub fn parse(field: &'static str, raw: i64) -> AppResult<Self> {
        u8::try_from(raw)
            .ok()
            .filter(|score| *score <= 10)
            .map(NpsScore)
            .ok_or_else(|| out_of_range(field))
    }

    /// A score written as text (a CSV cell): `7` is a score, `7.5`, `seven` or `11` are not.
    pub fn parse_text(field: &'static str, raw: &str) -> AppResult<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AppError::bad_input(field, format!("`{field}` is required")));
        }
        let value: i64 = trimmed.parse().map_err(|_| {
            AppError::bad_input(field, format!("`{field}` must be an integer from 0 to 10"))
        })?;
        NpsScore::parse(field, value)
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn as_i16(self) -> i16 {
        i16::from(self.0)
    }
}

fn out_of_range(field: &'static str) -> AppError {
    AppError::bad_input(field, format!("`{field}` must be between 0 and 10"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_integers_from_zero_to_ten() {
        assert_eq!(
            NpsScore::parse("score", 0).map(NpsScore::value).ok(),
            Some(0)
        );
        assert_eq!(
            NpsScore::parse("score", 10).map(NpsScore::value).ok(),
            Some(10)
        );
        for bad in [-1, 11, 256, i64::MIN] {
            assert!(NpsScore::parse("score", bad).is_err(), "{bad} was accepted");
        }
        for bad in ["7.5", "seven", "", " ", "11", "-0.0"] {
            assert!(
                NpsScore::parse_text("score", bad).is_err(),
                "{bad:?} was accepted"
            );
        }
        assert_eq!(
            NpsScore::parse_text("score", " 9 ")
                .map(NpsScore::value)
                .ok(),
            Some(9)
        );
    }
}
