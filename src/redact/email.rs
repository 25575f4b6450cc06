//! E-mail addresses, plain (`john@example.com`) or escaped in part or whole
//! (`john%40example.com`, `j\x40ex%61mple.com`).

use crate::vocab::hex::{percent_escape, unescape, unescape_once};

/// Bytes allowed in the local part. `%` is included so that encoded local parts
/// (`john%2Bnews%40example.com`) are taken whole.
#[inline]
pub fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-') || is_intl(b)
}

/// Non-ASCII bytes (internationalised addresses, `zoë.martin@café.example`, in raw UTF-8) and
/// the backslash of the `\xc3\xab` escapes Apache and nginx write for them: taken into the
/// local part, so that it is replaced whole, never in part.
#[inline]
fn is_intl(b: u8) -> bool {
    b >= 0x80 || b == b'\\'
}

/// A byte of a domain once decoded: `%65` and `\x65` are the `e` of `ex%61mple.com` as much as
/// a plain one, since the audit reads domains decoded.
#[inline]
fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-') || b >= 0x80
}

/// The length of the `@` at `s[p]`: the sign itself, or an escape of it (`%40`, `\x40`, or
/// twice escaped `%2540`).
#[inline]
pub fn at_sign(s: &[u8], p: usize) -> Option<usize> {
    match s.get(p)? {
        b'@' => Some(1),
        b'%' | b'\\' => unescape(&s[p..]).and_then(|(b, len)| (b == b'@').then_some(len)),
        _ => None,
    }
}

/// How the bytes after an `@` are read. The audit looks for addresses in a text as written,
/// decoded once and decoded twice, so an address in any of these readings is one: `a@b.cd%AA0`
/// as written, `x@%61.bc%25410` decoded once, `j%2540ex%2561mple.com` decoded twice.
#[derive(Clone, Copy)]
enum Reading {
    Written,
    Once,
    Twice,
}

/// The bytes of a domain from `s[from]` on, each as `reading` reads it, with the offset after
/// it; ends at a byte that is no domain's or at `limit`.
fn domain_bytes(
    s: &[u8],
    from: usize,
    limit: usize,
    reading: Reading,
) -> impl Iterator<Item = (u8, usize)> + '_ {
    let mut i = from;
    std::iter::from_fn(move || {
        if i >= limit {
            return None;
        }
        let (b, len) = match (s[i], reading) {
            (b'%' | b'\\', Reading::Once) => unescape_once(&s[i..])?,
            (b'%' | b'\\', Reading::Twice) => unescape(&s[i..])?,
            (b, _) => (b, 1),
        };
        if !is_domain(b) {
            return None;
        }
        i += len;
        Some((b, i))
    })
}

/// Given a separator (`@` or an escape of it, see [`at_sign`]) at `s[at..at + sep_len]`,
/// returns the byte range of the e-mail address around it, or `None` if it is not one.
///
/// The local part is not extended below `floor` (bytes already written out). The domain needs
/// a dot and an alphabetic top-level label of two or more letters. `logo@2x.png`, the usual
/// name of high-resolution images, is not an address.
/// With `joined`, the bytes written just before `floor` end in local-part characters (a
/// placeholder or a masked address right before the address): then an empty local part here is
/// not empty in the output, and the address counts.
pub fn email_around(
    s: &[u8],
    at: usize,
    sep_len: usize,
    floor: usize,
    joined: bool,
) -> Option<(usize, usize)> {
    // A local part has at most 64 characters (RFC 5321), 256 bytes when escaped; the bound
    // keeps a line of `%40%40…` linear to scan.
    let floor = floor.max(at.saturating_sub(256));
    let mut start = at;
    while start > floor && is_local(s[start - 1]) {
        start -= 1;
    }
    if joined && start == floor {
        // The local part goes on in what was written before: all of it here belongs to it.
    } else {
        // An escaped separator (`contact:%20ops@…`, `to%3Ajo@…`) parts the text before
        // the address from it: the address starts after the last one.
        // Escapes alone are the local part as written (`%3a@a.example`).
        let mut k = start;
        while let Some(n) = memchr::memchr(b'%', &s[k..at]) {
            k += n + 1;
            let separator =
                percent_escape(&s[k - 1..at]).is_some_and(|b| !is_local(b) && b != b'@');
            if separator && k + 2 < at {
                start = k + 2;
            }
        }
        // A leading dot is punctuation of the text, not the address.
        while start < at && s[start] == b'.' {
            start += 1;
        }
        if start == at {
            return None;
        }
    }
    let domain_start = at + sep_len;
    let limit = s.len().min(domain_start + 1024);
    // The longest domain of the three readings: the span covers whatever the audit reads.
    [Reading::Written, Reading::Once, Reading::Twice]
        .into_iter()
        .filter_map(|reading| domain_end(s, domain_start, limit, reading, true))
        .max()
        .map(|end| (start, end))
}

