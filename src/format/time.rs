//! The date of a timestamp field, in whichever of the usual shapes a format writes it. Only key
//! rotation reads it; the field itself is always copied unchanged.

use super::{clf, Role};
use crate::vocab::Date;

/// The UTC date of `s` (its offset applied; none is UTC), for the shapes access logs use:
/// `10/Oct/2000:13:55:36 -0700` with or without brackets, ISO 8601 (`2000-10-10T13:55:36Z`,
/// `2000-10-10T13:55:36+02:00`, `2000-10-10`), and Unix time in seconds, milliseconds,
/// microseconds or nanoseconds with an optional fraction.
pub fn date(s: &[u8]) -> Option<Date> {
    let s = s.strip_prefix(b"[").unwrap_or(s);
    if s.get(2) == Some(&b'/') || s.get(1) == Some(&b'/') {
        return clf::date(s);
    }
    if s.get(4) == Some(&b'-') {
        return iso(s);
    }
    epoch(s)
}

/// Whether `s` is made like a timestamp and cannot hold an address or an e-mail address: only
/// digits, letters, `[]/-+:., TZ` and spaces, at most one `.` (an IPv4 address needs three),
/// at most three `:` and no `::` (an IPv6 address needs seven, or `::`), no `@`. Such a value
/// is copied without the free-text scan.
pub fn is_plain_timestamp(s: &[u8]) -> bool {
    if is_clf_shape(s) {
        return true;
    }
    // One table lookup per byte.
    const DOT: u8 = 1;
    const COLON: u8 = 2;
    const OTHER: u8 = 3;
    static CLASS: [u8; 256] = {
        let mut class = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            class[b] = match c {
                b'.' => DOT,
                b':' => COLON,
                b'0'..=b'9'
                | b'a'..=b'z'
                | b'A'..=b'Z'
                | b'['
                | b']'
                | b'/'
                | b'-'
                | b'+'
                | b','
                | b' ' => OTHER,
                _ => 0,
            };
            b += 1;
        }
        class
    };
    let (mut dots, mut colons, mut previous) = (0u32, 0u32, 0u8);
    for &b in s {
        let class = CLASS[usize::from(b)];
        if class == 0 || (class == COLON && previous == COLON) {
            return false;
        }
        dots += u32::from(class == DOT);
        colons += u32::from(class == COLON);
        previous = class;
    }
    dots <= 1 && colons <= 3
}

/// `role`, unless it is [`Role::Time`] for a value not made like a timestamp: that is free
/// text. So a time field always holds a plain timestamp and is copied unscanned.
#[inline]
pub fn checked(role: Role, value: &[u8]) -> Role {
    if role == Role::Time && !is_plain_timestamp(value) {
        Role::Text
    } else {
        role
    }
}

/// Exactly `dd/Mon/yyyy:hh:mm:ss +zzzz`, bracketed or not, as nearly every common and combined line has it:
/// checked position by position, which costs a fraction of the byte-by-byte classification.
#[inline]
pub(crate) fn is_clf_shape(s: &[u8]) -> bool {
    // Apache's `%t` brings its brackets.
    let s = match s {
        [b'[', inner @ .., b']'] => inner,
        _ => s,
    };
    let Ok(s) = <&[u8; 26]>::try_from(s) else {
        return false;
    };
    let digit = |i: usize| s[i].wrapping_sub(b'0') < 10;
    let letter = |i: usize| (s[i] | 0x20).wrapping_sub(b'a') < 26;
    // `&` rather than `&&`: no branch per position.
    digit(0)
        & digit(1)
        & (s[2] == b'/')
        & letter(3)
        & letter(4)
        & letter(5)
        & (s[6] == b'/')
        & digit(7)
        & digit(8)
        & digit(9)
        & digit(10)
        & (s[11] == b':')
        & digit(12)
        & digit(13)
        & (s[14] == b':')
        & digit(15)
        & digit(16)
        & (s[17] == b':')
        & digit(18)
        & digit(19)
        & (s[20] == b' ')
        & (s[21] == b'+' || s[21] == b'-')
        & digit(22)
        & digit(23)
        & digit(24)
        & digit(25)
}

fn iso(s: &[u8]) -> Option<Date> {
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0')))
    };
    if s.get(7) != Some(&b'-') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = Date {
        year: year as i32,
        month,
        day,
    };
    Some(date.utc_at(&s[10..]))
}

/// Unix time: the integer part's length tells the unit (10 digits seconds, 13 milliseconds,
/// 16 microseconds, 19 nanoseconds), which covers the years 2001 to 2286.
fn epoch(s: &[u8]) -> Option<Date> {
    let int_len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &s[int_len..];
    if !(rest.is_empty() || rest[0] == b'.') {
        return None;
    }
    let divisor: u64 = match int_len {
        10 => 1,
        13 => 1_000,
        16 => 1_000_000,
        19 => 1_000_000_000,
        _ => return None,
    };
    let value = s[..int_len]
        .iter()
        .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    Some(Date::from_days((value / divisor / 86_400) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_timestamps() {
        let cases: &[(&str, bool)] = &[
            ("[10/Oct/2000:13:55:36 -0700]", true),
            ("10/Oct/2000:13:55:36 -0700", true),
            ("10/Oct/2000:13:55:36 +0000", true),
            ("10/Oct/2000:1.:55:3. +0000", false),
            ("10/O@t/2000:13:55:36 +0000", false),
            ("2015-05-13T23:39:43.945958Z", true),
            ("2023-10-10T13:55:36+02:00", true),
            ("1703373474.8155608", true),
            ("10/Oct/2000:13:55:36 1.2.3.4", false),
            ("2000-10-10 ::1", false),
            ("1:2:3:4:5:6:7:8", false),
            ("10/Oct/2000 a@b", false),
            ("10/Oct/2000%40", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_plain_timestamp(input.as_bytes()), *want, "{input}");
        }
    }

    #[test]
    fn shapes() {
        let d = |year, month, day| Some(Date { year, month, day });
        let cases: &[(&str, Option<Date>)] = &[
            ("[10/Oct/2000:13:55:36 -0700]", d(2000, 10, 10)),
            ("10/Oct/2000:13:55:36 -0700", d(2000, 10, 10)),
            ("06/Feb/2009:12:14:14.655", d(2009, 2, 6)),
            ("2015-05-13T23:39:43.945958Z", d(2015, 5, 13)),
            ("2024-01-01T00:30:00+01:00", d(2023, 12, 31)),
            ("2023-12-31T23:30:00-01:00", d(2024, 1, 1)),
            ("2023-12-31 23:30:00", d(2023, 12, 31)),
            ("2014-05-23", d(2014, 5, 23)),
            ("2014-13-23", None),
            ("1703373474.8155608", d(2023, 12, 23)),
            ("1712790000123", d(2024, 4, 10)),
            ("1712790000123000000", d(2024, 4, 10)),
            ("0.001", None),
            ("", None),
            ("-", None),
            ("10:37:05", None),
        ];
        for (input, want) in cases {
            assert_eq!(date(input.as_bytes()), *want, "{input}");
        }
    }
}
