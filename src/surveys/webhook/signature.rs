//! Checking a webhook's signature: HMAC-SHA256 of `<timestamp>.<raw body>`, compared in
//! constant time. Signing the timestamp with the body lets the receiver refuse a captured
//! request replayed later: a request is only good within [`TOLERANCE`] of its timestamp.

use chrono::{DateTime, Duration, Utc};
use ring::hmac;

/// The prefix of the signature header's value: `sha256=<hex>`.
const SCHEME: &str = "sha256=";

/// How far a request's timestamp may be from the receiver's clock, either way: enough for
/// clock skew and a retry, too little for a replay to be useful.
pub const TOLERANCE: Duration = Duration::minutes(5);

/// The header value a sender computes for `body`, sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, &signed_bytes(&timestamp.to_string(), body));
    format!("{SCHEME}{}", hex::encode(tag.as_ref()))
}

/// Whether `header` is a valid signature of `body` sent at `timestamp` under any of
/// `secrets`. Malformed headers simply do not verify.
pub fn verifies<'a>(
    header: &str,
    timestamp: &str,
    body: &[u8],
    secrets: impl IntoIterator<Item = &'a str>,
) -> bool {
    let Some(tag) = header
        .trim()
        .strip_prefix(SCHEME)
        .and_then(|hex_tag| hex::decode(hex_tag).ok())
    else {
        return false;
    };
    let signed = signed_bytes(timestamp.trim(), body);
    secrets.into_iter().any(|secret| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        hmac::verify(&key, &signed, &tag).is_ok()
    })
}

/// Whether a request stamped `timestamp` (Unix seconds, as text) may be taken at `now`.
pub fn is_fresh(timestamp: &str, now: DateTime<Utc>) -> bool {
    timestamp
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0))
        .is_some_and(|sent| (now - sent).abs() <= TOLERANCE)
}

fn signed_bytes(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"{\"score\":3}";

    #[test]
    fn a_signature_verifies_only_with_its_secret_timestamp_and_body() {
        let header = sign("whsec_one", 1_700_000_000, BODY);

        assert!(verifies(
            &header,
            "1700000000",
            BODY,
            ["whsec_two", "whsec_one"]
        ));
        assert!(!verifies(
            &header,
            "1700000000",
            b"{\"score\":4}",
            ["whsec_one"]
        ));
        assert!(!verifies(&header, "1700000001", BODY, ["whsec_one"]));
        assert!(!verifies(&header, "1700000000", BODY, ["whsec_two"]));
        assert!(!verifies("sha256=zz", "1700000000", BODY, ["whsec_one"]));
        assert!(!verifies(
            &header.replace("sha256=", "md5="),
            "1700000000",
            BODY,
            ["whsec_one"]
        ));
    }

    #[test]
    fn a_timestamp_is_fresh_within_five_minutes_either_way() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();

        assert!(is_fresh("1700000000", now));
        assert!(is_fresh("1699999700", now));
        assert!(is_fresh("1700000300", now));
        assert!(!is_fresh("1699999699", now));
        assert!(!is_fresh("1700000301", now));
        assert!(!is_fresh("yesterday", now));
        assert!(!is_fresh("", now));
    }
}
