//! Routable tokens: GitLab's format for secrets that name their Cell, so a router can send a
//! request to the right Cell without asking anyone (`Authn::TokenField::Generator::RoutableToken`).
//!
//! ```text
//! <prefix><base64url(payload ++ random ++ [len(random)])>.<len of the base64, base36, 2><crc32, base36, 7>
//! ```
//!
//! The payload is `key:value` lines sorted by key (`c` the Cell, `o` the Organization, `g`, `p`,
//! `u` a Group, Project or User), integers in base 36; the CRC covers everything before it, the
//! prefix included. Decoding checks the CRC and the length, so a mistyped or ordinary token reads
//! as "names no Cell" rather than as a wrong Cell.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crc::{CRC_32_ISO_HDLC, Crc};

use crate::ids::{CellId, OrganizationId};

const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);
const LENGTH_DIGITS: usize = 2;
const CRC_DIGITS: usize = 7;

/// What a routable token says about where its owner lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    pub cell: CellId,
    pub organization: OrganizationId,
}

/// A routable token for `routing`, with `random` as its secret part.
pub fn encode(prefix: &str, routing: Routing, random: &[u8; 16]) -> String {
    let mut raw = format!(
        "c:{}\no:{}",
        base36(u64::from(routing.cell.0)),
        base36(routing.organization.0.unsigned_abs())
    )
    .into_bytes();
    raw.extend_from_slice(random);
    raw.push(16);
    let body = URL_SAFE_NO_PAD.encode(&raw);
    let mut token = format!("{prefix}{body}.{:0>2}", base36(body.len() as u64));
    let crc = base36(u64::from(CRC32.checksum(token.as_bytes())));
    token.push_str(&format!("{crc:0>7}"));
    token
}

/// The routing a token carries, or `None` for any token that is not a well-formed routable
/// token (an ordinary `glpat-` token, a typo, a forged CRC).
pub fn decode(token: &str, prefix: &str) -> Option<Routing> {
    let rest = token.strip_prefix(prefix)?;
    let crc_at = token.len().checked_sub(CRC_DIGITS)?;
    let (signed, crc) = token.split_at(crc_at);
    if u64::from(CRC32.checksum(signed.as_bytes())) != from_base36(crc)? {
        return None;
    }
    let (body, length) = rest[..rest.len() - CRC_DIGITS].rsplit_once('.')?;
    if length.len() != LENGTH_DIGITS || from_base36(length)? != body.len() as u64 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(body).ok()?;
    let (random_len, raw) = raw.split_last()?;
    let payload = raw.get(..raw.len().checked_sub(usize::from(*random_len))?)?;
    let (mut cell, mut organization) = (None, None);
    for line in std::str::from_utf8(payload).ok()?.split('\n') {
        match line.split_once(':')? {
            ("c", value) => cell = u16::try_from(from_base36(value)?).ok().map(CellId),
            ("o", value) => {
                organization = i64::try_from(from_base36(value)?).ok().map(OrganizationId)
            }
            _ => {}
        }
    }
    Some(Routing {
        cell: cell?,
        organization: organization?,
    })
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn from_base36(digits: &str) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, 36).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTING: Routing = Routing {
        cell: CellId(2),
        organization: OrganizationId(1_234_567),
    };

    #[test]
    fn a_token_carries_its_cell_and_organization() {
        let token = encode("glpat-", ROUTING, &[7; 16]);
        assert_eq!(decode(&token, "glpat-"), Some(ROUTING));
    }

    /// Built independently with Python's base64 and zlib.crc32, the way GitLab's generator
    /// builds it: payload "c:2\no:qglj", 16 bytes of 7, then the byte 16.
    #[test]
    fn matches_gitlabs_layout() {
        assert_eq!(
            encode("glpat-", ROUTING, &[7; 16]),
            "glpat-YzoyCm86cWdsagcHBwcHBwcHBwcHBwcHBwcQ.100ydir4e"
        );
    }

    #[test]
    fn anything_else_names_no_cell() {
        let token = encode("glpat-", ROUTING, &[7; 16]);
        // The same token claiming Cell 3 (`c:3`): the CRC no longer matches.
        let forged = token.replacen("YzoyCm86", "YzozCm86", 1);
        assert_ne!(forged, token);
        for other in [
            "glpat-abcdefghijklmnopqrst".to_owned(),
            forged,
            token.replace("glpat-", "glrt-"),
            token[..token.len() - 1].to_owned(),
            String::new(),
            "glpat-".to_owned(),
        ] {
            assert_eq!(decode(&other, "glpat-"), None, "{other}");
        }
    }
}