/// Where the domain that starts at `s[domain_start]` ends, read as `reading` reads it, if it is
/// an address's: a dot and an alphabetic top-level label of two or more letters, and no image
/// resolution suffix. The domain ends after its last letter or digit (a dot or dash after it is
/// the text's), and before an empty label: every label of a host name has something in it
/// (`jo@mail.example..next` is `jo@mail.example`; `x@a..example` is no address).
///
/// A last label that is no top-level domain (`a@b.example.\xff`, `a@b.example.1`) ends the
/// domain before it, if the label before is one; one step back only (`step_back`), which
/// keeps a line of labels linear to read.
fn domain_end(
    s: &[u8],
    domain_start: usize,
    limit: usize,
    reading: Reading,
    step_back: bool,
) -> Option<usize> {
    let mut end = domain_start;
    let mut first = None;
    let mut prev = 0;
    // Where the last dot and the one before the top-level label start, and where what follows
    // them starts.
    let (mut at, mut last_dot, mut tld_dot) = (domain_start, None, None);
    let mut tld_start = None;
    for (b, next) in domain_bytes(s, domain_start, limit, reading) {
        if b == b'.' && prev == b'.' {
            break;
        }
        first.get_or_insert(b);
        match b {
            b'.' => last_dot = Some((at, next)),
            b'-' => {}
            _ => {
                end = next;
                tld_dot = last_dot.map(|(dot, _)| dot);
                tld_start = last_dot.map(|(_, after)| after);
            }
        }
        prev = b;
        at = next;
    }
    // `x@.example` is no address either (and a placeholder next to an `@` must not turn
    // into one).
    if first == Some(b'.') {
        return None;
    }
    let tld_start = tld_start?;
    if !top_level_domain(s, tld_start, end, reading) {
        return tld_dot
            .filter(|_| step_back)
            .and_then(|dot| domain_end(s, domain_start, dot, reading, false));
    }
    let domain = domain_bytes(s, domain_start, end, reading).map(|(b, _)| b);
    (!is_resolution_suffix(domain)).then_some(end)
}

/// Whether the label `s[tld_start..end]`, read as `reading` reads it, is a top-level domain:
/// two or more letters, or an internationalised one in its ASCII form (`xn--p1ai`).
fn top_level_domain(s: &[u8], tld_start: usize, end: usize, reading: Reading) -> bool {
    let tld = || domain_bytes(s, tld_start, end, reading).map(|(b, _)| b);
    let len = tld().count();
    let letters = tld().all(|b| b.is_ascii_alphabetic() || b >= 0x80);
    let punycode = len > 4
        && tld().take(4).eq(*b"xn--")
        && tld().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    len >= 2 && (letters || punycode)
}

/// What follows the `@` of the image naming convention: `2x`, `1.5x`, `2x-1024x512`, then the
/// end, a dot, a dash or an underscore.
fn is_resolution_suffix(mut after_at: impl Iterator<Item = u8>) -> bool {
    let mut first = None;
    loop {
        match after_at.next() {
            Some(b) if b.is_ascii_digit() || b == b'.' => {
                first.get_or_insert(b);
            }
            Some(b'x' | b'X') => {
                return first.is_some_and(|b| b.is_ascii_digit())
                    && after_at
                        .next()
                        .map_or(true, |b| matches!(b, b'.' | b'-' | b'_'));
            }
            _ => return false,
        }
    }
}

/// Whether `s` has an `@` that joins a name to a host: userinfo (`admin:secret@intranet`) or an
/// address without a dot (`root@localhost`). For URL parts, where such an `@` is reason enough
/// to treat the part as personal. Not personal: the `@2x` of an image name, a version after a
/// package name (`jquery@3.7.1`, `/maps/@48.14,11.58`), and an `@` that starts a segment (npm
/// scopes `/@babel/core`, `/@vite/client`; a handle in a path names the page visited, not the
/// visitor).
pub fn has_personal_at(s: &[u8]) -> bool {
    memchr::memchr_iter(b'@', s).any(|at| {
        let after = &s[at + 1..];
        let starts_segment = at == 0 || matches!(s[at - 1], b'/' | b'=' | b'&' | b'?');
        !(starts_segment
            || after
                .first()
                .is_some_and(|b| b.is_ascii_digit() || *b == b'-')
            || is_resolution_suffix(after.iter().copied()))
    })
}

