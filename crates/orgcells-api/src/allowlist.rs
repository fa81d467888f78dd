//! The monitoring allowlist: which client addresses may read `/-/health`, `/-/liveness`,
//! `/-/readiness` and `/-/metrics`. Others get a 404, as GitLab's `monitoring_whitelist` does.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::AppState;
use crate::error::no_route;

/// Networks (CIDRs or single addresses) allowed to reach the monitoring endpoints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Allowlist(Vec<IpNet>);

impl Allowlist {
    /// Loopback only: `127.0.0.0/8,::1/128`, GitLab's default.
    pub fn loopback() -> Allowlist {
        Allowlist(vec![
            IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
            IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128)),
        ])
    }

    pub fn allows(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0.iter().any(|net| net.contains(&addr))
    }
}

impl Default for Allowlist {
    fn default() -> Allowlist {
        Allowlist::loopback()
    }
}

/// A comma-separated list: `127.0.0.0/8,::1/128,10.0.0.5`.
impl FromStr for Allowlist {
    type Err = String;

    fn from_str(list: &str) -> Result<Allowlist, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is neither a CIDR nor an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Allowlist)
    }
}

impl TryFrom<String> for Allowlist {
    type Error = String;

    fn try_from(list: String) -> Result<Allowlist, String> {
        list.parse()
    }
}

impl fmt::Display for Allowlist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: Vec<String> = self.0.iter().map(IpNet::to_string).collect();
        f.write_str(&entries.join(","))
    }
}

/// Middleware: the monitoring endpoints answer only clients on the allowlist; others get the
/// 404 of a route that does not exist. A request with no known peer address is refused.
pub async fn only_allowed(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match peer {
        Some(ip) if state.monitoring_allowlist.allows(ip) => next.run(request).await,
        _ => no_route().await,
    }
}
