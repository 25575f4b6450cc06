//! URLs: the request target of `"METHOD URL PROTOCOL"` and the referrer.
//!
//! A URL is split into scheme, authority, path, query and fragment without allocating; each part
//! is written out verbatim or replaced. Values are percent-decoded (into reused scratch space)
//! before they are classified, so `john%40example.com` and `%31%30.0.0.1` are caught too.

use memchr::{memchr, memchr2};

use super::personal::{
    coarsen_coordinates, looks_personal, may_contain_personal, name_kind, NameKind,
};
use super::text::Scan;
use super::{host, secret, text, Ctx, Redaction, PLACEHOLDER};
use crate::config::{ReferrerPolicy, RequestPolicy};
use crate::vocab::hex::percent_escape;

/// How much of a URL survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UrlMode {
    /// Everything, with personal values replaced.
    Redact,
    /// `scheme://host[:port]/path`, with personal path segments replaced.
    Strip,
    /// `scheme://host[:port]`.
    Origin,
}

/// Writes the request line `METHOD URL PROTOCOL` under the request policy. A request line of
/// another shape (empty, `-`, TLS bytes sent to a plain port) gets the fail-safe text scrub.
pub(crate) fn redact_request(cx: &mut Ctx, req: &[u8], out: &mut Vec<u8>) {
    let Some((method_end, url_end)) = split_request(req) else {
        text::scrub_text(cx, req, Scan::FailSafe, out);
        return;
    };
    out.extend_from_slice(&req[..=method_end]);
    redact_target(cx, &req[method_end + 1..url_end], out);
    out.extend_from_slice(&req[url_end..]);
}

/// Writes a request target or path (`%U%q`, `$request_uri`, `cs-uri-stem`) under the request
/// policy.
pub(crate) fn redact_target(cx: &mut Ctx, target: &[u8], out: &mut Vec<u8>) {
    match cx.cfg.request() {
        RequestPolicy::Redact => scrub_url(cx, target, UrlMode::Redact, out),
        RequestPolicy::Strip => scrub_url(cx, target, UrlMode::Strip, out),
        RequestPolicy::Keep => text::scrub_text(cx, target, Scan::Text, out),
    }
}

/// Writes a query string on its own, with its `?` (Apache `%q`) or without (`$args`, W3C
/// `cs-uri-query`), under the request policy. Stripped, it becomes what the format writes for
/// no query: nothing after a `?`, `-` otherwise.
pub(crate) fn redact_query(cx: &mut Ctx, query: &[u8], out: &mut Vec<u8>) {
    if query.is_empty() || query == b"-" {
        out.extend_from_slice(query);
        return;
    }
    let (mark, params) = match query.strip_prefix(b"?") {
        Some(params) => (&b"?"[..], params),
        None => (&b""[..], query),
    };
    match cx.cfg.request() {
        RequestPolicy::Redact => {
            out.extend_from_slice(mark);
            redact_params(cx, params, out);
        }
        RequestPolicy::Strip => {
            cx.count(Redaction::Value);
            if mark.is_empty() {
                out.push(b'-');
            }
        }
        RequestPolicy::Keep => text::scrub_text(cx, query, Scan::Text, out),
    }
}

/// Writes a referrer under the referrer policy. `-` and an empty referrer stay as they are.
pub(crate) fn redact_referrer(cx: &mut Ctx, referrer: &[u8], out: &mut Vec<u8>) {
    if referrer == b"-" || referrer.is_empty() {
        out.extend_from_slice(referrer);
        return;
    }
    let start = out.len();
    match cx.cfg.referrer() {
        ReferrerPolicy::Strip => scrub_url(cx, referrer, UrlMode::Strip, out),
        ReferrerPolicy::Origin => scrub_url(cx, referrer, UrlMode::Origin, out),
        ReferrerPolicy::Redact => scrub_url(cx, referrer, UrlMode::Redact, out),
        ReferrerPolicy::Drop => out.push(b'-'),
        ReferrerPolicy::Keep => text::scrub_text(cx, referrer, Scan::Text, out),
    }
    if out[start..] != *referrer {
        cx.count(Redaction::Referrer);
    }
}

/// Finds `METHOD SP URL [SP PROTOCOL]`: returns the index of the space after the method and the
/// end of the URL. The method is 1 to 20 ASCII letters (standard and WebDAV methods); the
/// protocol, when present, is `HTTP/` and a version.
fn split_request(req: &[u8]) -> Option<(usize, usize)> {
    let method_end = memchr(b' ', req)?;
    if method_end == 0 || method_end > 20 || !req[..method_end].iter().all(u8::is_ascii_alphabetic)
    {
        return None;
    }
    let rest = &req[method_end + 1..];
    if rest.is_empty() || rest[0] == b' ' {
        return None;
    }
    let url_end = match memchr::memrchr(b' ', rest) {
        Some(sp) if is_protocol(&rest[sp + 1..]) => method_end + 1 + sp,
        // HTTP/0.9 has no protocol; a URL with spaces and no protocol is not a request line.
        Some(_) => return None,
        None => req.len(),
    };
    Some((method_end, url_end))
}

