//! Common and Combined Log Format (Apache `common`/`combined`, nginx `combined`).
//!
//! `%h %l %u %t "%r" %>s %b` and optionally ` "%{Referer}i" "%{User-Agent}i"`. Anything after
//! the last recognised field (nginx's `"$http_x_forwarded_for"`, response times) is `rest`.
//!
//! Quoted fields end at the first `"` not escaped by a backslash: Apache writes `\"` and `\\`,
//! nginx writes `\x22`, so backslash-aware scanning is right for both.

use std::ops::Range;

use memchr::{memchr, memchr2};

use super::{time, Field, Format, Role};
use crate::vocab::Date;

/// Byte ranges of the fields of one line. Quoted fields exclude their quotes.
///
/// Invariant: the ranges are in line order and do not overlap, so a writer can copy the gaps
/// between them verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClfLine {
    /// `%h`: client address or host name.
    pub host: Range<usize>,
    /// `%l`: identd user, almost always `-`.
    pub ident: Range<usize>,
    /// `%u`: authenticated user.
    pub user: Range<usize>,
    /// `%t`, inside the brackets; made like a timestamp ([`time::is_plain_timestamp`]).
    pub time: Range<usize>,
    /// `%r`: the request line, inside the quotes.
    pub request: Range<usize>,
    /// `%{Referer}i`, inside the quotes (combined only).
    pub referrer: Option<Range<usize>>,
    /// `%{User-Agent}i`, inside the quotes (combined only).
    pub agent: Option<Range<usize>>,
    /// Whatever follows the last field, including its leading space; may be empty.
    pub rest: Range<usize>,
}

impl ClfLine {
    /// Appends the fields, their ranges shifted by `offset` (where the line starts in a longer
    /// one), in the order they stand in the line. An ident or user that is `-` and an empty
    /// rest are left out: every role writes them as they are, and the bytes between fields are
    /// copied, so a writer need not visit them (most lines have all three).
    #[inline]
    pub fn push_fields(&self, offset: usize, line: &[u8], fields: &mut Vec<Field>) {
        let at = |range: &Range<usize>| range.start + offset..range.end + offset;
        let absent = |range: &Range<usize>| matches!(&line[range.clone()], b"-" | b"");
        fields.push(Field::new(at(&self.host), Role::Client));
        if !absent(&self.ident) {
            // `%l` is almost always `-`, and anything else is unknown.
            fields.push(Field::new(at(&self.ident), Role::Unknown));
        }
        if !absent(&self.user) {
            fields.push(Field::new(at(&self.user), Role::User));
        }
        fields.push(Field::new(at(&self.time), Role::Time));
        fields.push(Field::new(at(&self.request), Role::Request));
        if let (Some(referrer), Some(agent)) = (&self.referrer, &self.agent) {
            fields.push(Field::new(at(referrer), Role::Referrer));
            fields.push(Field::new(at(agent), Role::Agent));
        }
        if !self.rest.is_empty() {
            // Trailing columns (X-Forwarded-For, timings) are unknown.
            fields.push(Field::new(at(&self.rest), Role::Unknown));
        }
    }
}

