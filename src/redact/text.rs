//! Free text: IP addresses and e-mail addresses anywhere in a field, and, in the fail-safe mode
//! used for lines that did not parse, every URL query value.

use super::{email, ip, Ctx, PLACEHOLDER};
use crate::config::IpPolicy;

/// Appends `s` to `out` with every IP address rewritten by the IP policy and every e-mail
/// address replaced. With `queries`, every value of a `?query` is replaced too (fail-safe mode).
///
/// The scan jumps with SIMD `memchr` between the bytes that every target contains (`.` or `:` in
/// an address, `@` or `%40` in an e-mail address, `?` before a query) and copies the spans
/// between replacements in one piece.
/// Whether [`scrub_text`] writes `s` back unchanged without looking further: a short value
/// (status code, size, `-`) holding no byte that an address, e-mail, query or fragment starts
/// at. Checked byte by byte, which costs less than setting up the SIMD searches.
#[inline]
pub(crate) fn is_inert(s: &[u8]) -> bool {
    s.len() <= 16 && !s.iter().any(|&b| starts_target(b))
}

/// Whether something the fail-safe scan rewrites can start at `b`: an address (at its `.` or
/// `:`), an e-mail address or userinfo (`@`, `%40`), a query or fragment (`?`, `#`).
#[inline]
pub(crate) fn starts_target(b: u8) -> bool {
    matches!(b, b'.' | b':' | b'@' | b'%' | b'?' | b'#')
}

pub(crate) fn scrub_text(cx: &mut Ctx, s: &[u8], queries: bool, out: &mut Vec<u8>) {
    if is_inert(s) {
        out.extend_from_slice(s);
        return;
    }
    let ip_on = cx.cfg.ip() != IpPolicy::Keep;
    let mut copied = 0;
    let mut pos = 0;
    let mut rare = next_rare(s, 0, queries);
    while pos < s.len() {
        if rare < pos {
            rare = next_rare(s, pos, queries);
        }
        let common = memchr::memchr3(b'.', b':', b'@', &s[pos..]).map_or(s.len(), |k| pos + k);
        let p = common.min(rare);
        if p >= s.len() {
            break;
        }
        let mut resume = p + 1;
        let found = match s[p] {
            b'@' => match email::email_around(s, p, 1, copied, joined(copied, out)) {
                Some((start, end)) => {
                    cx.stats.emails += 1;
                    Some((start, end, Replacement::Placeholder))
                }
                None => userinfo_before(s, p).map(|start| {
                    cx.stats.request_values += 1;
                    userinfo_span(s, p, start, copied)
                }),
            },
            b'%' if s[p + 1..].starts_with(b"40") => {
                email::email_around(s, p, 3, copied, joined(copied, out)).map(|(start, end)| {
                    cx.stats.emails += 1;
                    (start, end, Replacement::Placeholder)
                })
            }
            b'%' => None,
            b'?' => Some((p + 1, query_end(s, p + 1, cx.escaped), Replacement::Query)),
            // A fragment with parameters (`#access_token=…`); a plain `#` is text.
            b'#' => {
                let end = query_end(s, p + 1, cx.escaped);
                memchr::memchr(b'=', &s[p + 1..end]).map(|_| (p + 1, end, Replacement::Query))
            }
            _ if !ip_on || !ip::worth_a_look(s, p) => None,
            // Not below `pos`: what lies before it was looked at already (and an address
            // left alone there, such as `1.0.0.0`, must not be found again).
            _ => match ip::addr_near(s, p, copied.max(pos)) {
                // `a.0.0.0` names a /8 network, never a host, and it is how current browsers
                // write their version (`Chrome/118.0.0.0`): left as it is.
                Ok((start, len, ip::Addr::V4(v4))) if v4 & 0x00ff_ffff == 0 => {
                    resume = (start + len).max(p + 1);
                    None
                }
                Ok((start, len, addr)) => Some((start, start + len, Replacement::Addr(addr))),
                Err(run_end) => {
                    resume = run_end;
                    None
                }
            },
        };
        if let Some((start, end, what)) = found {
            out.extend_from_slice(&s[copied..start]);
            match what {
                Replacement::Placeholder => out.extend_from_slice(PLACEHOLDER),
                Replacement::Nothing => {}
                Replacement::Addr(addr) => cx.write_ip(addr, out),
                Replacement::Query => redact_query_values(cx, &s[start..end], out),
            }
            copied = end;
            resume = resume.max(end);
        }
        pos = resume;
    }
    out.extend_from_slice(&s[copied..]);
}

/// Whether this field already had a replacement whose output ends in local-part characters
/// (`REDACTED`, `10.0.0.0`): an `@` right after it starts an address in the output.
fn joined(copied: usize, out: &[u8]) -> bool {
    copied > 0 && out.last().is_some_and(|&b| email::is_local(b))
}

