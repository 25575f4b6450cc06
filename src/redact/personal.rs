//! Heuristics for values that identify a person: sensitive parameter names and values that look
//! like an e-mail address, an IP address, a phone number, a UUID, a JWT, a token or an ID number.
//!
//! They err towards redaction: a cache-busting timestamp or a content hash in a file name may be
//! replaced too. That costs a little statistics; missing a session token costs a leak.

use super::{email, ip, number, secret};
pub use crate::vocab::names::{name_kind, NameKind};

/// Rewrites every decimal number in `value` with more than two decimals to two (truncated):
/// `48.137154,11.576124` → `48.13,11.57`, about a kilometre. Returns whether anything changed.
pub fn coarsen_coordinates(value: &[u8], out: &mut Vec<u8>) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        out.push(b);
        i += 1;
        if b == b'.' && i >= 2 && value[i - 2].is_ascii_digit() {
            let digits = value[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 2 {
                out.extend_from_slice(&value[i..i + 2]);
                changed = true;
            } else {
                out.extend_from_slice(&value[i..i + digits]);
            }
            i += digits;
        }
    }
    changed
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
        || is_random_token(v)
        || (v.len() >= 16 && secret::contains(v))
}

/// Whether going from character class `from` to `to` (1 lower, 2 upper, 3 digit, 0 none) is a
/// change that random text makes and words do not: upper to lower case starts a word in
/// camelCase (`iPhone15ProMax`), so it does not count.
fn is_change(from: u8, to: u8) -> bool {
    from != 0 && to != 0 && from != to && !(from == 2 && to == 1)
}

