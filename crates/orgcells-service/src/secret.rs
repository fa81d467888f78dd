//! A personal access token's secret: how a fresh one is made and the digest it is stored and
//! found by (the secret itself is shown once and never stored).
//!
//! Tokens are routable; a token given by the admin's configuration (`ORGCELLS_ADMIN_TOKEN`)
//! is kept as given.

use orgcells_core::routable_token::{self, Routing};
use orgcells_core::routing::TOKEN_PREFIX;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The digest a token is stored and found by.
pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh secret in GitLab's routable format (`core::routable_token`): it names the Cell that
/// holds its User's tokens and their home Organization, around 16 random bytes, so a router can
/// send a request that names no owner to that Cell without asking anyone.
pub(crate) fn generate(routing: Routing) -> String {
    let mut random = [0_u8; 16];
    rand::thread_rng().fill(&mut random);
    routable_token::encode(TOKEN_PREFIX, routing, &random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgcells_core::ids::{CellId, OrganizationId};

    #[test]
    fn tokens_name_their_cell_and_differ() {
        let routing = Routing {
            cell: CellId(1),
            organization: OrganizationId(1),
        };
        let (one, two) = (generate(routing), generate(routing));
        assert_ne!(one, two);
        assert!(one.starts_with(TOKEN_PREFIX), "{one}");
        assert_eq!(routable_token::decode(&one, TOKEN_PREFIX), Some(routing));
    }
}