/// `HTTP/` and a version (`1.1`, `2.0`, `2`): the protocol is copied unscanned, so nothing
/// else may pass for one.
fn is_protocol(s: &[u8]) -> bool {
    s.strip_prefix(b"HTTP/").is_some_and(|version| {
        !version.is_empty() && version.iter().all(|&b| b.is_ascii_digit() || b == b'.')
    })
}

/// Writes `url` under `mode`.
pub(crate) fn scrub_url(cx: &mut Ctx, url: &[u8], mode: UrlMode, out: &mut Vec<u8>) {
    let rest = match authority(url) {
        Some((auth_start, auth_end)) => {
            out.extend_from_slice(&url[..auth_start]);
            let auth = &url[auth_start..auth_end];
            // Userinfo (`user:password@`) is a credential; it never survives.
            let hostport = match memchr::memrchr(b'@', auth) {
                Some(at) => {
                    cx.count(Redaction::Value);
                    &auth[at + 1..]
                }
                None => auth,
            };
            host::write_url_host(cx, hostport, out);
            if mode == UrlMode::Origin {
                return;
            }
            &url[auth_end..]
        }
        None if mode == UrlMode::Origin => {
            // No origin can be told from a relative or malformed referrer.
            out.push(b'-');
            return;
        }
        // CONNECT's authority form, `198.51.100.7:443`.
        None if crate::redact::ip::parse_host_addr(url).is_some() => {
            host::write_url_host(cx, url, out);
            return;
        }
        None => url,
    };
    let path_end = memchr2(b'?', b'#', rest).unwrap_or(rest.len());
    redact_path(cx, &rest[..path_end], out);
    let tail = &rest[path_end..];
    if tail.is_empty() {
        return;
    }
    if mode == UrlMode::Strip {
        if tail.len() > 1 {
            cx.count(Redaction::Value);
        }
        return;
    }
    let (query, fragment) = match tail[0] {
        b'?' => match memchr(b'#', tail) {
            Some(hash) => (Some(&tail[1..hash]), Some(&tail[hash + 1..])),
            None => (Some(&tail[1..]), None),
        },
        _ => (None, Some(&tail[1..])),
    };
    if let Some(query) = query {
        out.push(b'?');
        redact_params(cx, query, out);
    }
    // Fragments carry OAuth tokens (`#access_token=…`), so they get the query's treatment.
    if let Some(fragment) = fragment {
        out.push(b'#');
        redact_params(cx, fragment, out);
    }
}

/// The byte range of the authority of an absolute (`scheme://`) or protocol-relative (`//`) URL.
fn authority(url: &[u8]) -> Option<(usize, usize)> {
    let auth_start = if url.starts_with(b"//") {
        2
    } else {
        let colon = memchr(b':', &url[..url.len().min(40)])?;
        let scheme = &url[..colon];
        let valid = scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid || !url[colon..].starts_with(b"://") {
            return None;
        }
        colon + 3
    };
    let len = url[auth_start..]
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(url.len() - auth_start);
    Some((auth_start, auth_start + len))
}

/// Writes a path, replacing segments that look personal. Matrix parameters (`;jsessionid=…`)
/// get the query's treatment.
fn redact_path(cx: &mut Ctx, path: &[u8], out: &mut Vec<u8>) {
    let worth_a_look = may_contain_personal(path)
        || find(path, |b| b == b';').is_some()
        || (path.len() >= 20 && secret::contains(path))
        || token_keywords().is_match(path)
        || memchr::memmem::find(path, b"/s/").is_some();
    if !worth_a_look {
        out.extend_from_slice(path);
        return;
    }
    let mut start = 0;
    let mut after_keyword = false;
    let mut previous: &[u8] = b"";
    loop {
        let end = find(&path[start..], |b| b == b'/').map_or(path.len(), |n| start + n);
        let segment = &path[start..end];
        let (name, params) = match find(segment, |b| b == b';') {
            Some(semi) => (&segment[..semi], Some(&segment[semi + 1..])),
            None => (segment, None),
        };
        if after_keyword && is_link_token(name) {
            out.extend_from_slice(PLACEHOLDER);
            cx.count(Redaction::Value);
        } else if super::number::is_isbn10(name) || is_object_id(name, previous) {
            // A book's number (`/dp/0306406152`), though it reads as a trunk-`0` phone number;
            // a hash of content, though it reads as a token.
            out.extend_from_slice(name);
        } else {
            write_value(cx, name, false, out);
        }
        after_keyword = is_token_keyword(name);
        previous = name;
        if let Some(params) = params {
            out.push(b';');
            redact_params(cx, params, out);
        }
        if end == path.len() {
            return;
        }
        out.push(b'/');
        start = end + 1;
    }
}