/// Parses `line` (without its terminator) as `format`. `Auto` takes combined where the line has
/// the two quoted fields and common otherwise.
pub fn parse(line: &[u8], format: Format) -> Option<ClfLine> {
    let mut host_end = memchr(b' ', line)?;
    if host_end == 0 {
        return None;
    }
    // nginx behind proxies may log a list (`10.0.0.2, 10.0.0.1, 127.0.0.1`) as the client.
    while line[host_end - 1] == b',' {
        host_end += 1 + memchr(b' ', &line[host_end + 1..])?;
    }
    // Nearly every line has `- ` for the ident and `- [` for the user: checked before
    // searching.
    let ident_start = host_end + 1;
    let ident_end = if line[ident_start..].starts_with(b"- ") {
        ident_start + 1
    } else {
        ident_start + memchr(b' ', &line[ident_start..])?
    };
    if ident_end == ident_start {
        return None;
    }
    // The user may contain spaces in odd setups; the timestamp's " [" ends it.
    let user_start = ident_end + 1;
    let user_end = if line[user_start..].starts_with(b"- [") {
        user_start + 1
    } else {
        user_start + space_bracket(&line[user_start..])?
    };
    if user_end == user_start {
        return None;
    }
    let time_start = user_end + 1;
    // `[10/Oct/2000:13:55:36 -0700]`, as nearly every line has it, has its `]` at a known
    // place, and its shape holds no `]` before that one: no search needed.
    let time_end = match line.get(time_start + 1..time_start + 28) {
        Some(stamp) if stamp[26] == b']' && time::is_clf_shape(&stamp[..26]) => time_start + 27,
        _ => {
            let end = time_start + memchr(b']', &line[time_start..])?;
            // What is not made like a timestamp makes the line something else: the timestamp
            // is copied unscanned, so it must not be able to hold personal data.
            if !time::is_plain_timestamp(&line[time_start + 1..end]) {
                return None;
            }
            end
        }
    };
    let request_start = expect(line, time_end + 1, b" \"")?;
    let request_end = closing_quote(line, request_start)?;
    // A status of one to three digits and a byte count, each a number or `-`, each ending at
    // a space (the count also at the end of the line).
    let status_start = expect(line, request_end + 1, b" ")?;
    let status_end = number_end(line, status_start);
    if !(status_start < status_end && status_end - status_start <= 3) {
        return None;
    }
    let bytes_start = expect(line, status_end, b" ")?;
    let bytes_end = number_end(line, bytes_start);
    if bytes_start == bytes_end || line.get(bytes_end).is_some_and(|&b| b != b' ') {
        return None;
    }
    let mut parsed = ClfLine {
        host: 0..host_end,
        ident: ident_start..ident_end,
        user: user_start..user_end,
        time: time_start + 1..time_end,
        request: request_start..request_end,
        referrer: None,
        agent: None,
        rest: bytes_end..line.len(),
    };
    if format == Format::Common {
        return Some(parsed);
    }
    let quoted_pair = expect(line, bytes_end, b" \"").and_then(|referrer_start| {
        let referrer_end = closing_quote(line, referrer_start)?;
        let agent_start = expect(line, referrer_end + 1, b" \"")?;
        let agent_end = closing_quote(line, agent_start)?;
        Some((referrer_start..referrer_end, agent_start..agent_end))
    });
    match quoted_pair {
        Some((referrer, agent)) => {
            parsed.rest = agent.end + 1..line.len();
            parsed.referrer = Some(referrer);
            parsed.agent = Some(agent);
            Some(parsed)
        }
        None if format == Format::Auto => Some(parsed),
        None => None,
    }
}

/// The UTC date of a `%t` timestamp (`10/Oct/2000:13:55:36 -0700`, without brackets): the
/// offset is applied, so one instant has one date in every time zone.
pub fn date(time: &[u8]) -> Option<Date> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let (day, rest) = number(time)?;
    let rest = rest.strip_prefix(b"/")?;
    let month = MONTHS.iter().position(|m| rest.starts_with(*m))? as u32 + 1;
    let (year, rest) = number(rest[3..].strip_prefix(b"/")?)?;
    if !rest.starts_with(b":") {
        return None;
    }
    let date = Date {
        year: i32::try_from(year).ok()?,
        month,
        day: u32::try_from(day).ok()?,
    };
    Some(date.utc_at(rest))
}

/// Leading decimal digits (at most 9) and what follows them.
fn number(s: &[u8]) -> Option<(u64, &[u8])> {
    let len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 9 {
        return None;
    }
    let value = s[..len]
        .iter()
        .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    Some((value, &s[len..]))
}

/// The position of the first ` [` in `s`.
fn space_bracket(s: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'[', s)
        .find(|&i| i > 0 && s[i - 1] == b' ')
        .map(|i| i - 1)
}

/// If `line[at..]` starts with `lit`, the position after it.
#[inline]
fn expect(line: &[u8], at: usize, lit: &[u8]) -> Option<usize> {
    line.get(at..)?.starts_with(lit).then_some(at + lit.len())
}

/// The position of the `"` that closes a field starting at `start`, skipping `\"` escapes.
fn closing_quote(line: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let found = i + memchr2(b'"', b'\\', line.get(i..)?)?;
        if line[found] == b'"' {
            return Some(found);
        }
        i = found + 2;
    }
}

