//! A personal access token's secret: how a fresh one is made and the digest it is stored and
//! found by (the secret itself is shown once and never stored).

use orgcells_core::routing::TOKEN_PREFIX;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The digest a token is stored and found by.
pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh secret: GitLab's prefix and 20 random characters.
pub(crate) fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::thread_rng();
    let body: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{TOKEN_PREFIX}{body}")
}
