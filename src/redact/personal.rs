//! Heuristics for values that identify a person: sensitive parameter names and values that look
//! like an e-mail address, an IP address, a phone number, a UUID, a JWT, a token or an ID number.
//!
//! They err towards redaction: a cache-busting timestamp or a content hash in a file name may be
//! replaced too. That costs a little statistics; missing a session token costs a leak.

use super::{email, ip};

/// Parameter names whose values are personal whatever they look like (compared lowercased).
const SENSITIVE_NAMES: &[&[u8]] = &[
    b"address",
    b"addr",
    b"bic",
    b"birthdate",
    b"birthday",
    b"card",
    b"cc",
    b"ccnum",
    b"city",
    b"code",
    b"credential",
    b"credentials",
    b"cvv",
    b"dob",
    b"fax",
    b"firstname",
    b"first_name",
    b"fullname",
    b"full_name",
    b"iban",
    b"ip",
    b"ip_address",
    b"key",
    b"keyword",
    b"keywords",
    b"lastname",
    b"last_name",
    b"login",
    b"mail",
    b"mobile",
    b"name",
    b"pass",
    b"phone",
    b"postal_code",
    b"postcode",
    b"pw",
    b"pwd",
    b"q",
    b"query",
    b"s",
    b"search",
    b"sid",
    b"sig",
    b"signature",
    b"ssn",
    b"street",
    b"surname",
    b"tel",
    b"telephone",
    b"term",
    b"uid",
    b"user",
    b"user_id",
    b"userid",
    b"username",
    b"user_name",
    b"zip",
    b"zipcode",
];

/// Fragments that make any parameter name sensitive (`access_token`, `user_email`,
/// `PHPSESSID`, `x-api-key`, `oauth_signature`...).
const SENSITIVE_PARTS: &[&[u8]] = &[
    b"api_key", b"api-key", b"apikey", b"auth", b"email", b"e-mail", b"passw", b"secret",
    b"session", b"sessid", b"token",
];

/// The longest name compared with the exact names; fragments are found in names of any length.
const NAME_CAP: usize = 64;

/// Whether a (decoded) parameter name marks its value as personal.
pub fn is_sensitive_name(name: &[u8]) -> bool {
    let mut buf = [0u8; NAME_CAP];
    let len = name.len().min(NAME_CAP);
    for (dst, src) in buf.iter_mut().zip(name) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = &buf[..len];
    // The fragments are looked for in the whole name, however long (no copy needed).
    SENSITIVE_NAMES.contains(&lower)
        || SENSITIVE_PARTS.iter().any(|part| {
            name.windows(part.len())
                .any(|w| w.eq_ignore_ascii_case(part))
        })
}

/// Whether a (decoded) value or path segment looks like it identifies someone.
///
/// One pass over the bytes decides the digit- and token-shaped cases and notes which rarer
/// characters occur, so the e-mail, address, UUID and JWT checks run only where they can match:
/// most path segments and values are short words, and this runs for every one of them.
pub fn looks_personal(v: &[u8]) -> bool {
    // Every shape below needs a digit, `@`, `%` or `:`; a branch-free pass rules out the
    // many segments and values that are plain words.
    if !v
        .iter()
        .any(|&b| b.is_ascii_digit() || matches!(b, b'@' | b'%' | b':'))
    {
        return false;
    }
    let mut seen = Seen::default();
    if scan(v, &mut seen) {
        return true;
    }
    (seen.at_or_percent && (email::has_personal_at(v) || email::contains_email(v)))
        || (seen.dot_or_colon && ip::contains_addr(v))
        || (seen.dashes >= 4 && contains_uuid(v))
        || (seen.dots >= 2 && looks_like_jwt(v))
}

/// Whether any part of `s` (a whole path, say) might look personal: a cheap, conservative
/// pre-check so that the common path made of words and small numbers is copied in one piece
/// instead of being classified segment by segment. It accepts everything [`looks_personal`]
/// accepts in any substring: each shape needs `@`, `%`, `:` or `+`, or nine digits, or a
/// 16-character alphanumeric run with a digit (tokens), or four dashes (UUIDs), or `eyJ` (JWTs),
/// or three dots (IPv4).
pub fn may_contain_personal(s: &[u8]) -> bool {
    let (mut digits, mut dots, mut dashes, mut run) = (0u32, 0u32, 0u32, 0u32);
    let mut run_digit = false;
    for (i, &b) in s.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            run += 1;
            if b.is_ascii_digit() {
                digits += 1;
                run_digit = true;
            } else if b == b'e' && s[i + 1..].starts_with(b"yJ") {
                return true;
            }
            if (run >= 16 && run_digit) || digits >= 9 {
                return true;
            }
        } else {
            run = 0;
            run_digit = false;
            match b {
                b'@' | b'%' | b':' | b'+' => return true,
                b'.' => dots += 1,
                b'-' => dashes += 1,
                _ => {}
            }
            if dots >= 3 || dashes >= 4 {
                return true;
            }
        }
    }
    false
}

/// Characters noticed by [`scan`].
#[derive(Default)]
struct Seen {
    at_or_percent: bool,
    dot_or_colon: bool,
    dashes: u32,
    dots: u32,
}

