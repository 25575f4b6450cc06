//! Numbers that identify: phone numbers, card numbers (Luhn), IBANs (mod 97), UUIDs and
//! coordinates with more than two decimals.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::scan::no_word;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// NUL counts: a placeholder's blanked bytes glue like the word they are (`REDACTED+2245922`).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == 0
}

/// Whether the match `start..end` stands alone: no letter or digit (or a dot and a digit) on
/// either side.
/// Whether a number at `start > 0` continues the word before it: right after a word character,
/// or after a joiner that follows one (`ref-0800123456`, `img_0123456789`, `v1.502.502.5420`,
/// `x-+49…`). A joiner after no word is punctuation (`tel -0171234567`); a `/` parts path
/// segments.
fn glued(text: &[u8], start: usize) -> bool {
    let prev = text[start - 1];
    is_word(prev) || (matches!(prev, b'.' | b'-' | b'_') && start >= 2 && is_word(text[start - 2]))
}

fn alone(text: &[u8], start: usize, end: usize) -> bool {
    let left = start == 0 || !glued(text, start);
    let right = end >= text.len()
        || !(is_word(text[end])
            || (text[end] == b'.' && text.get(end + 1).is_some_and(u8::is_ascii_digit)));
    left && right
}

/// Phone numbers: `+` and 7–15 digits, `00` or a trunk `0` and 9–12 digits, or the North
/// American `555-123-4567` grouping; groups after the country and area code have two digits
/// or more. Separators: space, `-`, `/`, brackets (and `.` in the North American grouping).
pub fn phone(text: &[u8]) -> bool {
    static NANP: OnceLock<Regex> = OnceLock::new();
    // Every place a number can start: a `+`, a `(`, or a digit after no word; from there the
    // longest run of digits and separators, and each shorter one that ends a group.
    let sep = |b: u8| matches!(b, b' ' | b'(' | b')' | b'/' | b'+' | b'-');
    for s in 0..text.len() {
        let b = text[s];
        let starts = matches!(b, b'+' | b'(' | b'0'..=b'9') && !(s > 0 && glued(text, s));
        if !starts || (s > 0 && text[s - 1].is_ascii_digit()) {
            continue;
        }
        // No phone number is longer than this, written out.
        let limit = text.len().min(s + 32);
        let mut end = s;
        while end < limit && (text[end].is_ascii_digit() || sep(text[end])) {
            end += 1;
        }
        if end < text.len() && (is_word(text[end]) || text[end] == b'.' || end == limit) {
            // Runs into a word or a decimal: the last group is not a group.
            while end > s && text[end - 1].is_ascii_digit() {
                end -= 1;
            }
        }
        for e in (s + 1..=end).rev() {
            if !text[e - 1].is_ascii_digit() || text.get(e).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            // A path segment that is an ISBN-10 (`/dp/0306406152`) names a book.
            let book = s > 0 && text[s - 1] == b'/' && isbn10(&text[s..e]);
            if !book && phone_run(&text[s..e]) {
                return true;
            }
        }
    }
    // `555-123-4567`, `202.555.0143`, `(202) 555-0143`: one separator style, `-` or `.`
    // (three groups split by spaces are counters and sizes in logs). An area code in brackets
    // says phone by itself, whatever its digits (`(555) 010-0222`, as fiction writes them).
    let nanp = re(
        &NANP,
        r"(?:\(\d{3}\)[ +]?\d{3}-|[2-9]\d{2}-[2-9]\d{2}-|[2-9]\d{2}\.[2-9]\d{2}\.)\d{4}",
    );
    nanp.find_iter(text)
        .any(|m| alone(text, m.start(), m.end()) && (m.start() == 0 || text[m.start() - 1] != b'/'))
}

/// Ten digits with a valid ISBN-10 check digit (weights 10 down to 1, sum divisible by 11).
fn isbn10(run: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"^\d{10}$").is_match(run)
        && run
            .iter()
            .enumerate()
            .map(|(k, &d)| (10 - k as u32) * u32::from(d - b'0'))
            .sum::<u32>()
            % 11
            == 0
}