/// The end of the number starting at `start`: a run of digits, or a lone `-` (none). Status
/// codes and byte counts are short, so a plain loop costs less than setting up a `memchr`.
#[inline]
fn number_end(line: &[u8], start: usize) -> usize {
    if line.get(start) == Some(&b'-') {
        return start + 1;
    }
    start
        + line[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMBINED: &str = r#"1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x.example/s?q=1" "Mozilla/4.08""#;

    fn field(line: &str, r: &Range<usize>) -> String {
        line[r.clone()].to_string()
    }

    #[test]
    fn parses_combined() {
        let p = parse(COMBINED.as_bytes(), Format::Auto).unwrap();
        assert_eq!(field(COMBINED, &p.host), "1.2.3.4");
        assert_eq!(field(COMBINED, &p.user), "frank");
        assert_eq!(field(COMBINED, &p.request), "GET /a.gif HTTP/1.0");
        assert_eq!(
            field(COMBINED, p.referrer.as_ref().unwrap()),
            "http://x.example/s?q=1"
        );
        assert_eq!(field(COMBINED, p.agent.as_ref().unwrap()), "Mozilla/4.08");
        assert!(p.rest.is_empty());
    }

    #[test]
    fn format_choice() {
        let common = r#"h - - [t] "GET / HTTP/1.1" 200 -"#;
        let nginx_xff = r#"h - - [t] "GET / HTTP/1.1" 200 5 "-" "ua" "1.2.3.4, 5.6.7.8""#;
        // (line, format, expected (is combined, rest)).
        type Case<'a> = (&'a str, Format, Option<(bool, &'a str)>);
        let cases: &[Case] = &[
            (common, Format::Auto, Some((false, ""))),
            (r#"h - - [t] "-" - -"#, Format::Auto, Some((false, ""))),
            (
                r#"h - - [t] "-" 404 0 x"#,
                Format::Auto,
                Some((false, " x")),
            ),
            (common, Format::Common, Some((false, ""))),
            (common, Format::Combined, None),
            (
                COMBINED,
                Format::Common,
                Some((false, r#" "http://x.example/s?q=1" "Mozilla/4.08""#)),
            ),
            (
                nginx_xff,
                Format::Auto,
                Some((true, r#" "1.2.3.4, 5.6.7.8""#)),
            ),
            (
                nginx_xff,
                Format::Combined,
                Some((true, r#" "1.2.3.4, 5.6.7.8""#)),
            ),
        ];
        for &(line, format, want) in cases {
            let got = parse(line.as_bytes(), format)
                .map(|p| (p.referrer.is_some(), field(line, &p.rest)));
            let want = want.map(|(c, r)| (c, r.to_string()));
            assert_eq!(got, want, "{line} as {format:?}");
        }
    }

    #[test]
    fn escaped_quotes_stay_inside_fields() {
        let line = r#"h - - [t] "GET /a\"b HTTP/1.1" 200 1 "-" "x \"y\" \\""#;
        let p = parse(line.as_bytes(), Format::Combined).unwrap();
        assert_eq!(field(line, &p.request), r#"GET /a\"b HTTP/1.1"#);
        assert_eq!(field(line, p.agent.as_ref().unwrap()), r#"x \"y\" \\"#);
    }

    #[test]
    fn dates() {
        let d = |year, month, day| Some(Date { year, month, day });
        let cases: &[(&str, Option<Date>)] = &[
            ("10/Oct/2000:13:55:36 -0700", d(2000, 10, 10)),
            ("01/Jan/2024:00:00:00 +1400", d(2023, 12, 31)),
            ("31/Dec/2023:23:59:59 -1200", d(2024, 1, 1)),
            ("31/Dec/2023:23:59:59 +0000", d(2023, 12, 31)),
            ("t", None),
            ("10/Foo/2000:13:55:36 -0700", None),
            ("10/Oct/2000 13:55:36", None),
        ];
        for &(time, want) in cases {
            assert_eq!(date(time.as_bytes()), want, "{time}");
        }
    }

    #[test]
    fn rejects_other_lines() {
        for line in [
            "",
            "garbage",
            r#" - - [t] "GET / HTTP/1.1" 200 1"#,
            r#"h [t] "GET / HTTP/1.1" 200 1"#,
            r#"h - - [t] "GET / HTTP/1.1 200 1"#,
            r#"h - - [t] "GET / HTTP/1.1" 2000 1"#,
            r#"h - - [t] "GET / HTTP/1.1" 200 x"#,
            r#"h - - [t] "GET / HTTP/1.1" 200 12x"#,
            r#"h - - [t] "GET / HTTP/1.1" 200 -1"#,
            r#"h - - [t] "GET / HTTP/1.1" 200  1"#,
            r#"h - - [t] "GET / HTTP/1.1" -5 1"#,
            r#"h - - [t] "GET / HTTP/1.1" 2a0 1"#,
            r#"h - - [t] "GET / HTTP/1.1"  1"#,
            r#"h - - [t "GET / HTTP/1.1" 200 1"#,
            "#Fields: date time c-ip",
        ] {
            assert_eq!(parse(line.as_bytes(), Format::Auto), None, "{line:?}");
        }
    }
}