/// The next `%` (and, in fail-safe mode, `?` or `#`) at or after `from`; `s.len()` if none.
#[inline]
fn next_rare(s: &[u8], from: usize, queries: bool) -> usize {
    let rest = &s[from..];
    let found = if queries {
        memchr::memchr3(b'%', b'?', b'#', rest)
    } else {
        memchr::memchr(b'%', rest)
    };
    found.map_or(s.len(), |k| from + k)
}

enum Replacement {
    Placeholder,
    /// The span is removed.
    Nothing,
    Addr(ip::Addr),
    Query,
}

/// If the `@` at `at` ends the userinfo of a URL (`scheme://user:password@host`), where the
/// userinfo starts. Userinfo is a credential; it is removed wherever it appears.
pub(crate) fn userinfo_before(s: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    while i > 0 {
        match s[i - 1] {
            b'/' => return (s[..i].ends_with(b"://") && i < at).then_some(i),
            b if is_userinfo_stop(b) => return None,
            _ => i -= 1,
        }
    }
    None
}

/// What replaces a userinfo starting at `start` whose `@` is at `at`: up to the authority's last
/// `@`, as a URL parser reads it. If part of it is written already (an address in it was masked),
/// the rest becomes the placeholder rather than nothing, so that the two sides cannot join into a
/// new address (`::` + `7:`).
fn userinfo_span(s: &[u8], at: usize, start: usize, copied: usize) -> (usize, usize, Replacement) {
    let end = userinfo_end(s, at);
    if start >= copied {
        (start, end, Replacement::Nothing)
    } else {
        (copied, end, Replacement::Placeholder)
    }
}

/// Where a userinfo whose first `@` is at `at` ends: after the authority's last `@`.
fn userinfo_end(s: &[u8], at: usize) -> usize {
    let authority_end = s[at..]
        .iter()
        .position(|&b| {
            matches!(
                b,
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>'
            )
        })
        .map_or(s.len(), |n| at + n);
    memchr::memrchr(b'@', &s[at..authority_end]).map_or(at, |n| at + n) + 1
}

/// Scrubs what the audit still reads as userinfo or an e-mail address in the written line
/// `out[line..]`, by the audit's own rules. The rules above read their input one field or URL
/// part at a time, while a rewrite changes what its neighbours read as: a `:` that ends one
/// part and a `//…@` that starts the next form a userinfo (`::1//.@` became `:://.@`; a host
/// `::` before a path `//9@0X`), and an address cut short ends a domain (`8@J.Je-1::` became
/// `8@J.Je-::` under `--ip drop`).
///
/// A removed userinfo leaves a `/` on its left, which no address or e-mail address contains.
/// After a placeholder the scan goes on from its start, so that an `@` right after it is read
/// with the placeholder as its local part, as the audit reads it.
pub(crate) fn scrub_written_line(cx: &mut Ctx, out: &mut Vec<u8>, line: usize) {
    let mut from = line;
    while let Some(k) = memchr::memchr2(b'@', b'%', &out[from..]) {
        let p = from + k;
        let (written, at) = (&out[line..], p - line);
        let sep_len = match out[p] {
            b'@' => 1,
            _ if out[p + 1..].starts_with(b"40") => 3,
            _ => {
                from = p + 1;
                continue;
            }
        };
        let userinfo = if sep_len == 1 {
            userinfo_before(written, at)
        } else {
            None
        };
        if let Some(start) = userinfo {
            let end = userinfo_end(out, p);
            out.drain(line + start..end);
            cx.stats.request_values += 1;
            from = line + start;
        } else if let Some((start, end)) = email::email_around(written, at, sep_len, 0, false) {
            out.splice(line + start..line + end, PLACEHOLDER.iter().copied());
            cx.stats.emails += 1;
            from = line + start;
        } else {
            from = p + 1;
        }
    }
}

/// Bytes that cannot be in a URL's userinfo as logscrub reads it; `&` and `=` too, as an `@` in
/// a query parameter is no userinfo of a URL before it.
fn is_userinfo_stop(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>' | b'@' | b'?' | b'#' | b'&' | b'=' | b'/'
    )
}

/// A query in free text runs to the next space, tab, quote or angle bracket; in a value that
/// is written `escaped` (JSON), through tabs and double quotes, which are written `\t` and
/// `\"` and read as part of the value.
pub(crate) fn query_end(s: &[u8], start: usize, escaped: bool) -> usize {
    s[start..]
        .iter()
        .position(|&b| {
            matches!(b, b' ' | b'\'' | b'<' | b'>') || (matches!(b, b'\t' | b'"') && !escaped)
        })
        .map_or(s.len(), |n| start + n)
}