/// Writes a path segment or a parameter value: a file name (`main.4e5f6a7b.css`,
/// `Report2021.pdf`) keeps everything but the addresses, e-mail addresses and credentials in
/// it, which are replaced where they stand; anything else that looks personal is replaced
/// whole.
fn write_value(cx: &mut Ctx, raw: &[u8], plus_is_space: bool, out: &mut Vec<u8>) {
    if has_coordinates(raw) {
        // `/maps/@48.137154,11.576124,15z`, `geo:48.2082,16.3738`: coarsened where they stand.
        coarsen_coordinates(raw, out);
        cx.count(Redaction::Value);
    } else if is_file_name(raw) {
        text::scrub_text(cx, raw, Scan::FileName, out);
    } else if personal(cx, raw, plus_is_space) {
        out.extend_from_slice(PLACEHOLDER);
        cx.count(Redaction::Value);
    } else if raw.contains(&b'.') && memchr2(b'-', b'_', raw).is_some() {
        // A host name whose last label is too long for a file's extension
        // (`ip-203-0-113-77.ec2.internal`): a dashed address in it is replaced where it stands.
        text::scrub_text(cx, raw, Scan::FileName, out);
    } else {
        out.extend_from_slice(raw);
    }
}

/// A latitude and longitude written as a pair, each with three or more decimals
/// (`48.137154,11.576124`, also with an encoded comma `%2C`).
fn has_coordinates(s: &[u8]) -> bool {
    if memchr2(b',', b'%', s).is_none() {
        return false;
    }
    let decimal = |at: usize| -> Option<usize> {
        let mut i = at + usize::from(s.get(at) == Some(&b'-'));
        let int = s[i.min(s.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=3).contains(&int) || s.get(i + int) != Some(&b'.') {
            return None;
        }
        i += int + 1;
        let frac = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        (frac >= 3).then_some(i + frac)
    };
    (0..s.len()).any(|at| {
        let boundary = at == 0 || !(s[at - 1].is_ascii_digit() || s[at - 1] == b'.');
        boundary
            && decimal(at).is_some_and(|end| {
                let rest = &s[end..];
                let sep = if rest.starts_with(b",") {
                    1
                } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2C") {
                    3
                } else {
                    return false;
                };
                decimal(end + sep).is_some()
            })
    })
}

/// A file name: a stem and an extension of one to five characters with a letter, the way
/// assets and documents are named. Host names (`example.com`) pass for one too, which is fine:
/// an e-mail address in such a segment is still found by the text scan.
fn is_file_name(s: &[u8]) -> bool {
    let Some(dot) = memchr::memrchr(b'.', s) else {
        return false;
    };
    let ext = &s[dot + 1..];
    dot > 0
        && (1..=5).contains(&ext.len())
        && ext.iter().all(u8::is_ascii_alphanumeric)
        && ext.iter().any(u8::is_ascii_alphabetic)
        && !s.contains(&b'%')
}

/// Words in a path segment after which a one-time link's token follows
/// (`/account/confirm/<token>`, `/password/reset/<token>`, `/invite/<token>`).
const TOKEN_KEYWORDS: &[&str] = &[
    "reset",
    "confirm",
    "verif",
    "activat",
    "unsubscribe",
    "invit",
    "magic",
    "token",
    "login",
    "signin",
    "sign-in",
    "auth",
    "recover",
    "onboard",
    "optout",
    "opt-out",
    "share",
    "download",
    "approve",
    "accept",
    "claim",
    "redeem",
];

/// The keywords in lower case and capitalised: matched case-sensitively, the automaton can use
/// its SIMD prefilter (`RESET` in upper case is left out; links are written in lower case).
fn token_keywords() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let capitalised = TOKEN_KEYWORDS.iter().map(|k| {
            let mut k = k.to_string();
            k[..1].make_ascii_uppercase();
            k
        });
        let all: Vec<String> = TOKEN_KEYWORDS
            .iter()
            .map(|k| k.to_string())
            .chain(capitalised)
            .collect();
        aho_corasick::AhoCorasick::new(all).expect("the keywords form a valid automaton")
    })
}

fn is_token_keyword(segment: &[u8]) -> bool {
    // `/s/<token>`: the share links of file hosts.
    segment == b"s" || (segment.len() <= 40 && token_keywords().is_match(segment))
}

