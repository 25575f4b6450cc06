//! The client field (`%h`, `$remote_addr`, `c-ip`) and the host of a URL.
//!
//! A client is an address (possibly with port, brackets or zone), `-`, a `unix:` socket, or a
//! host name when the server resolves clients (Apache `HostnameLookups`). A full host name
//! identifies a subscriber line as well as an address does, so it is never passed whole.

use super::ip::{self, HostAddr};
use super::text::Scan;
use super::{text, Ctx, Redaction};
use crate::config::IpPolicy;

/// Writes the client field under the IP policy.
pub(crate) fn redact_client(cx: &mut Ctx, field: &[u8], out: &mut Vec<u8>) {
    // Nearly every client is a bare dotted quad: written without the checks for brackets,
    // ports, zones and names below, which cost more than the quad itself.
    // Measured: 0.4 instructions per byte fewer than the general path with its empty tail's
    // scan skipped. What it writes is what `parse_host_addr` and `write_masked` would.
    if let Some((v4, _)) = ip::parse_v4_prefix(field).filter(|&(_, len)| len == field.len()) {
        let addr = ip::Addr::V4(v4);
        return if cx.cfg.ip() == IpPolicy::Keep || cx.cfg.keeps(addr) {
            out.extend_from_slice(field);
        } else {
            cx.write_ip(addr, out);
        };
    }
    if field == b"-" {
        out.push(b'-');
        return;
    }
    // A Unix socket (`unix:/run/app.sock`) names no one, but what follows the prefix is only
    // known to be a path once scanned.
    if let Some(path) = field.strip_prefix(b"unix:") {
        out.extend_from_slice(b"unix:");
        return text::scrub_text(cx, path, Scan::FailSafe, out);
    }
    let keep = cx.cfg.ip() == IpPolicy::Keep;
    if let Some(host) = ip::parse_host_addr(field) {
        if keep {
            out.extend_from_slice(field);
        } else {
            write_masked(cx, field, &host, out);
        }
    } else if is_hostname(field) {
        write_host_name(cx, field, out);
    } else if let Some(colon) = port_colon(field).filter(|&c| is_hostname(&field[..c])) {
        // `jane-macbook.fritz.box:51234` (Traefik's `ClientAddr`): the name, then the port.
        write_host_name(cx, &field[..colon], out);
        out.extend_from_slice(&field[colon..]);
    } else {
        // Lists (`203.0.113.7, 10.0.0.1`) and anything odd: the fail-safe scrub, every
        // address and query value inside.
        text::scrub_text(cx, field, Scan::FailSafe, out);
    }
}

/// Writes a client host name under the IP policy.
fn write_host_name(cx: &mut Ctx, name: &[u8], out: &mut Vec<u8>) {
    match cx.cfg.ip() {
        IpPolicy::Keep => return out.extend_from_slice(name),
        IpPolicy::Drop => out.push(b'-'),
        _ => write_provider(name, out),
    }
    cx.count(Redaction::Ip);
}

/// The `:` before a port of one to five digits at the end of `field`.
fn port_colon(field: &[u8]) -> Option<usize> {
    memchr::memrchr(b':', field).filter(|&colon| {
        let port = &field[colon + 1..];
        (1..=5).contains(&port.len()) && port.iter().all(u8::is_ascii_digit)
    })
}

/// Writes a client field that always ends in `:port`, as ELB, ALB and HAProxy write it. There
/// an IPv6 address stands unbracketed before its port (`2001:db8::1:8443`), which read as one
/// address would either hide a five-digit port's address (no parse) or take four port digits
/// for the last group. So the last `:digits` is the port, and what is before it the address.
pub(crate) fn redact_endpoint(cx: &mut Ctx, field: &[u8], out: &mut Vec<u8>) {
    let Some(colon) = port_colon(field) else {
        return redact_client(cx, field, out);
    };
    let addr = &field[..colon];
    let unbracketed_v6 = addr.first() != Some(&b'[') && memchr::memchr(b':', addr).is_some();
    match ip::parse_host_addr(addr).filter(|_| unbracketed_v6) {
        Some(host) if cx.cfg.ip() != IpPolicy::Keep => write_masked(cx, addr, &host, out),
        Some(_) => out.extend_from_slice(addr),
        // IPv4, bracketed IPv6 and names: the port reads as a port already.
        None => return redact_client(cx, field, out),
    }
    out.extend_from_slice(&field[colon..]);
}

/// Writes the `host[:port]` of a URL: an address is masked, a name kept.
pub(crate) fn write_url_host(cx: &mut Ctx, hostport: &[u8], out: &mut Vec<u8>) {
    match ip::parse_host_addr(hostport) {
        Some(host) if cx.cfg.ip() != IpPolicy::Keep => write_masked(cx, hostport, &host, out),
        _ => text::scrub_text(cx, hostport, Scan::Text, out),
    }
}

fn write_masked(cx: &mut Ctx, field: &[u8], host: &HostAddr, out: &mut Vec<u8>) {
    if cx.cfg.keeps(host.addr) {
        // The operator's own networks stay as they were written.
        out.extend_from_slice(&field[..host.after]);
    } else {
        out.extend_from_slice(&field[..host.before]);
        cx.write_ip(host.addr, out);
    }
    // The zone or port after it; a zone such as `eth0.1.2.3.4` is still scanned.
    text::scrub_text(cx, &field[host.after..], Scan::FailSafe, out);
}

/// Letters, digits, dots, hyphens and underscores, with at least one letter.
fn is_hostname(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && s.iter().any(u8::is_ascii_alphabetic)
}