fn phone_run(run: &[u8]) -> bool {
    let digits: Vec<u8> = run.iter().copied().filter(u8::is_ascii_digit).collect();
    let groups: Vec<&[u8]> = run
        .split(|b| !b.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    // A `+` inside a run is a space (W3C, form encoding), not a new number.
    let intl = run.starts_with(b"+") || run.starts_with(b"(+");
    // After a country code an area code may have one digit (`+33 1 …`); otherwise every
    // group has two or more.
    let later_groups_ok = groups
        .iter()
        .skip(if intl { 2 } else { 0 })
        .all(|g| g.len() >= 2);
    if !later_groups_ok {
        return false;
    }
    // Inside, a `+` stands for a space between groups (`+49+30+1234567`), never beside
    // another separator.
    let inner_plus_ok = run.iter().enumerate().skip(1).all(|(k, &b)| {
        b != b'+' || (run[k - 1].is_ascii_digit() && run.get(k + 1).is_some_and(u8::is_ascii_digit))
    });
    if !inner_plus_ok {
        return false;
    }
    // Parentheses enclose one area code: a `)` closes a `(` before it.
    let open = run.iter().position(|&b| b == b'(');
    let close = run.iter().position(|&b| b == b')');
    let count = |c: u8| run.iter().filter(|&&b| b == c).count();
    if close.is_some_and(|c| !open.is_some_and(|o| o < c)) || count(b'(') > 1 || count(b')') > 1 {
        return false;
    }
    // A slash splits only an area code (a trunk `0` and one to four digits) from its number
    // (`030/1234567`), once; other slashes part dates, timings and ids (`0440444/00`).
    if let Some(slash) = run.iter().position(|&b| b == b'/') {
        let area = &run[..slash];
        let area_code =
            (2..=5).contains(&area.len()) && area[0] == b'0' && area.iter().all(u8::is_ascii_digit);
        if !area_code || run[slash + 1..].contains(&b'/') {
            return false;
        }
    }
    if intl {
        return (7..=15).contains(&digits.len()) && digits[0] != b'0';
    }
    if digits.starts_with(b"00") {
        return (9..=13).contains(&(digits.len() - 2)) && digits[2] != b'0';
    }
    if digits[0] == b'0' && (groups[0].len() >= 2 || groups.len() == 1) {
        return (9..=12).contains(&digits.len()) && digits.get(1).is_some_and(|&d| d != b'0');
    }
    if run.starts_with(b"(0") {
        return (9..=12).contains(&digits.len());
    }
    false
}

/// Card numbers: 14–19 digits (13 for Visa), alone or grouped by spaces, `+` or dashes, a
/// network's first digit and a valid Luhn check digit.
pub fn card(text: &[u8]) -> bool {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let run = re(&RUN, r"[0-9](?:[0-9]|[ +-][0-9])+");
    run.find_iter(text).any(|m| {
        let s = m.as_bytes();
        // Groups with their offsets in the match; a number may be any consecutive groups of
        // the run (a status code may stand before it in plain text).
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        for g in s.split(|b| !b.is_ascii_digit()) {
            groups.push((at, at + g.len()));
            at += g.len() + 1;
        }
        (0..groups.len()).any(|i| {
            (1..=4).any(|n| {
                let Some(window) = groups.get(i..i + n) else {
                    return false;
                };
                // Grouped numbers come in fours (the last may be shorter), or as Amex 4-6-5 and
                // Diners 4-6-4.
                let lens: Vec<usize> = window.iter().map(|&(a, b)| b - a).collect();
                let fours = lens[..n - 1].iter().all(|&l| l == 4) && (1..=4).contains(&lens[n - 1]);
                let amex = lens == [4, 6, 5] || lens == [4, 6, 4];
                if n > 1 && !(fours || amex) {
                    return false;
                }
                let (start, end) = (m.start() + window[0].0, m.start() + window[n - 1].1);
                if !alone(text, start, end) {
                    return false;
                }
                let digits: Vec<u8> = text[start..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_digit)
                    .collect();
                let len_ok = network_length(&digits);
                len_ok && luhn(&digits)
            })
        })
    })
}

/// Whether the number's first digits name a card network that issues numbers of its length.
fn network_length(digits: &[u8]) -> bool {
    let prefix = |n: usize| -> u32 {
        digits[..n.min(digits.len())]
            .iter()
            .fold(0, |a, &d| a * 10 + u32::from(d - b'0'))
    };
    let len = digits.len();
    match digits[0] {
        // Visa.
        b'4' => matches!(len, 13 | 16 | 19),
        // Mastercard 2-series, 51–55.
        b'2' => (2221..=2720).contains(&prefix(4)) && len == 16,
        b'5' => (51..=55).contains(&prefix(2)) && len == 16,
        // Amex 34 and 37; Diners 300–305, 36, 38, 39; JCB 3528–3589.
        b'3' => match prefix(2) {
            34 | 37 => len == 15,
            30 => (300..=305).contains(&prefix(3)) && len == 14,
            36 | 38 | 39 => len == 14,
            35 => (3528..=3589).contains(&prefix(4)) && (16..=19).contains(&len),
            _ => false,
        },
        // Discover 6011, 644–649, 65; UnionPay 62.
        b'6' => {
            (prefix(4) == 6011 || (644..=649).contains(&prefix(3)) || matches!(prefix(2), 62 | 65))
                && (16..=19).contains(&len)
        }
        _ => false,
    }
}

pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut n = u32::from(d - b'0');
        if i % 2 == 1 {
            n *= 2;
            if n > 9 {
                n -= 9;
            }
        }
        sum += n;
    }
    sum % 10 == 0
}