/// A content digest (`sha256:0d17…`, a container image's) or a git object id after `commit`,
/// `commits`, `tree` or `blob` (`/commit/311b9ffb…`): a hash of content, not a secret.
fn is_object_id(segment: &[u8], previous: &[u8]) -> bool {
    let hex = |h: &[u8]| h.len() >= 7 && h.iter().all(u8::is_ascii_hexdigit);
    let digest = [&b"sha1:"[..], b"sha256:", b"sha384:", b"sha512:", b"md5:"]
        .iter()
        .find_map(|p| segment.strip_prefix(*p));
    match digest {
        Some(h) => hex(h),
        None => {
            [&b"commit"[..], b"commits", b"tree", b"blob"]
                .iter()
                .any(|w| previous.eq_ignore_ascii_case(w))
                && segment.len() <= 40
                && hex(segment)
        }
    }
}

/// A one-time link's token: at least six characters of a URL-safe alphabet, with a digit and a
/// letter, and no file extension; and random-looking: some run of letters and digits changes
/// between the two at least twice (`Xy7kP2qR`, `3c1f-9ab2`). Versions (`v1.4.2`), platform
/// names (`windows-x64`), slugs (`report-2024-q1`) and route words (`oauth2`) change at most
/// once per run.
fn is_link_token(s: &[u8]) -> bool {
    s.len() >= 6
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'.' | b'~'))
        && s.iter().any(u8::is_ascii_digit)
        && s.iter().any(u8::is_ascii_alphabetic)
        && !is_file_name(s)
        && s.split(|b| !b.is_ascii_alphanumeric()).any(|run| {
            run.windows(2)
                .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
                .count()
                >= 2
        })
}

/// Writes `name=value` items separated by `&`, `;`, `#` or `?`, replacing the values of sensitive
/// names and values (or bare items) that look personal. Names are kept unless they look
/// personal themselves.
fn redact_params(cx: &mut Ctx, params: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    loop {
        // A second `#` or `?` separates too: `#state=1#access_token=…` and an unencoded
        // `next=/login?token=…` must not hide the token in the value before it.
        let end = find(&params[start..], |b| matches!(b, b'&' | b';' | b'#' | b'?'))
            .map_or(params.len(), |n| start + n);
        redact_param(cx, &params[start..end], out);
        if end == params.len() {
            return;
        }
        out.push(params[end]);
        start = end + 1;
    }
}

fn redact_param(cx: &mut Ctx, item: &[u8], out: &mut Vec<u8>) {
    let Some(eq) = find(item, |b| b == b'=') else {
        return write_value(cx, item, true, out);
    };
    let (name, value) = (&item[..eq], &item[eq + 1..]);
    let name_is_personal = personal(cx, name, true);
    if name_is_personal {
        out.extend_from_slice(PLACEHOLDER);
        cx.count(Redaction::Value);
    } else {
        out.extend_from_slice(name);
    }
    out.push(b'=');
    if value.is_empty() || is_blank(value) {
        return out.extend_from_slice(value);
    }
    let kind = if name_is_personal {
        NameKind::Sensitive
    } else {
        name_kind(decode(name, true, &mut cx.decoded))
    };
    match kind {
        NameKind::Sensitive => {
            out.extend_from_slice(PLACEHOLDER);
            cx.count(Redaction::Value);
        }
        NameKind::Geo => {
            let at = out.len();
            if coarsen_coordinates(value, out) {
                cx.count(Redaction::Value);
            } else {
                // No precise coordinate, so judged by its look like any value: an SMS
                // gateway's `destination` is a phone number.
                out.truncate(at);
                write_plain(cx, value, out);
            }
        }
        NameKind::Version => text::scrub_text(cx, value, Scan::Version, out),
        NameKind::Plain => write_plain(cx, value, out),
    }
}

/// Writes a parameter's value that its name says nothing about, judged by its look.
fn write_plain(cx: &mut Ctx, value: &[u8], out: &mut Vec<u8>) {
    if has_encoded_query(value) {
        redact_encoded_url(cx, value, out)
    } else {
        write_value(cx, value, true, out)
    }
}

/// A value of only `+`, spaces and punctuation (`?+`, `...`): nothing to identify anyone by.
fn is_blank(v: &[u8]) -> bool {
    v.iter()
        .all(|&b| (b.is_ascii_punctuation() && b != b'%') || b == b' ')
}

/// Whether a value holds a percent-encoded URL with parameters (`%2Fhome%3Fsession%3D…`,
/// `https%3A%2F%2Fex.example%2F%3Fa%3Db`): its parameters are scrubbed where they stand.
fn has_encoded_query(value: &[u8]) -> bool {
    memchr::memmem::find_iter(value, b"%3")
        .any(|k| matches!(value.get(k + 2), Some(b'F' | b'f' | b'D' | b'd')))
        || memchr::memmem::find(value, b"%253").is_some()
}

