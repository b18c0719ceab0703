//! The private-address guard: every outgoing connection goes through [`GuardedResolver`], which
//! drops every non-global address before ureq connects.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// The guard's refusal, carried through ureq as `Error::Other`.
#[derive(Debug)]
pub(super) struct Refusal(pub(super) String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused: {} resolves only to non-public addresses",
            self.0
        )
    }
}

impl std::error::Error for Refusal {}

/// ureq's resolver, minus every non-global address (unless private addresses are allowed).
/// ureq connects only to the addresses it returns, so the addresses checked are the addresses
/// connected to: a DNS answer that changes after the check never reaches a socket.
#[derive(Debug)]
pub(super) struct GuardedResolver {
    pub(super) allow_private_addresses: bool,
    /// The system's resolver (tests script one).
    pub(super) lookup: Box<dyn Resolver>,
    /// Which addresses may be connected to: the global ones (tests draw the line elsewhere).
    pub(super) allowed: fn(IpAddr) -> bool,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.lookup.resolve(uri, config, timeout)?;
        if self.allow_private_addresses {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        for address in resolved.iter().filter(|a| (self.allowed)(a.ip())) {
            kept.push(*address);
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default().to_string();
            return Err(ureq::Error::Other(Box::new(Refusal(host))));
        }
        Ok(kept)
    }
}

/// True for addresses reachable on the public internet (IANA special-purpose registries).
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

/// IPv4 blocks that are not global: this network, private, CGNAT, loopback, link-local,
/// IETF protocol assignments, documentation, 6to4 relay, benchmarking, multicast, reserved.
const NON_GLOBAL_V4: [(u32, u32); 15] = [
    (0x0000_0000, 8),  // 0.0.0.0/8
    (0x0a00_0000, 8),  // 10.0.0.0/8
    (0x6440_0000, 10), // 100.64.0.0/10
    (0x7f00_0000, 8),  // 127.0.0.0/8
    (0xa9fe_0000, 16), // 169.254.0.0/16
    (0xac10_0000, 12), // 172.16.0.0/12
    (0xc000_0000, 24), // 192.0.0.0/24
    (0xc000_0200, 24), // 192.0.2.0/24
    (0xc058_6300, 24), // 192.88.99.0/24
    (0xc0a8_0000, 16), // 192.168.0.0/16
    (0xc612_0000, 15), // 198.18.0.0/15
    (0xc633_6400, 24), // 198.51.100.0/24
    (0xcb00_7100, 24), // 203.0.113.0/24
    (0xe000_0000, 4),  // 224.0.0.0/4
    (0xf000_0000, 4),  // 240.0.0.0/4, with 255.255.255.255
];

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let n = u32::from(ip);
    !NON_GLOBAL_V4
        .iter()
        .any(|&(net, len)| (n ^ net) >> (32 - len) == 0)
}

fn in_v6(n: u128, net: u128, len: u32) -> bool {
    (n ^ net) >> (128 - len) == 0
}

/// Global unicast (2000::/3) less its special blocks; forms embedding an IPv4 address are judged
/// by that address.
fn is_global_v6(ip: Ipv6Addr) -> bool {
    let n = u128::from(ip);
    let embedded_v4 = |shift: u32| Ipv4Addr::from((n >> shift) as u32);
    if in_v6(n, 0, 96) {
        return false; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
    }
    if in_v6(n, 0xffff_0000_0000, 96) || in_v6(n, 0x0064_ff9b << 96, 96) {
        return is_global_v4(embedded_v4(0)); // IPv4-mapped, NAT64 well-known prefix
    }
    if in_v6(n, 0x2002 << 112, 16) {
        return is_global_v4(embedded_v4(80)); // 6to4
    }
    if in_v6(n, 0x2001 << 112, 23) {
        // IETF protocol assignments: only these are globally reachable.
        return n == (0x2001_0001 << 96) | 1
            || n == (0x2001_0001 << 96) | 2
            || in_v6(n, 0x2001_0003 << 96, 32)
            || in_v6(n, 0x2001_0004_0112 << 80, 48)
            || in_v6(n, 0x2001_0020 << 96, 28);
    }
    if in_v6(n, 0x2001_0db8 << 96, 32) || in_v6(n, 0x3fff << 112, 20) {
        return false; // documentation
    }
    // Outside 2000::/3: ULA, link-local, multicast, discard (100::/64), unassigned.
    in_v6(n, 0x2 << 124, 3)
}

#[cfg(test)]
mod tests;