/// Fail-safe query redaction: names are kept (scrubbed as text), every non-empty value and every
/// bare item becomes the placeholder.
fn redact_query_values(cx: &mut Ctx, q: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    loop {
        let end = memchr::memchr3(b'&', b';', b'#', &q[start..]).map_or(q.len(), |n| start + n);
        let item = &q[start..end];
        match memchr::memchr(b'=', item) {
            Some(eq) => {
                scrub_text(cx, &item[..eq], false, out);
                out.push(b'=');
                if eq + 1 < item.len() {
                    out.extend_from_slice(PLACEHOLDER);
                    cx.stats.request_values += 1;
                }
            }
            None if !item.is_empty() => {
                out.extend_from_slice(PLACEHOLDER);
                cx.stats.request_values += 1;
            }
            None => {}
        }
        if end == q.len() {
            break;
        }
        out.push(q[end]);
        start = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn run(cfg: &Config, input: &str, queries: bool) -> String {
        let mut cx = Ctx::new(cfg);
        let mut out = Vec::new();
        scrub_text(&mut cx, input.as_bytes(), queries, &mut out);
        scrub_written_line(&mut cx, &mut out, 0);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_table() {
        let cfg = Config::default();
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64)",
                "Mozilla/5.0 (X11; Linux x86_64)",
            ),
            ("bot (+mailto:abuse@example.org)", "bot (+mailto:REDACTED)"),
            ("via 10.1.2.3, 2001:db8::99", "via 10.1.2.0, 2001:db8::"),
            ("1.2.3.4:8080", "1.2.3.0:8080"),
            ("[2001:db8::1]:443", "[2001:db8::]:443"),
            ("fe80::1%eth0", "fe80::%eth0"),
            ("::ffff:192.0.2.77", "::ffff:192.0.2.0"),
            ("client=198.51.100.7;", "client=198.51.100.0;"),
            (
                "Chrome/66.0.3359.158 Safari/537.36",
                "Chrome/66.0.3359.158 Safari/537.36",
            ),
            (
                "Chrome/118.0.0.0 Safari/537.36",
                "Chrome/118.0.0.0 Safari/537.36",
            ),
            ("a%40b.example x", "REDACTED x"),
            ("std::string 10:05:03", "std::string 10:05:03"),
            (
                "see http://admin:hunter2@intranet/x",
                "see http://intranet/x",
            ),
            ("ftp://anon@localhost/", "ftp://localhost/"),
            ("a @ b, x/@y", "a @ b, x/@y"),
            // Regression (fuzz): `::` taken as an address before a userinfo.
            ("::://:@+", "::://+"),
            ("x://\0\0@%@@/p", "x:///p"),
            ("x://a&b=@c", "x://a&b=@c"),
            // Regression (fuzz): the scheme is in text already rewritten.
            ("://5.@5.OOz.@5", "://5"),
            ("%4:4://::7@7:/7:74", "%4:4://::REDACTED7:/7:74"),
            ("z@4.@5.OOz@4.5.OOz", "z@REDACTEDREDACTED"),
            // Regression (fuzz): the userinfo is formed in the output only (`::1` became `::`).
            ("\0::1//.@", "\0:://"),
            // Regression (fuzz): an address left alone was found again, for ever.
            (".0:1.00.0.00..0:1.0000", ".0:1.00.0.00..0:1.0000"),
            ("/s?q=1", "/s?q=1"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(run(&cfg, input, false), want, "{input}");
        }
    }

    #[test]
    fn fail_safe_redacts_queries() {
        let cfg = Config::default();
        let cases = [
            (
                r#"GET /s?q=john&sid=abc HTTP/1.1"#,
                r#"GET /s?q=REDACTED&sid=REDACTED HTTP/1.1"#,
            ),
            ("/x?token;a=;b=1 y", "/x?REDACTED;a=;b=REDACTED y"),
            ("/x? y", "/x? y"),
            ("what?", "what?"),
            (
                "/cb#access_token=abc&x issue #5",
                "/cb#access_token=REDACTED&REDACTED issue #5",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(run(&cfg, input, true), want, "{input}");
        }
    }

    #[test]
    fn keep_policy_leaves_addresses() {
        let cfg = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        assert_eq!(
            run(&cfg, "via 10.1.2.3 a@b.example", false),
            "via 10.1.2.3 REDACTED"
        );
    }

    #[test]
    fn an_address_cut_short_ends_a_domain() {
        // Regression (fuzz): `1::` dropped to `::` left `8@J.Je` before it.
        let cfg = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        assert_eq!(run(&cfg, "8@J.Je-1::", false), "REDACTED-::");
    }

    #[test]
    fn drop_keeps_network_only_quads() {
        let cfg = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        assert_eq!(
            run(&cfg, "Chrome/118.0.0.0 x 10.0.0.1", false),
            "Chrome/118.0.0.0 x 0.0.0.0"
        );
    }
}