/// IBANs: a country code, two check digits and 11–30 letters and digits, grouped by spaces,
/// `+` or dashes or not, valid by mod 97.
pub fn iban(text: &[u8]) -> bool {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let run = re(&RUN, r"[A-Z]{2}[0-9]{2}(?:[ +-]?[A-Z0-9]{1,4}){3,9}");
    run.find_iter(text).any(|m| {
        let start = m.start();
        if start > 0 && is_word(text[start - 1]) {
            return false;
        }
        // The longest run of groups that is valid and ends at a word's end.
        let s = m.as_bytes();
        (4..=s.len()).rev().any(|end| {
            let ends_word = end == s.len() && no_word(text.get(m.end()))
                || end < s.len() && !s[end].is_ascii_alphanumeric();
            if !ends_word || !s[end - 1].is_ascii_alphanumeric() {
                return false;
            }
            let chars: Vec<u8> = s[..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_alphanumeric)
                .collect();
            (15..=34).contains(&chars.len()) && mod97(&chars)
        })
    })
}

pub fn mod97(iban: &[u8]) -> bool {
    let mut rem = 0u32;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// `8-4-4-4-12` hex, but not in an AWS resource name (`arn:aws:acm:…:certificate/<uuid>`,
/// the certificate an ALB chose): it names the operator's resource, not a visitor.
pub fn uuid(text: &[u8]) -> bool {
    static RUN: OnceLock<Regex> = OnceLock::new();
    static ARN: OnceLock<Regex> = OnceLock::new();
    let run = re(
        &RUN,
        r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
    );
    // The ARN's word runs from a boundary up to the match without a space or quote.
    let arn = re(&ARN, r#"(?:^|[\s"',=])arn:aws[a-z-]*:[^\s"',=]*$"#);
    run.find_iter(text)
        .any(|m| alone(text, m.start(), m.end()) && !arn.is_match(&text[..m.start()]))
}

/// Whether `value` holds a number with three or more decimals (a coordinate not coarsened).
pub fn precise_number(value: &[u8]) -> bool {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let run = re(&RUN, r"[0-9]+\.([0-9]{3,})");
    run.find_iter(value).any(|m| {
        m.start() == 0 || !(value[m.start() - 1].is_ascii_digit() || value[m.start() - 1] == b'.')
    })
}

/// A `lat,lng` pair with three or more decimals each (`48.137154,11.576124`,
/// `45.464203;9.189982`, `48.856613|2.352222`).
pub fn coordinate_pair(text: &[u8]) -> bool {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let run = re(
        &RUN,
        r"(-?[0-9]{1,3})\.[0-9]{3,}[ +]*[,;|][ +]*(-?[0-9]{1,3})\.[0-9]{3,}",
    );
    run.captures_iter(text).any(|c| {
        let m = c.get(0).expect("match");
        let lat: i32 = std::str::from_utf8(&c[1])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(999);
        let lng: i32 = std::str::from_utf8(&c[2])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(999);
        let left = m.start() == 0 || !(is_word(text[m.start() - 1]) || text[m.start() - 1] == b'.');
        left && lat.abs() <= 90 && lng.abs() <= 180
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for p in [
            "+44 7700 900123",
            "+1-202-555-0187",
            "(202) 555-0143",
            "(555) 010-0222",
            "202.555.0143",
            "07700900456",
            "0171-2345678",
            "030/1234567",
            "(030) 12345678",
            "0049 171 1234567",
            "+33 1 99 00 12 34",
            "+81-3-1234-5678",
            "+4930123456",
        ] {
            assert!(phone(p.as_bytes()), "{p}");
        }
        for p in [
            "1716000000123",
            "4006381333931",
            "0/0/1/16/18",
            "2024-05-01",
            "0.004 0.003",
            "1234-5678",
            "bytes=0-1048575",
            "987654321",
            "0.00044 0.001702 0.00084",
            "200 4758732800",
            "101,102,103,104",
            "/dp/0306406152",
            "/img/0123456789.jpg",
            "/invoice/0000123456",
        ] {
            assert!(!phone(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn cards() {
        for c in [
            "4111111111111111",
            "4111-1111-1111-1111",
            "4242+4242+4242+4242",
            "371449635398431",
            "2223003122003222",
        ] {
            assert!(card(c.as_bytes()), "{c}");
        }
        for c in [
            "4242424242424241",
            "5901234123457",
            "1716000000123",
            "4111+1111+1111+1112",
        ] {
            assert!(!card(c.as_bytes()), "{c}");
        }
    }

    #[test]
    fn ibans() {
        for i in [
            "DE89370400440532013000",
            "GB82 WEST 1234 5698 7654 32",
            "NO9386011117947",
            "DE44-5001-0517-5407-3249-31",
        ] {
            assert!(iban(i.as_bytes()), "{i}");
        }
        for i in ["DE89370400440532013001", "DE2024SUMMER", "ES2023"] {
            assert!(!iban(i.as_bytes()), "{i}");
        }
    }

    #[test]
    fn coordinates() {
        assert!(coordinate_pair(b"@48.137154,11.576124,15z"));
        assert!(coordinate_pair(b"48.856613|2.352222"));
        assert!(!coordinate_pair(b"@48.13,11.57,12z"));
        assert!(!coordinate_pair(b"bbox=11.5,48.1,11.6,48.2"));
        assert!(precise_number(b"48.137154"));
        assert!(!precise_number(b"48.13"));
    }

    #[test]
    fn uuids() {
        assert!(uuid(b"/x/3f2b8c1e-9d4a-4e7b-b6a1-2c5d8e9f0a1b/"));
        assert!(!uuid(b"1a2b3c4d-5e6f"));
        let arn = b"x arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 y";
        assert!(!uuid(arn));
        assert!(uuid(b"x/warn:x/12345678-1234-1234-1234-123456789012"));
    }
}