/// Whether `s` contains an e-mail address in either form.
pub fn contains_email(s: &[u8]) -> bool {
    memchr::memchr3_iter(b'@', b'%', b'\\', s).any(|at| {
        at_sign(s, at).is_some_and(|sep_len| email_around(s, at, sep_len, 0, false).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            ("john@example.com", Some("john@example.com")),
            ("ivan@mail.xn--p1ai y", Some("ivan@mail.xn--p1ai")),
            ("4@8.t-z", None),
            (
                "mailto:john.doe+x@mail.example.co.uk)",
                Some("john.doe+x@mail.example.co.uk"),
            ),
            ("q=john%40example.com&x", Some("john%40example.com")),
            ("(+contact:%20ops@example.com)", Some("ops@example.com")),
            ("to%3Ajo%40example.com", Some("jo%40example.com")),
            ("%3a@a.AA", Some("%3a@a.AA")),
            ("a@b.example.1 x", Some("a@b.example")),
            ("jquery@3.7.1", None),
            (
                "to zoë.martin@café.example.",
                Some("zoë.martin@café.example"),
            ),
            (
                r"to zo\xc3\xab.martin@caf\xc3\xa9.example\x22 x",
                Some(r"zo\xc3\xab.martin@caf\xc3\xa9.example"),
            ),
            (r#"\"jane@example.com\" x"#, Some("jane@example.com")),
            (
                "q=john%2Bnews%40example.com",
                Some("john%2Bnews%40example.com"),
            ),
            ("(+abuse@example.org.)", Some("+abuse@example.org")),
            ("logo@2x.png", None),
            ("user@localhost", None),
            ("@example.com", None),
            ("john@", None),
            ("john@example.c0m", None),
            ("L@.REDACTED", None),
            ("a@b..example", None),
            // Escaped in part: the audit decodes, so the scrubber reads them decoded too.
            (r"j\x40example.com", Some(r"j\x40example.com")),
            ("j@ex%61mple.com.", Some("j@ex%61mple.com")),
            ("j@example%2Ecom%2E", Some("j@example%2Ecom")),
            (
                "j%2540ex%2561mple.c%256Fm",
                Some("j%2540ex%2561mple.c%256Fm"),
            ),
            (r"j@\x65xample.com", Some(r"j@\x65xample.com")),
            ("J@%50.pg", Some("J@%50.pg")),
            ("a@%32x.png", None),
            ("x@y%2Ez", None),
            ("x@y.%2D%2D", None),
            // The longest of the readings as written, decoded once and decoded twice.
            ("A@a.AA%AA0", Some("A@a.AA")),
            ("x@%61.bc%25410", Some("x@%61.bc")),
            ("x@%61.bc%2541", Some("x@%61.bc%2541")),
        ];
        for &(text, want) in cases {
            let bytes = text.as_bytes();
            let found = (0..bytes.len())
                .find_map(|at| at_sign(bytes, at).map(|len| (at, len)))
                .and_then(|(at, len)| email_around(bytes, at, len, 0, false))
                .map(|(s, e)| &text[s..e]);
            assert_eq!(found, want, "{text:?}");
            assert_eq!(contains_email(bytes), want.is_some(), "{text:?}");
        }
    }

    #[test]
    fn personal_at_signs() {
        for s in ["admin:secret@intranet", "root@localhost", "a@b.example"] {
            assert!(has_personal_at(s.as_bytes()), "{s}");
        }
        for s in [
            "logo@2x.png",
            "icon@3X",
            "plain",
            "a@2x.png/b@10x.jpg",
            "banner@1.5x.jpg",
            "hero@2x-1024x512.jpg",
            "jquery@3.7.1",
            "@babel",
            "@jane",
            "maps/@48.14,11.58,12z",
        ] {
            assert!(!has_personal_at(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn local_part_stops_at_floor() {
        let s = b"abcjohn@example.com";
        assert_eq!(email_around(s, 7, 1, 3, false), Some((3, 19)));
        assert_eq!(email_around(b"xx@b.example", 2, 1, 2, false), None);
        assert_eq!(email_around(b"xx@b.example", 2, 1, 2, true), Some((2, 12)));
        // Regression (fuzz): dots between a placeholder and the `@`.
        assert_eq!(email_around(b"x..@b.example", 3, 1, 1, true), Some((1, 13)));
    }
}