/// A whole value that reads as random: sixteen or more characters of a URL-safe alphabet
/// mixing upper case, lower case and digits, whose character class changes at almost every
/// other character (`Hq2_w8-PzR4tN6yLm1Xc`). Words, slugs (`blue-widget-2000`) and names
/// (`MyDocument2024Final`) change class far less often.
fn is_random_token(v: &[u8]) -> bool {
    if v.len() < 16
        || !v
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return false;
    }
    let class = |b: u8| match b {
        b'a'..=b'z' => 1,
        b'A'..=b'Z' => 2,
        b'0'..=b'9' => 3,
        _ => 0,
    };
    let (mut upper, mut lower, mut digits, mut changes) = (0, 0, 0, 0);
    for (i, &b) in v.iter().enumerate() {
        match class(b) {
            1 => lower += 1,
            2 => upper += 1,
            3 => digits += 1,
            _ => {}
        }
        if i > 0 && is_change(class(v[i - 1]), class(b)) {
            changes += 1;
        }
    }
    upper >= 3 && lower >= 3 && digits >= 2 && changes * 100 >= v.len() * 40
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
    // Runs of the URL-safe alphabet for random tokens (`Hq2_w8-PzR4tN6yLm1Xc`).
    let (mut token_run, mut token_digit, mut token_upper) = (0u32, false, false);
    for (i, &b) in s.iter().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            token_run += 1;
            token_digit |= b.is_ascii_digit();
            token_upper |= b.is_ascii_uppercase();
            if token_run >= 16 && token_digit && token_upper {
                return true;
            }
        } else {
            (token_run, token_digit, token_upper) = (0, false, false);
        }
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
/// - a phone number, card number or IBAN, as [`number::is_personal_number`] tells them from
///   timestamps, order numbers and EANs;
/// - a token: a run of ASCII letters and digits that is long, random-looking and holds a digit:
///   32 or more characters (hashes, session ids), 16 or more hex characters, or 20 or more
///   characters mixing lower and upper case (base64). Words are not tokens.
fn scan(v: &[u8], seen: &mut Seen) -> bool {
    let mut run = 0;
    // Changes between lower case, upper case and digits inside the run: random tokens change
    // at almost every other character, identifiers (`GetViewerNotifications2`) rarely.
    let (mut changes, mut class) = (0, 0u8);
    let (mut digit, mut lower, mut upper, mut hex) = (false, false, false, true);
    for &b in v.iter().chain(std::iter::once(&b' ')) {
        if b.is_ascii_alphanumeric() {
            run += 1;
            digit |= b.is_ascii_digit();
            lower |= b.is_ascii_lowercase();
            upper |= b.is_ascii_uppercase();
            hex &= b.is_ascii_hexdigit();
            let this = 1 + u8::from(b.is_ascii_uppercase()) + 2 * u8::from(b.is_ascii_digit());
            changes += usize::from(is_change(class, this));
            class = this;
        } else {
            let random = changes * 100 >= run * 30;
            if digit
                && (run >= 32
                    || (run >= 16 && hex && (lower || upper))
                    || (run >= 20 && lower && upper && random))
            {
                return true;
            }
            run = 0;
            (changes, class) = (0, 0);
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
    }
    number::is_personal_number(v) || number::find(v, 0, false).is_some()
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
    use crate::vocab::names::is_sensitive_name;

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
    fn name_kinds() {
        use NameKind::*;
        let cases = [
            ("shipping_first_name", Sensitive),
            ("user[email]", Sensitive),
            ("billing.address", Sensitive),
            ("contact_phone", Sensitive),
            ("newEmail", Sensitive),
            ("customerName", Sensitive),
            ("Vorname", Sensitive),
            ("geburtsdatum", Sensitive),
            ("prenom", Sensitive),
            ("_wpnonce", Sensitive),
            ("X-Amz-Signature", Sensitive),
            ("otp", Sensitive),
            ("auth_code", Sensitive),
            ("zip_code", Sensitive),
            ("lat", Geo),
            ("longitude", Geo),
            ("ll", Geo),
            ("file_name", Plain),
            ("country_code", Plain),
            ("user_agent", Plain),
            ("page", Plain),
            ("utm_source", Plain),
            ("hotpath", Plain),
            ("telefonnummer", Sensitive),
            ("operationName", Plain),
            ("card_style", Plain),
            ("user_tier", Plain),
            ("national_id", Sensitive),
            ("tax_number", Sensitive),
            ("passport", Sensitive),
            ("nino", Sensitive),
            ("tax", Plain),
            ("tax_rate", Plain),
            ("pod_name", Plain),
            ("namespace_name", Plain),
            ("containerName", Plain),
            ("logName", Plain),
            ("activation_key", Sensitive),
            ("sort_key", Plain),
            ("app_version", Version),
            ("date_of_birth", Sensitive),
            ("contactPerson", Sensitive),
            ("nickname", Sensitive),
            ("familyname", Sensitive),
            ("recipient", Sensitive),
            ("contact", Sensitive),
            ("customer_ref", Sensitive),
            ("user_ref", Sensitive),
            ("referrer", Plain),
            ("cell", Plain),
            ("search_query", Sensitive),
            ("searchTerm", Sensitive),
            ("search_text", Sensitive),
            ("site_keywords", Sensitive),
            ("search_type", Plain),
            ("payment_term", Plain),
            ("accept_terms", Plain),
            ("gclid", Sensitive),
            ("mc_eid", Sensitive),
            ("_hsenc", Sensitive),
            ("li_fat_id", Sensitive),
            ("utm_id", Plain),
        ];
        for (name, want) in cases {
            assert_eq!(name_kind(name.as_bytes()), want, "{name}");
        }
    }

    #[test]
    fn coordinates_are_coarsened() {
        let cases = [
            ("48.137154,11.576124", "48.13,11.57", true),
            ("-33.868820", "-33.86", true),
            ("48.1%2C11.5", "48.1%2C11.5", false),
            ("12", "12", false),
            (".2345", ".2345", false),
        ];
        for (input, want, changed) in cases {
            let mut out = Vec::new();
            assert_eq!(
                coarsen_coordinates(input.as_bytes(), &mut out),
                changed,
                "{input}"
            );
            assert_eq!(String::from_utf8(out).unwrap(), want, "{input}");
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
            "DeviceId",
            "http_x_client_device_id",
            "advertising_id",
            "imei",
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
            "device",
            "DeviceType",
            "device_name",
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
            "iPhone15ProMax256GB",
            "GetViewerNotifications2",
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
        for value in ["admin:secret@intranet", "root@localhost"] {
            assert!(looks_personal(value.as_bytes()), "{value}");
        }
    }
}
