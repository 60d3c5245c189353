//! Checking a webhook's signature: HMAC-SHA256 of the raw body, compared in constant time.

use ring::hmac;

/// The prefix of the signature header's value: `sha256=<hex>`.
const SCHEME: &str = "sha256=";

/// The header value a sender computes for `body` with `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    format!("{SCHEME}{}", hex::encode(hmac::sign(&key, body).as_ref()))
}

/// Whether `header` is a valid signature of `body` under any of `secrets`. Malformed
/// headers simply do not verify.
pub fn verifies<'a>(header: &str, body: &[u8], secrets: impl IntoIterator<Item = &'a str>) -> bool {
    let Some(tag) = header
        .trim()
        .strip_prefix(SCHEME)
        .and_then(|hex_tag| hex::decode(hex_tag).ok())
    else {
        return false;
    };
    secrets.into_iter().any(|secret| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        hmac::verify(&key, body, &tag).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_and_body() {
        let header = sign("whsec_one", b"{\"score\":3}");

        assert!(verifies(
            &header,
            b"{\"score\":3}",
            ["whsec_two", "whsec_one"]
        ));
        assert!(!verifies(&header, b"{\"score\":4}", ["whsec_one"]));
        assert!(!verifies(&header, b"{\"score\":3}", ["whsec_two"]));
        assert!(!verifies("sha256=zz", b"{\"score\":3}", ["whsec_one"]));
        assert!(!verifies(
            &header.replace("sha256=", "md5="),
            b"{\"score\":3}",
            ["whsec_one"]
        ));
    }
}