/// Writes a percent-encoded URL value with its encoded parameters (`%3F`, `%26`, `%3D`, also
/// encoded twice as `%253F`…) redacted like plain ones, and the rest kept as written.
fn redact_encoded_url(cx: &mut Ctx, value: &[u8], out: &mut Vec<u8>) {
    // The URL before its encoded `?` is a path (or a whole URL); after it, parameters.
    let (url, query) = match find_encoded(value, b'?', 0) {
        Some((at, len)) => (&value[..at], Some((at, len))),
        None => (value, None),
    };
    if personal(cx, url, true) {
        out.extend_from_slice(PLACEHOLDER);
        cx.count(Redaction::Value);
    } else {
        text::scrub_text(cx, url, Scan::Text, out);
    }
    let Some((at, len)) = query else { return };
    out.extend_from_slice(&value[at..at + len]);
    let mut start = at + len;
    loop {
        let sep = [b'&', b';', b'#']
            .iter()
            .filter_map(|&c| find_encoded(value, c, start))
            .min();
        let end = sep.map_or(value.len(), |(k, _)| k);
        let item = &value[start..end];
        match find_encoded(item, b'=', 0) {
            Some((eq, eq_len)) => {
                let name = &item[..eq];
                let inner = &item[eq + eq_len..];
                out.extend_from_slice(&item[..eq + eq_len]);
                let kind = name_kind(decode(name, true, &mut cx.decoded));
                if inner.is_empty() || is_blank(inner) {
                    out.extend_from_slice(inner);
                } else if kind == NameKind::Sensitive
                    || kind == NameKind::Geo
                    || personal(cx, inner, true)
                {
                    out.extend_from_slice(PLACEHOLDER);
                    cx.count(Redaction::Value);
                } else {
                    out.extend_from_slice(inner);
                }
            }
            None => write_value(cx, item, true, out),
        }
        let Some((k, len)) = sep else { return };
        out.extend_from_slice(&value[k..k + len]);
        start = k + len;
    }
}

/// The next `%XX` (or `%25XX`) that encodes `c` at or after `from`: its position and length.
fn find_encoded(s: &[u8], c: u8, from: usize) -> Option<(usize, usize)> {
    let hex = |n: u8| b"0123456789ABCDEF"[usize::from(n)];
    let (hi, lo) = (hex(c >> 4), hex(c & 0xf));
    let mut i = from;
    while let Some(k) = memchr(b'%', &s[i..]) {
        let at = i + k;
        let rest = &s[at + 1..];
        let is = |r: &[u8]| r.len() >= 2 && r[0] == hi && r[1].eq_ignore_ascii_case(&lo);
        if is(rest) {
            return Some((at, 3));
        }
        if rest.starts_with(b"25") && is(&rest[2..]) {
            return Some((at, 5));
        }
        i = at + 1;
    }
    None
}

/// Classifies `raw` after percent-decoding (and `+` as space in queries).
fn personal(cx: &mut Ctx, raw: &[u8], plus_is_space: bool) -> bool {
    if !may_be_personal(raw) {
        return false;
    }
    let flags = u8::from(plus_is_space);
    if let Some(verdict) = cx.verdicts.get(flags, raw) {
        return verdict;
    }
    let verdict = classify(cx, raw, plus_is_space);
    cx.verdicts.put(flags, raw, verdict);
    verdict
}

/// [`personal`]'s test itself: a pure function of `raw`, `plus_is_space` and the policy.
fn classify(cx: &mut Ctx, raw: &[u8], plus_is_space: bool) -> bool {
    let decoded = decode(raw, plus_is_space, &mut cx.decoded);
    // Encoded bytes can also hide what the raw text shows: `%90.1.191.190` decodes to
    // `\x90.1.191.190`, yet reads as 90.1.191.190 to anyone looking at the log.
    // A network (`2002::`, `64:ff9b::`, `192.0.2.0`) that the mask leaves as it is names no
    // host.
    if let Some(host) = crate::redact::ip::parse_host_addr(decoded) {
        if host.before == 0 && host.after == decoded.len() {
            return !cx.cfg.keeps(host.addr)
                && crate::redact::ip::mask(host.addr, cx.cfg) != host.addr;
        }
    }
    looks_personal(decoded) || (decoded != raw && looks_personal(raw))
}

