//! NPS responses pushed by survey tools to `POST /webhooks/nps`.
//!
//! Each request names a workspace's webhook secret by its public key id and signs the raw
//! body with it (HMAC-SHA256). Admins create and rotate secrets through the API; a rotated
//! secret's predecessor keeps verifying for [`secrets::ROTATION_GRACE`] so senders can
//! switch over without losing a response.

pub mod body;
pub mod graphql;
pub mod secrets;
pub mod signature;
