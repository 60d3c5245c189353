//! Validated values shared by several domains. Each is built by `parse`, which refuses
//! bad input with a `BAD_USER_INPUT` error naming the field, so an invalid value cannot
//! exist past the API boundary.

use std::str::FromStr;

use uuid::Uuid;

use crate::error::{AppError, AppResult};

const MAX_NAME_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 20_000;

/// An email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let trimmed = raw.trim().to_lowercase();
        let valid = trimmed.len() <= 254
            && email_address::EmailAddress::from_str(&trimmed).is_ok()
            && trimmed.contains('.')
            && !trimmed.chars().any(|c| c.is_control() || c.is_whitespace());
        if valid {
            Ok(EmailAddress(trimmed))
        } else {
            Err(AppError::bad_input(
                field,
                format!("`{field}` is not a valid email address"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A short human-readable name or title: trimmed, not empty, at most 200 characters, no
/// line breaks or other control characters (names end up in email headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must not be empty"),
            ));
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must not contain line breaks or control characters"),
            ));
        }
        Ok(Name(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Free text (a description, a note body): may span lines, bounded in length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        if raw.chars().count() > MAX_TEXT_CHARS {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must be at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        Ok(Text(raw.trim().to_owned()))
    }

    /// Like [`Text::parse`], and refuses an empty text.
    pub fn parse_required(field: &'static str, raw: &str) -> AppResult<Self> {
        let text = Text::parse(field, raw)?;
        if text.0.is_empty() {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must not be empty"),
            ));
        }
        Ok(text)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An IANA time zone name such as `Europe/Paris`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(Timezone)
            .map_err(|_| AppError::bad_input(field, format!("`{field}` is not an IANA time zone")))
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// Parses a GraphQL `ID` into the UUID it stands for.
pub fn parse_id(field: &'static str, raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| AppError::bad_input(field, format!("`{field}` is not a valid id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_bad_ones_refused() {
        let email =
            EmailAddress::parse("email", "  Ada@Example.COM ").map(EmailAddress::into_inner);
        assert_eq!(email.ok().as_deref(), Some("ada@example.com"));
        for bad in [
            "",
            "ada",
            "ada@",
            "a b@example.com",
            "ada@example.com\r\nBcc: x@y.z",
        ] {
            assert!(
                EmailAddress::parse("email", bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn names_refuse_empty_long_and_multiline_input() {
        assert!(Name::parse("name", "  ").is_err());
        assert!(Name::parse("name", &"x".repeat(201)).is_err());
        assert!(Name::parse("name", "Ada\r\nBcc: evil@example.com").is_err());
        assert_eq!(
            Name::parse("name", " Acme ")
                .map(Name::into_inner)
                .ok()
                .as_deref(),
            Some("Acme")
        );
    }

    #[test]
    fn timezones_are_iana_names() {
        assert!(Timezone::parse("timezone", "Europe/Paris").is_ok());
        assert!(Timezone::parse("timezone", "Mars/Olympus").is_err());
    }
}
