//! Heuristics for values that identify a person: sensitive parameter names and values that look
//! like an e-mail address, an IP address, a phone number, a UUID, a JWT, a token or an ID number.
//!
//! They err towards redaction: a cache-busting timestamp or a content hash in a file name may be
//! replaced too. That costs a little statistics; missing a session token costs a leak.

use super::{email, ip};

/// Parameter names whose values are personal whatever they look like (compared lowercased).
const SENSITIVE_NAMES: &[&[u8]] = &[
    b"address", b"addr", b"bic", b"birthdate", b"birthday", b"card", b"cc", b"ccnum", b"city",
    b"code", b"credential", b"credentials", b"cvv", b"dob", b"fax", b"firstname", b"first_name",
    b"fullname", b"full_name", b"iban", b"ip", b"ip_address", b"key", b"keyword", b"keywords",
    b"lastname", b"last_name", b"login", b"mail", b"mobile", b"name", b"pass", b"phone",
    b"postal_code", b"postcode", b"pw", b"pwd", b"q", b"query", b"s", b"search", b"sid", b"sig",
    b"signature", b"ssn", b"street", b"surname", b"tel", b"telephone", b"term", b"uid", b"user",
    b"user_id", b"userid", b"username", b"user_name", b"zip", b"zipcode",
];

/// Fragments that make any parameter name sensitive (`access_token`, `user_email`,
/// `PHPSESSID`, `x-api-key`, `oauth_signature`...).
const SENSITIVE_PARTS: &[&[u8]] = &[
    b"api_key", b"api-key", b"apikey", b"auth", b"email", b"e-mail", b"passw", b"secret",
    b"session", b"sessid", b"token",
];

/// The longest name compared; longer names are checked by their first bytes only.
const NAME_CAP: usize = 64;

/// Whether a (decoded) parameter name marks its value as personal.
pub fn is_sensitive_name(name: &[u8]) -> bool {
    let mut buf = [0u8; NAME_CAP];
    let len = name.len().min(NAME_CAP);
    for (dst, src) in buf.iter_mut().zip(name) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = &buf[..len];
    SENSITIVE_NAMES.contains(&lower)
        || SENSITIVE_PARTS
            .iter()
            .any(|part| memchr::memmem::find(lower, part).is_some())
}

/// Whether a (decoded) value or path segment looks like it identifies someone.
pub fn looks_personal(v: &[u8]) -> bool {
    !v.is_empty()
        && (email::contains_email(v)
            || contains_addr(v)
            || looks_like_phone(v)
            || has_long_token(v)
            || contains_uuid(v)
            || looks_like_jwt(v))
}

fn contains_addr(v: &[u8]) -> bool {
    // Cheap pre-check: every address has a dot or a colon.
    if memchr::memchr2(b'.', b':', v).is_none() {
        return false;
    }
    (0..v.len()).any(|i| ip::addr_at(v, i).is_some())
}

/// Nine or more digits in a row, or a phone-shaped value: only digits and `+ ()./-` separators
/// with a leading `+` and seven or more digits, or nine or more digits in all. Dates such as
/// `2015-01-13` (eight digits) are left alone.
fn looks_like_phone(v: &[u8]) -> bool {
    let mut run = 0;
    let mut digits = 0;
    let mut only_phone_chars = true;
    for &b in v {
        if b.is_ascii_digit() {
            run += 1;
            digits += 1;
            if run >= 9 {
                return true;
            }
        } else {
            run = 0;
            if !matches!(b, b'+' | b' ' | b'(' | b')' | b'.' | b'/' | b'-') {
                only_phone_chars = false;
            }
        }
    }
    let trimmed = v.trim_ascii_start();
    only_phone_chars && (digits >= 9 || (trimmed.first() == Some(&b'+') && digits >= 7))
}

/// A run of ASCII letters and digits that is long and random-looking: 32 or more characters
/// (hashes, session ids), 16 or more hex characters mixing digits and letters, or 20 or more
/// characters mixing digits, lower and upper case (base64 tokens). Words are not tokens.
fn has_long_token(v: &[u8]) -> bool {
    let mut i = 0;
    while i < v.len() {
        if !v[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut digit, mut lower, mut upper, mut hex) = (false, false, false, true);
        while i < v.len() && v[i].is_ascii_alphanumeric() {
            let b = v[i];
            digit |= b.is_ascii_digit();
            lower |= b.is_ascii_lowercase();
            upper |= b.is_ascii_uppercase();
            hex &= b.is_ascii_hexdigit();
            i += 1;
        }
        let len = i - start;
        if len >= 32
            || (len >= 16 && hex && digit && (lower || upper))
            || (len >= 20 && digit && lower && upper)
        {
            return true;
        }
    }
    false
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
    memchr::memmem::find_iter(v, b"eyJ").any(|start| {
        let rest = &v[start..];
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
    fn sensitive_names() {
        for name in [
            "email", "E-Mail", "user", "USERNAME", "password", "new_password", "pwd", "token",
            "access_token", "api_key", "X-Api-Key", "session", "PHPSESSID", "jsessionid", "sid",
            "phone", "zip", "iban", "q", "s", "oauth_signature", "user_email",
        ] {
            assert!(is_sensitive_name(name.as_bytes()), "{name}");
        }
        for name in ["page", "id", "lang", "sort", "utm_source", "format", "size", "product"] {
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
    }
}
