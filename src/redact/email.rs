//! E-mail addresses, plain (`john@example.com`) or percent-encoded (`john%40example.com`).

/// Bytes allowed in the local part. `%` is included so that encoded local parts
/// (`john%2Bnews%40example.com`) are taken whole.
#[inline]
pub fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-') || is_intl(b)
}

/// Non-ASCII bytes (internationalised addresses, `zoë.martin@café.example`, in raw UTF-8) and
/// the backslash of the `\xc3\xab` escapes Apache and nginx write for them: taken into the
/// address, so that it is replaced whole, never in part.
#[inline]
fn is_intl(b: u8) -> bool {
    b >= 0x80 || b == b'\\'
}

#[inline]
fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-') || is_intl(b)
}

/// Given a separator (`@` or `%40`) at `s[at..at + sep_len]`, returns the byte range of the
/// e-mail address around it, or `None` if it is not one.
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
        // A leading dot is punctuation of the text, not the address.
        while start < at && s[start] == b'.' {
            start += 1;
        }
        if start == at {
            return None;
        }
    }
    let domain_start = at + sep_len;
    let mut end = domain_start;
    while end < s.len().min(domain_start + 1024) && is_domain(s[end]) {
        if s[end] == b'\\' {
            // Only the escape of a non-ASCII byte (`\xc3`) goes on in a domain; `\x22` (a
            // quote) or `\"` ends it.
            let high = s.get(end + 1) == Some(&b'x')
                && s.get(end + 2)
                    .is_some_and(|b| matches!(b, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
                && s.get(end + 3).is_some_and(u8::is_ascii_hexdigit);
            if !high {
                break;
            }
            end += 4;
            continue;
        }
        end += 1;
    }
    // Every label of a host name is non-empty: the domain ends before an empty one
    // (`jo@mail.example..next` is `jo@mail.example`; `x@a..example` is no address).
    if let Some(k) = memchr::memmem::find(&s[domain_start..end], b"..") {
        end = domain_start + k;
    }
    while end > domain_start && matches!(s[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &s[domain_start..end];
    // `x@.example` is no address either (and a placeholder next to an `@` must not turn
    // into one).
    if domain.first() == Some(&b'.') {
        return None;
    }
    let last_dot = memchr::memrchr(b'.', domain)?;
    let tld = &domain[last_dot + 1..];
    // Letters, or an internationalised top-level domain in its ASCII form (`xn--p1ai`).
    let punycode = tld.len() > 4
        && tld.starts_with(b"xn--")
        && tld.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-');
    if tld.len() < 2 || !(punycode || tld.iter().all(|&b| b.is_ascii_alphabetic() || is_intl(b))) {
        return None;
    }
    if is_resolution_suffix(domain) {
        return None;
    }
    Some((start, end))
}

/// What follows the `@` of the image naming convention: `2x`, `1.5x`, `2x-1024x512`, then the
/// end, a dot, a dash or an underscore.
fn is_resolution_suffix(after_at: &[u8]) -> bool {
    let digits = after_at
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    digits > 0
        && after_at[0].is_ascii_digit()
        && matches!(after_at.get(digits), Some(b'x' | b'X'))
        && after_at
            .get(digits + 1)
            .map_or(true, |b| matches!(b, b'.' | b'-' | b'_'))
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
            || is_resolution_suffix(after))
    })
}

/// Whether `s` contains an e-mail address in either form.
pub fn contains_email(s: &[u8]) -> bool {
    for at in memchr::memchr_iter(b'@', s) {
        if email_around(s, at, 1, 0, false).is_some() {
            return true;
        }
    }
    // memchr on `%` rather than a memmem search: building a searcher costs more than these
    // short values take to scan.
    memchr::memchr_iter(b'%', s).any(|at| {
        let sep_len = match &s[at + 1..] {
            rest if rest.starts_with(b"40") => 3,
            rest if rest.starts_with(b"2540") => 5,
            _ => return false,
        };
        email_around(s, at, sep_len, 0, false).is_some()
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
        ];
        for &(text, want) in cases {
            let bytes = text.as_bytes();
            let found = memchr::memchr(b'@', bytes)
                .map(|at| (at, 1))
                .or_else(|| memchr::memmem::find(bytes, b"%40").map(|at| (at, 3)))
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