/// Decides the digit- and token-shaped cases in one pass:
///
/// - a phone number: nine or more digits in a row, or only digits and `+ ()./-` separators with
///   a leading `+` and seven or more digits, or nine or more digits in all. Dates such as
///   `2015-01-13` (eight digits) are left alone;
/// - a token: a run of ASCII letters and digits that is long, random-looking and holds a digit:
///   32 or more characters (hashes, session ids), 16 or more hex characters, or 20 or more
///   characters mixing lower and upper case (base64). Words are not tokens.
fn scan(v: &[u8], seen: &mut Seen) -> bool {
    let mut digits = 0;
    let mut digit_run = 0;
    let mut only_phone_chars = true;
    let mut run = 0;
    let (mut digit, mut lower, mut upper, mut hex) = (false, false, false, true);
    for &b in v.iter().chain(std::iter::once(&b' ')) {
        if b.is_ascii_alphanumeric() {
            run += 1;
            digit |= b.is_ascii_digit();
            lower |= b.is_ascii_lowercase();
            upper |= b.is_ascii_uppercase();
            hex &= b.is_ascii_hexdigit();
        } else {
            if digit
                && (run >= 32
                    || (run >= 16 && hex && (lower || upper))
                    || (run >= 20 && lower && upper))
            {
                return true;
            }
            run = 0;
            (digit, lower, upper, hex) = (false, false, false, true);
            match b {
                b'@' | b'%' => seen.at_or_percent = true,
                b'.' => {
                    seen.dot_or_colon = true;
                    seen.dots += 1;
                }
                b':' => seen.dot_or_colon = true,
                b'-' => seen.dashes += 1,
                _ => {}
            }
        }
        if b.is_ascii_digit() {
            digits += 1;
            digit_run += 1;
            if digit_run >= 9 {
                return true;
            }
        } else {
            digit_run = 0;
            only_phone_chars &= matches!(b, b'+' | b' ' | b'(' | b')' | b'.' | b'/' | b'-');
        }
    }
    let trimmed = v.trim_ascii_start();
    only_phone_chars && (digits >= 9 || (trimmed.first() == Some(&b'+') && digits >= 7))
}

/// `8-4-4-4-12` hex digits anywhere in the value.
fn contains_uuid(v: &[u8]) -> bool {
    const SHAPE: [usize; 5] = [8, 4, 4, 4, 12];
    if v.len() < 36 {
        return false;
    }
    'start: for start in 0..=v.len() - 36 {
        let mut i = start;
        for (n, &len) in SHAPE.iter().enumerate() {
            if n > 0 {
                if v[i] != b'-' {
                    continue 'start;
                }
                i += 1;
            }
            if !v[i..i + len].iter().all(u8::is_ascii_hexdigit) {
                continue 'start;
            }
            i += len;
        }
        return true;
    }
    false
}

/// `eyJ…` followed by two more dot-separated base64url parts: a JSON Web Token.
fn looks_like_jwt(v: &[u8]) -> bool {
    memchr::memchr_iter(b'e', v).any(|start| {
        let rest = &v[start..];
        if !rest.starts_with(b"eyJ") {
            return false;
        }
        let len = rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            .unwrap_or(rest.len());
        memchr::memchr_iter(b'.', &rest[..len]).count() >= 2 && len >= 20
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_check_is_a_superset() {
        let personal = [
            "/u/john@example.com",
            "/a/1.2.3.4/b",
            "/x/030-12345678",
            "/t/8f14e45fceea167a",
            "/o/123e4567-e89b-12d3-a456-426614174000",
            "/p/%2B49",
            "/v6/fe80::1",
        ];
        for path in personal {
            assert!(may_contain_personal(path.as_bytes()), "{path}");
        }
        for path in [
            "/presentations/logstash-monitorama-2013/images/kibana-search.png",
            "/",
            "/a-b/c.d",
        ] {
            assert!(!may_contain_personal(path.as_bytes()), "{path}");
        }
    }

    #[test]
    fn sensitive_names() {
        for name in [
            "email",
            "E-Mail",
            "user",
            "USERNAME",
            "password",
            "new_password",
            "pwd",
            "token",
            "access_token",
            "api_key",
            "X-Api-Key",
            "session",
            "PHPSESSID",
            "jsessionid",
            "sid",
            "phone",
            "zip",
            "iban",
            "q",
            "s",
            "oauth_signature",
            "user_email",
        ] {
            assert!(is_sensitive_name(name.as_bytes()), "{name}");
        }
        for name in [
            "page",
            "id",
            "lang",
            "sort",
            "utm_source",
            "format",
            "size",
            "product",
        ] {
            assert!(!is_sensitive_name(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn personal_values() {
        for value in [
            "john@example.com",
            "john%40example.com",
            "10.1.2.3",
            "2001:db8::7",
            "+49 30 1234567",
            "030-12345678",
            "0612345678",
            "123e4567-e89b-12d3-a456-426614174000",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij",
            "9f86d081884c7d659a2feaa0c55ad015",
            "8f14e45fceea167a",
            "AbCdEf0123456789XyZ9",
            "a3f5c9e1b2d4f6a8b0c2d4e6f8a0b2c4d6e8f0a2",
        ] {
            assert!(looks_personal(value.as_bytes()), "{value}");
        }
        for value in [
            "",
            "kibana-dashboard3.png",
            "logstash-monitorama-2013",
            "2015-01-13",
            "60844",
            "200x200",
            "internationalization",
            "index.php",
            "1.2.3",
            "v2",
            "Chrome/66.0.3359.158",
            "logo@2x.png",
        ] {
            assert!(!looks_personal(value.as_bytes()), "{value}");
        }
        // Any other `@` in a URL part: handles, userinfo embedded in a path, local addresses.
        for value in ["@jane", "admin:secret@intranet", "root@localhost"] {
            assert!(looks_personal(value.as_bytes()), "{value}");
        }
    }
}