/// The pre-check of [`looks_personal`] (a digit, `@`, `%` or `:`) on the encoded bytes, so that
/// segments of percent-encoded text without any of them (a non-Latin page title) skip decoding.
fn may_be_personal(raw: &[u8]) -> bool {
    let mut i = 0;
    while i < raw.len() {
        let mut b = raw[i];
        if let Some(decoded) = percent_escape(&raw[i..]) {
            b = decoded;
            i += 2;
        }
        if b.is_ascii_digit() || matches!(b, b'@' | b'%' | b':') {
            return true;
        }
        i += 1;
    }
    false
}

/// A plain loop: URL parts are short, and for short slices `memchr`'s dispatch costs more than
/// the scan it saves.
#[inline]
fn find(s: &[u8], pred: impl Fn(u8) -> bool) -> Option<usize> {
    s.iter().position(|&b| pred(b))
}

/// Percent-decodes `raw` into `scratch` when it needs it; otherwise returns `raw` itself.
/// Malformed escapes are kept as they are.
pub(crate) fn decode<'a>(raw: &'a [u8], plus_is_space: bool, scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let needs = raw
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'));
    if !needs {
        return raw;
    }
    scratch.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if let Some(decoded) = percent_escape(&raw[i..]) {
            scratch.push(decoded);
            i += 3;
            continue;
        }
        scratch.push(if b == b'+' && plus_is_space { b' ' } else { b });
        i += 1;
    }
    scratch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, IpPolicy};

    fn url(cfg: &Config, input: &str, mode: UrlMode) -> String {
        let mut cx = Ctx::new(cfg);
        let mut out = Vec::new();
        scrub_url(&mut cx, input.as_bytes(), mode, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn redact_mode() {
        let cfg = Config::default();
        let cases = [
            ("/", "/"),
            ("/index.html?page=2&lang=en", "/index.html?page=2&lang=en"),
            (
                "/login?user=frank&password=hunter2",
                "/login?user=REDACTED&password=REDACTED",
            ),
            ("/s?q=john%40example.com&x=1", "/s?q=REDACTED&x=1"),
            ("/a?ref=john%40example.com", "/a?ref=REDACTED"),
            ("/a?ref=john@example.com", "/a?ref=REDACTED"),
            ("/a?from=10.1.2.3", "/a?from=REDACTED"),
            ("/a?from=%31%30.1.2.3", "/a?from=REDACTED"),
            ("/a?tel=%2B49+30+1234567", "/a?tel=REDACTED"),
            ("/a?n=%2B49+30+1234567", "/a?n=REDACTED"),
            ("/a?date=2015-01-13", "/a?date=2015-01-13"),
            ("/dp/0306406152/ref=x", "/dp/0306406152/ref=x"),
            (
                "/releases/download/v1.4.2/app.apk",
                "/releases/download/v1.4.2/app.apk",
            ),
            ("/download/windows-x64", "/download/windows-x64"),
            (
                "/v2/x/manifests/sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
                "/v2/x/manifests/sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            ),
            (
                "/o/r/commit/311b9ffb8e7c6a5d4f3e2d1c0b9a8f7e6d5c4b3a",
                "/o/r/commit/311b9ffb8e7c6a5d4f3e2d1c0b9a8f7e6d5c4b3a",
            ),
            (
                "/o/r/raw/311b9ffb8e7c6a5d4f3e2d1c0b9a8f7e6d5c4b3a",
                "/o/r/raw/REDACTED",
            ),
            ("/login/oauth2/code/google", "/login/oauth2/code/google"),
            ("/share/report-2024-q1", "/share/report-2024-q1"),
            ("/confirm/Xy7kP2qR9z", "/confirm/REDACTED"),
            ("/reset/MQ/5ab-1f2e3d4c5b6a7f8e9d0c/", "/reset/MQ/REDACTED/"),
            ("/dp/0306406153/ref=x", "/dp/REDACTED/ref=x"),
            ("/invoice/0000123456", "/invoice/0000123456"),
            ("/img/0123456789.jpg", "/img/0123456789.jpg"),
            (
                "/n/ip-203-0-113-77.ec2.internal/m?h=ip-10-1-2-3.internal",
                "/n/ip-203-0-113-0.ec2.internal/m?h=ip-10-1-2-0.internal",
            ),
            ("/users/john@example.com/edit", "/users/REDACTED/edit"),
            ("/reset/8f14e45fceea167a5a36dedd4bea2543", "/reset/REDACTED"),
            ("/o/123e4567-e89b-12d3-a456-426614174000", "/o/REDACTED"),
            ("/app;jsessionid=A1B2C3?x=1", "/app;jsessionid=REDACTED?x=1"),
            (
                "/cb#access_token=abc&state=1",
                "/cb#access_token=REDACTED&state=1",
            ),
            ("/a?token=&b", "/a?token=&b"),
            ("/a?john@example.com", "/a?REDACTED"),
            ("/a?john@example.com=1", "/a?REDACTED=REDACTED"),
            ("/a?PHPSESSID=x;sid=y", "/a?PHPSESSID=REDACTED;sid=REDACTED"),
            (
                "http://u:p@1.2.3.4:8080/x?sid=1",
                "http://1.2.3.0:8080/x?sid=REDACTED",
            ),
            ("198.51.100.7:443", "198.51.100.0:443"),
            ("example.com:443", "example.com:443"),
            ("*", "*"),
            ("/bad%zz%4", "/bad%zz%4"),
            ("/%90.1.191.190", "/REDACTED"),
            // Regression (fuzz): a second `?` starts parameters too.
            ("/login?next=/a?token=abc", "/login?next=/a?token=REDACTED"),
            ("?= ?token=x", "?= ?token=REDACTED"),
            // One-time links and random path segments; file names with hashes and digits.
            (
                "/account/confirm/Hq2_w8-PzR4tN6yLm1Xc",
                "/account/confirm/REDACTED",
            ),
            ("/invite/a8f3k2m9", "/invite/REDACTED"),
            ("/files/Hq2w8PzR4tN6yLm1XcQ", "/files/REDACTED"),
            (
                "/static/main.4e5f6a7b8c9d0e1f.css",
                "/static/main.4e5f6a7b8c9d0e1f.css",
            ),
            ("/js/chunk-9a8b7c6d.js", "/js/chunk-9a8b7c6d.js"),
            ("/docs/Report2021.pdf", "/docs/Report2021.pdf"),
            ("/products/blue-widget-2000", "/products/blue-widget-2000"),
            ("/u/jane@example.com_avatar.png", "/u/REDACTED_avatar.png"),
            ("/k/AKIAIOSFODNN7EXAMPLE", "/k/REDACTED"),
            // Parameter names after normalisation.
            (
                "/a?shipping_first_name=Jane&page=2",
                "/a?shipping_first_name=REDACTED&page=2",
            ),
            (
                "/a?user[email]=x&newEmail=y",
                "/a?user[email]=REDACTED&newEmail=REDACTED",
            ),
            (
                "/a?customerName=Jane&vorname=J",
                "/a?customerName=REDACTED&vorname=REDACTED",
            ),
            ("/a?billing.address=Main+St", "/a?billing.address=REDACTED"),
            (
                "/a?_wpnonce=abc123&X-Amz-Signature=ab",
                "/a?_wpnonce=REDACTED&X-Amz-Signature=REDACTED",
            ),
            (
                "/a?zoom=12.5&file_name=a.pdf&country_code=de&sort=name",
                "/a?zoom=12.5&file_name=a.pdf&country_code=de&sort=name",
            ),
            ("/a?user_agent=curl", "/a?user_agent=curl"),
            // Coordinates are coarsened to two decimals.
            (
                "/m?lat=48.137154&lng=11.576124&ll=48.1371,11.5761",
                "/m?lat=48.13&lng=11.57&ll=48.13,11.57",
            ),
            ("/m?location=48.1%2C11.5", "/m?location=48.1%2C11.5"),
            ("/m?lat=48.137154&long=11.576124", "/m?lat=48.13&long=11.57"),
            // A value under a place's name that is no precise coordinate is judged by its look.
            (
                "/sms?destination=%2B4917612345678&near=Berlin",
                "/sms?destination=REDACTED&near=Berlin",
            ),
            // Encoded URLs in a value keep their shape, their parameters are scrubbed.
            (
                "/login?next=%2Fhome%3Fsession%3Dab12%26tab%3D2",
                "/login?next=%2Fhome%3Fsession%3DREDACTED%26tab%3D2",
            ),
            (
                "/r?u=https%253A%252F%252Fx.example%252F%253Femail%253Dj%2540example.com",
                "/r?u=https%253A%252F%252Fx.example%252F%253Femail%253DREDACTED",
            ),
            ("/a?x=+&y=...", "/a?x=+&y=..."),
            // Four numbers glued to a file's name are its version where the first two are
            // small; an address glued to a host name's label has mostly larger ones.
            ("/js/lib.1.2.3.4.js", "/js/lib.1.2.3.4.js"),
            ("/dl/setup-2.4.1.7.exe", "/dl/setup-2.4.1.7.exe"),
            (
                "/h?host=host-203.0.113.77.example.net",
                "/h?host=host-0.0.113.0.example.net",
            ),
            ("/d/dump_203.0.113.77.txt", "/d/dump_0.0.113.0.txt"),
        ];
        for (input, want) in cases {
            assert_eq!(url(&cfg, input, UrlMode::Redact), want, "{input}");
        }
        // Every case twice through one context: verdicts remembered from parts seen before
        // give what a fresh test gives.
        let mut cx = Ctx::new(&cfg);
        for round in 0..2 {
            for (input, want) in cases {
                let mut out = Vec::new();
                scrub_url(&mut cx, input.as_bytes(), UrlMode::Redact, &mut out);
                assert_eq!(out, want.as_bytes(), "{input}, round {round}");
            }
        }
    }

    #[test]
    fn strip_and_origin_modes() {
        let cfg = Config::default();
        let cases = [
            (
                "https://www.example.com/search?q=secret#top",
                "https://www.example.com/search",
                "https://www.example.com",
            ),
            (
                "http://user:pw@example.com:8080/a/b",
                "http://example.com:8080/a/b",
                "http://example.com:8080",
            ),
            (
                "http://[2001:db8::1]:8080/",
                "http://[2001:db8::]:8080/",
                "http://[2001:db8::]:8080",
            ),
            ("http://10.9.8.7/", "http://10.9.8.0/", "http://10.9.8.0"),
            (
                "android-app://com.google.android.gm/",
                "android-app://com.google.android.gm/",
                "android-app://com.google.android.gm",
            ),
            (
                "//cdn.example.com/x?y",
                "//cdn.example.com/x",
                "//cdn.example.com",
            ),
            ("/relative/page?id=3", "/relative/page", "-"),
            (
                "https://example.com/u/jane.doe@example.org",
                "https://example.com/u/REDACTED",
                "https://example.com",
            ),
        ];
        for (input, strip, origin) in cases {
            assert_eq!(url(&cfg, input, UrlMode::Strip), strip, "{input}");
            assert_eq!(url(&cfg, input, UrlMode::Origin), origin, "{input}");
        }
    }

    #[test]
    fn ip_policy_applies_to_hosts() {
        let keep = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        assert_eq!(
            url(&keep, "http://10.9.8.7/", UrlMode::Strip),
            "http://10.9.8.7/"
        );
        let drop = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        assert_eq!(
            url(&drop, "http://10.9.8.7/", UrlMode::Strip),
            "http://0.0.0.0/"
        );
    }

    #[test]
    fn request_lines() {
        let cfg = Config::default();
        let strip = Config::builder()
            .request(RequestPolicy::Strip)
            .build()
            .unwrap();
        let keep = Config::builder()
            .request(RequestPolicy::Keep)
            .build()
            .unwrap();
        let cases: &[(&Config, &str, &str)] = &[
            (
                &cfg,
                "GET /a?sid=1 HTTP/1.1",
                "GET /a?sid=REDACTED HTTP/1.1",
            ),
            (&cfg, "GET /a?x=1", "GET /a?x=1"),
            (&strip, "GET /a?x=1#f HTTP/1.0", "GET /a HTTP/1.0"),
            (
                &keep,
                "GET /a?sid=1&ip=10.0.0.9 HTTP/1.1",
                "GET /a?sid=1&ip=10.0.0.0 HTTP/1.1",
            ),
            (&cfg, "-", "-"),
            (&cfg, "", ""),
            (&cfg, r"\x16\x03\x01\x00", r"\x16\x03\x01\x00"),
            (&cfg, "GET /a b?sid=1", "GET /a b?sid=REDACTED"),
            (&cfg, "GET /a HTTP/2", "GET /a HTTP/2"),
            // Regression (fuzz): only `HTTP/` and a version pass as the protocol.
            (
                &cfg,
                "GET /r?token=9 HTTP/1.1h.example/?q=al",
                "GET /r?token=REDACTED HTTP/1.1h.example/?q=REDACTED",
            ),
            (
                &cfg,
                "CONNECT 10.0.0.9:443 HTTP/1.1",
                "CONNECT 10.0.0.0:443 HTTP/1.1",
            ),
        ];
        for &(cfg, input, want) in cases {
            let mut cx = Ctx::new(cfg);
            let mut out = Vec::new();
            redact_request(&mut cx, input.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn referrer_policies() {
        let r = "https://u@mail.example.com/inbox?email=a@b.example#x";
        let cases = [
            (ReferrerPolicy::Strip, "https://mail.example.com/inbox"),
            (ReferrerPolicy::Origin, "https://mail.example.com"),
            (
                ReferrerPolicy::Redact,
                "https://mail.example.com/inbox?email=REDACTED#x",
            ),
            (ReferrerPolicy::Drop, "-"),
            (
                ReferrerPolicy::Keep,
                "https://mail.example.com/inbox?email=REDACTED#x",
            ),
        ];
        for (policy, want) in cases {
            let cfg = Config::builder().referrer(policy).build().unwrap();
            let mut cx = Ctx::new(&cfg);
            let mut out = Vec::new();
            redact_referrer(&mut cx, r.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{policy:?}");
            assert_eq!(cx.stats.referrers, 1);
        }
    }
}