/// What is kept of a client host name: the provider's registrable part (`example.net`) of a
/// public name, and nothing (`-`) of a name that names a machine only: one label
/// (`janes-laptop`) or a name in a private top-level domain (`jane-pc.local`, `pc7.corp`).
/// Both outputs come out unchanged when scrubbed again. `localhost` names no one.
fn write_provider(name: &[u8], out: &mut Vec<u8>) {
    let trimmed = name.strip_suffix(b".").unwrap_or(name);
    if trimmed.eq_ignore_ascii_case(b"localhost") {
        return out.extend_from_slice(name);
    }
    let public = memchr::memrchr(b'.', trimmed).is_some_and(|dot| {
        let tld = &trimmed[dot + 1..];
        !PRIVATE_TLDS
            .iter()
            .any(|private| tld.eq_ignore_ascii_case(private))
    });
    if public {
        out.extend_from_slice(registrable_part(name));
    } else {
        out.push(b'-');
    }
}

/// Top-level labels of names that only a local network resolves (mDNS, home routers, RFC 6762
/// appendix G, `.internal`).
const PRIVATE_TLDS: &[&[u8]] = &[
    b"local",
    b"lan",
    b"home",
    b"internal",
    b"intranet",
    b"corp",
    b"localdomain",
    b"private",
    b"localnet",
    b"domain",
    b"workgroup",
    b"fritz",
    b"box",
    b"arpa",
];

/// The last two labels of a host name (`dsl-12-34.dyn.example.net` → `example.net`): the part
/// that names the provider, not the subscriber. A trailing root dot is ignored.
fn registrable_part(name: &[u8]) -> &[u8] {
    let name = name.strip_suffix(b".").unwrap_or(name);
    let mut dots = memchr::memrchr_iter(b'.', name);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => &name[second + 1..],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn client_table() {
        let mask = Config::default();
        let drop = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        let keep = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        let cases: &[(&Config, &str, &str)] = &[
            (&mask, "83.149.9.216", "83.149.9.0"),
            (&mask, "2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::"),
            (&mask, "[2001:db8::1]:443", "[2001:db8::]:443"),
            (&mask, "dsl-12-34.dyn.example.net", "example.net"),
            (&mask, "host.example.net.", "example.net"),
            (&mask, "localhost", "localhost"),
            (&mask, "janes-laptop", "-"),
            (&mask, "jane-pc.local", "-"),
            (&mask, "pc7.dept.corp", "-"),
            (&mask, "example.net", "example.net"),
            (&mask, "c-192-0-2-44.hsd1.example.net", "example.net"),
            (&mask, "jane-macbook.fritz.box:51234", "-:51234"),
            (&mask, "dsl-1.pool.example.net:443", "example.net:443"),
            (&mask, "-", "-"),
            (&mask, "unix:", "unix:"),
            (&mask, "unix:/run/php/fpm.sock", "unix:/run/php/fpm.sock"),
            // Regression (fuzz): an address behind the prefix.
            (
                &keep,
                "unix:/run/x?id=7&u=jo",
                "unix:/run/x?id=7&u=REDACTED",
            ),
            (&mask, "unix:203.0.113.45", "unix:203.0.113.0"),
            (&mask, "203.0.113.7,10.0.0.1", "203.0.113.0,10.0.0.0"),
            (&drop, "83.149.9.216", "0.0.0.0"),
            (&drop, "2001:db8::1", "::"),
            (&drop, "dsl-12-34.dyn.example.net", "-"),
            (&keep, "83.149.9.216", "83.149.9.216"),
            // Regression (fuzz): what is neither an address nor a name is scrubbed fail-safe,
            // whatever the IP policy.
            (
                &keep,
                "1.2.3.4:2x/i?uid=4711&mail=d@example.com",
                "1.2.3.4:2x/i?uid=REDACTED&mail=REDACTED",
            ),
            (&mask, "1.2.3.4:2x/i?uid=4711", "1.2.3.0:2x/i?uid=REDACTED"),
            (
                &keep,
                "dsl-12-34.dyn.example.net",
                "dsl-12-34.dyn.example.net",
            ),
        ];
        for &(cfg, input, want) in cases {
            let mut cx = Ctx::new(cfg);
            let mut out = Vec::new();
            redact_client(&mut cx, input.as_bytes(), &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                want,
                "{input} under {:?}",
                cfg.ip()
            );
        }
    }

    #[test]
    fn endpoint_table() {
        let mask = Config::default();
        let keep = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        let wide = Config::builder().ipv6_mask(128).build().unwrap();
        let cases: &[(&Config, &str, &str)] = &[
            (&mask, "2001:db8:4:5:6:7:8:9:44321", "2001:db8:4:::44321"),
            (&mask, "2001:db8::1:8443", "2001:db8:::8443"),
            (&wide, "2001:db8::1:8443", ":::8443"),
            (&mask, "2001:db8:1:2:3:4:5:6:80", "2001:db8:1:::80"),
            (&mask, "192.0.2.44:51234", "192.0.2.0:51234"),
            (&mask, "[2001:db8::7]:443", "[2001:db8::]:443"),
            (&mask, "::ffff:192.0.2.9:1234", "::ffff:192.0.2.0:1234"),
            (&mask, "-", "-"),
            (&keep, "2001:db8::1:8443", "2001:db8::1:8443"),
            // No port after all: read as a client field.
            (&mask, "2001:db8::abcd", "2001:db8::"),
        ];
        for &(cfg, input, want) in cases {
            let mut cx = Ctx::new(cfg);
            let mut out = Vec::new();
            redact_endpoint(&mut cx, input.as_bytes(), &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                want,
                "{input} under {:?}",
                cfg.ip()
            );
        }
    }
}
