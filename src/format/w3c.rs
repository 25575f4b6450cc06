//! W3C extended log format (IIS, CloudFront, Incapsula, NetScaler, SHOUTcast).
//!
//! The columns are named by a `#Fields:` directive, and a file may change them with a new one at
//! any line. Values are either free of blanks (IIS writes `+`, CloudFront `%20`) or quoted
//! (Incapsula, IIS Advanced Logging; `""` is a quote inside), so a line splits at runs of
//! spaces or tabs outside quotes. A line with another number of values than the header names
//! is not taken as data.
//!
//! Before any `#Fields:` line (a chunk of a log cut by `tail`, a Kafka partition, a Spark
//! split), the columns are those given with `--w3c-fields`, or else IIS's default field sets
//! ([`parse_default`]) for lines that have their shape, or else what the order IIS writes its
//! columns in tells ([`parse_positional`]).

use std::net::IpAddr;
use std::sync::OnceLock;

use nom::bytes::complete::{tag, take_while, take_while1};
use nom::combinator::opt;
use nom::multi::fold_many0;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::{header, time, Field, Role};

/// The roles of the columns named by one `#Fields:` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    roles: Vec<Role>,
}

/// The directive that names the columns.
pub const FIELDS: &[u8] = b"#Fields:";

/// The directives of the W3C working draft (WD-logfile); a log in the format starts with them.
pub const DIRECTIVES: [&[u8]; 7] = [
    b"#Version:",
    FIELDS,
    b"#Software:",
    b"#Start-Date:",
    b"#End-Date:",
    b"#Date:",
    b"#Remark:",
];

impl Columns {
    /// Reads a `#Fields:` line; `None` for any other line or a header without names.
    pub fn from_header(line: &[u8]) -> Option<Columns> {
        let (_, roles) = preceded(tag(FIELDS), |s| roles(s, is_blank))
            .parse(line)
            .ok()?;
        Columns::from_roles(roles)
    }

    /// Reads the column names given on the command line (`--w3c-fields`): as in a `#Fields:`
    /// line (which may be pasted whole), also separated by commas. `None` if it names none.
    pub fn from_names(names: &str) -> Option<Columns> {
        let names = names.trim_start().as_bytes();
        let (_, roles) = preceded(opt(tag(FIELDS)), |s| roles(s, |b| is_blank(b) || b == b','))
            .parse(names)
            .ok()?;
        Columns::from_roles(roles)
    }

    fn from_roles(roles: Vec<Role>) -> Option<Columns> {
        (!roles.is_empty()).then_some(Columns { roles })
    }

    /// Splits a data line into its columns. False if the count differs from the header's.
    pub fn parse(&self, line: &[u8], fields: &mut Vec<Field>) -> bool {
        fields.clear();
        let mut pos = 0;
        for &role in &self.roles {
            pos = skip_blanks(line, pos);
            let Some((range, next)) = column_at(line, pos) else {
                return false;
            };
            fields.push(Field::new(range.clone(), time::checked(role, &line[range])));
            pos = next;
        }
        line[pos..].iter().all(|&b| is_blank(b))
    }
}

/// `pos` moved past the blanks there.
fn skip_blanks(line: &[u8], mut pos: usize) -> usize {
    while pos < line.len() && is_blank(line[pos]) {
        pos += 1;
    }
    pos
}

/// The value that starts at `line[pos]` (a run of non-blanks, or `"…"` without its quotes) and
/// where it ends; `None` at the end of the line or for a quoted value that does not close
/// before a blank or the end.
fn column_at(line: &[u8], pos: usize) -> Option<(std::ops::Range<usize>, usize)> {
    if pos == line.len() {
        return None;
    }
    if line[pos] == b'"' {
        let close = closing_quote(line, pos + 1)?;
        return (close + 1 == line.len() || is_blank(line[close + 1]))
            .then_some((pos + 1..close, close + 1));
    }
    let end = memchr::memchr2(b' ', b'\t', &line[pos..]).map_or(line.len(), |n| pos + n);
    Some((pos..end, end))
}

/// The quote that closes a quoted value starting at `from`; `""` inside is an escaped quote.
fn closing_quote(line: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let q = from + memchr::memchr(b'"', &line[from..])?;
        if line.get(q + 1) == Some(&b'"') {
            from = q + 2;
        } else {
            return Some(q);
        }
    }
}

/// The roles of the column names in `s`, names being runs of bytes that are not separators
/// (`is_sep`), with any number of separators around them. Takes all of `s`.
fn roles(s: &[u8], is_sep: fn(u8) -> bool) -> IResult<&[u8], Vec<Role>> {
    fold_many0(
        delimited(
            take_while(is_sep),
            take_while1(|b| !is_sep(b)),
            take_while(is_sep),
        ),
        Vec::new,
        |mut roles, name| {
            roles.push(role(name));
            roles
        },
    )
    .parse(s)
}

/// A byte that separates W3C values and `#Fields:` names.
pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// IIS 8.5 and later: the default field set, written without a `#Fields:` line when a log is
/// cut into pieces.
const IIS_DEFAULT: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username \
                           c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status \
                           time-taken";
/// IIS 7: the same without `cs(Referer)`.
const IIS7_DEFAULT: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username \
                            c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken";

/// The IIS default columns, 15 and 14 of them.
fn iis_defaults() -> &'static [Columns; 2] {
    static DEFAULTS: OnceLock<[Columns; 2]> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        [IIS_DEFAULT, IIS7_DEFAULT].map(|names| {
            Columns::from_names(names).expect("the IIS default field sets name columns")
        })
    })
}

/// Parses a line read before any `#Fields:` line by IIS's default columns (8.5+, else 7), if it
/// has their shape: `YYYY-MM-DD HH:MM:SS` at its start, the server's and the client's address,
/// digits for the port, the three status codes and the time taken. A line of another shape is
/// not taken as data (it gets the fail-safe scrub).
pub fn parse_default(line: &[u8], fields: &mut Vec<Field>) -> bool {
    if !starts_with_timestamp(line) {
        return false;
    }
    iis_defaults().iter().any(|columns| {
        columns.parse(line, fields) && {
            let value = |i: usize| &line[fields[i].range.clone()];
            let n = fields.len();
            is_addr(value(2))
                && is_addr(value(8))
                && [6, n - 4, n - 3, n - 2, n - 1]
                    .iter()
                    .all(|&i| is_digits(value(i)))
        }
    })
}

/// Parses a line read before any `#Fields:` line: by IIS's default columns
/// ([`parse_default`]) or else by the order of IIS's columns ([`parse_positional`]).
pub fn parse_headerless(line: &[u8], fields: &mut Vec<Field>) -> bool {
    parse_default(line, fields) || parse_positional(line, fields)
}

/// Parses a line read before any `#Fields:` line whose columns are not IIS's defaults, by the
/// order IIS writes the columns it logs in, whichever are chosen (`date time s-sitename
/// s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version
/// cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status …`): where a port, one column and
/// an address follow one another, they are `s-port cs-username c-ip`; after a method come
/// the stem and, unless the port follows at once, the query; after the client, a URL is the
/// referrer. Every other column is free text (scrubbed fail-safe), the first two are the date
/// and time. False for a line without a date, a time and that run.
pub fn parse_positional(line: &[u8], fields: &mut Vec<Field>) -> bool {
    if !starts_with_timestamp(line) || !split_columns(line, fields) {
        return false;
    }
    let value = |fields: &[Field], i: usize| &line[fields[i].range.clone()];
    let Some(client) =
        (2..fields.len()).find(|&i| is_addr(value(fields, i)) && is_port(value(fields, i - 2)))
    else {
        return false;
    };
    fields[0].role = Role::Time;
    fields[1].role = Role::Time;
    fields[client].role = Role::Client;
    fields[client - 1].role = Role::User;
    fields[client - 2].role = Role::Plain;
    if let Some(method) = (2..client - 2).find(|&i| is_method(value(fields, i))) {
        fields[method].role = Role::Plain;
        if method + 1 < client - 2 {
            fields[method + 1].role = Role::Url;
        }
        if method + 2 < client - 2 {
            fields[method + 2].role = Role::Query;
        }
    }
    for field in &mut fields[client + 1..] {
        let v = &line[field.range.clone()];
        if v.starts_with(b"http://") || v.starts_with(b"https://") {
            field.role = Role::Referrer;
        }
    }
    true
}

/// Splits a data line into blank-separated (or quoted) columns, each free text.
fn split_columns(line: &[u8], fields: &mut Vec<Field>) -> bool {
    fields.clear();
    let mut pos = skip_blanks(line, 0);
    while pos < line.len() {
        let Some((range, next)) = column_at(line, pos) else {
            return false;
        };
        fields.push(Field::new(range, Role::Text));
        pos = skip_blanks(line, next);
    }
    true
}

/// A TCP port: 1 to 65535, digits only.
fn is_port(value: &[u8]) -> bool {
    (1..=5).contains(&value.len())
        && is_digits(value)
        && std::str::from_utf8(value).is_ok_and(|v| v.parse::<u16>().is_ok_and(|p| p > 0))
}

/// An HTTP method as IIS writes it: upper-case letters (`GET`, `PROPFIND`, `RPC_IN_DATA`).
fn is_method(value: &[u8]) -> bool {
    (3..=16).contains(&value.len()) && value.iter().all(|&b| b.is_ascii_uppercase() || b == b'_')
}

/// `YYYY-MM-DD HH:MM:SS` and a blank.
fn starts_with_timestamp(line: &[u8]) -> bool {
    const SHAPE: &[u8; 20] = b"0000-00-00 00:00:00 ";
    line.len() > SHAPE.len()
        && line.iter().zip(SHAPE).all(|(&b, &s)| match s {
            b'0' => b.is_ascii_digit(),
            b' ' => is_blank(b),
            _ => b == s,
        })
}

fn is_digits(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(u8::is_ascii_digit)
}

/// An IPv4 or IPv6 address, the latter perhaps with a zone (`fe80::1%4`).
fn is_addr(value: &[u8]) -> bool {
    let addr = value.split(|&b| b == b'%').next().unwrap_or(value);
    std::str::from_utf8(addr).is_ok_and(|a| a.parse::<IpAddr>().is_ok())
}

/// A column's role by its W3C name (`c-ip`, `cs(Referer)`, `cs-uri-query`, …). A header
/// column (`cs(…)`, `sc(…)`, and between proxy and server `sr(…)`, `rs(…)`) by the header's
/// name ([`header::role`]), as in every format.
fn role(name: &[u8]) -> Role {
    let lower = name.to_ascii_lowercase();
    if let Some(header) = [&b"cs("[..], b"sc(", b"sr(", b"rs("]
        .iter()
        .find_map(|prefix| lower.strip_prefix(*prefix))
        .and_then(|h| h.strip_suffix(b")"))
    {
        return header::role(header);
    }
    match &lower[..] {
        b"date" | b"time" | b"datetime" | b"date-local" | b"time-local" | b"date-utc"
        | b"time-utc" => Role::Time,
        b"c-ip" | b"c-dns" | b"clientip" => Role::Client,
        b"cs-username" => Role::User,
        b"cs-uri-stem" | b"cs-uri" | b"x-page-url" => Role::Url,
        b"cs-uri-query" | b"x-sname-query" => Role::Query,
        b"c-referrer" | b"cs-referrer" | b"cs-referer" => Role::Referrer,
        b"s-ip" | b"s-caip" | b"x-forwarded-for" | b"s-xff" | b"cs-xff" => Role::Addrs,
        b"cs-postbody" | b"cs-sessionid" | b"cs-lat" | b"cs-long" | b"x-cf-client-id"
        | b"cs-cookie" => Role::Secret,
        b"cs-method"
        | b"cs-version"
        | b"cs-protocol"
        | b"cs-protocol-version"
        | b"sc-status"
        | b"sc-substatus"
        | b"sc-win32-status"
        | b"sc-bytes"
        | b"cs-bytes"
        | b"time-taken"
        | b"s-port"
        | b"s-sitename"
        | b"s-computername"
        | b"cs-host"
        | b"x-host-header"
        | b"x-edge-location"
        | b"x-edge-result-type"
        | b"x-edge-response-result-type"
        | b"x-edge-request-id"
        | b"ssl-protocol"
        | b"ssl-cipher" => Role::Plain,
        _ => Role::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_the_columns() {
        use Role::*;
        let cases: &[(&str, Option<Vec<Role>>)] = &[
            (
                "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status",
                Some(vec![Time, Time, Addrs, Plain, Url, Query, Plain, User, Client, Agent, Referrer, Plain]),
            ),
            (
                "#Fields: c-ip\tcs(Cookie)\tcs(X-Forwarded-For)\tx-unknown\tsc(Set-Cookie)\tcs(X-Access-Token)",
                Some(vec![Client, Secret, Addrs, Text, Secret, Secret]),
            ),
            ("#Fields:", None),
            ("#Fields: \t ", None),
            ("#Fields:c-ip", Some(vec![Client])),
            (" #Fields: c-ip", None),
            ("#fields: c-ip", None),
            ("#Software: Microsoft Internet Information Services 10.0", None),
        ];
        for (line, want) in cases {
            let got = Columns::from_header(line.as_bytes()).map(|c| c.roles);
            assert_eq!(got, *want, "{line}");
        }
    }

    #[test]
    fn data_lines_split_at_blanks() {
        let columns = Columns::from_header(b"#Fields: date time c-ip cs-uri-query").unwrap();
        let mut fields = Vec::new();
        let cases: &[(&str, Option<Vec<&str>>)] = &[
            (
                "2020-10-07 23:00:17 192.168.7.63 a=b",
                Some(vec!["2020-10-07", "23:00:17", "192.168.7.63", "a=b"]),
            ),
            (
                "2010-03-12   23:51:20\t 192.0.2.147\tq=1  ",
                Some(vec!["2010-03-12", "23:51:20", "192.0.2.147", "q=1"]),
            ),
            (
                r#""2017-06-28" "07:26:35" "1.2.3.4" "a ""b"" c""#,
                Some(vec!["2017-06-28", "07:26:35", "1.2.3.4", r#"a ""b"" c"#]),
            ),
            (r#""2017-06-28" "07:26:35" "1.2.3.4" "open"#, None),
            (r#""2017-06-28" "07:26:35" "1.2.3.4"x "y""#, None),
            ("2020-10-07 23:00:17 192.168.7.63", None),
            ("2020-10-07 23:00:17 192.168.7.63 a=b extra", None),
            ("", None),
        ];
        for (line, want) in cases {
            let ok = columns.parse(line.as_bytes(), &mut fields);
            let got = ok.then(|| {
                fields
                    .iter()
                    .map(|f| &line[f.range.clone()])
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, *want, "{line}");
        }
    }

    #[test]
    fn names_from_the_command_line() {
        use Role::*;
        let cases: &[(&str, Option<Vec<Role>>)] = &[
            ("date time c-ip", Some(vec![Time, Time, Client])),
            (
                "  date,time, c-ip\tcs(Cookie) ",
                Some(vec![Time, Time, Client, Secret]),
            ),
            ("#Fields: c-ip x-new", Some(vec![Client, Text])),
            ("", None),
            (" , ", None),
            ("#Fields:", None),
            ("\n #Fields:c-ip,,x-new,", Some(vec![Client, Text])),
            ("c-ip #Fields:", Some(vec![Client, Text])),
        ];
        for (names, want) in cases {
            let got = Columns::from_names(names).map(|c| c.roles);
            assert_eq!(got, *want, "{names:?}");
        }
    }

    #[test]
    fn iis_default_lines_without_a_header() {
        use Role::*;
        let iis10 = r"2024-03-05 10:00:01 10.0.0.5 GET /login.aspx user=jane&sid=42 443 CONTOSO\jane 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) https://intranet/ 200 0 0 31";
        let iis7 = r"2024-03-05 10:00:01 fe80::1%4 POST /a - 80 - 2001:db8::7 curl/8.0 401 2 5 0";
        let mut fields = Vec::new();
        assert!(parse_default(iis10.as_bytes(), &mut fields));
        let got: Vec<(&str, Role)> = fields
            .iter()
            .map(|f| (&iis10[f.range.clone()], f.role))
            .collect();
        assert_eq!(got[5], ("user=jane&sid=42", Query));
        assert_eq!(got[7], (r"CONTOSO\jane", User));
        assert_eq!(got[8], ("203.0.113.7", Client));
        assert_eq!(got[9].1, Agent);
        assert_eq!(got[10], ("https://intranet/", Referrer));
        assert_eq!(got.len(), 15);
        assert!(parse_default(iis7.as_bytes(), &mut fields));
        assert_eq!(fields.len(), 14);
        for other in [
            // A header, a timestamp elsewhere, no address, a word for a number, a field too many.
            "#Fields: date time",
            "x 2024-03-05 10:00:01 10.0.0.5 GET /a - 443 - 203.0.113.7 ua - 200 0 0 31",
            "2024-03-05 10:00:01 server GET /a - 443 - 203.0.113.7 ua - 200 0 0 31",
            "2024-03-05 10:00:01 10.0.0.5 GET /a - 443 - host.example ua - 200 0 0 31",
            "2024-03-05 10:00:01 10.0.0.5 GET /a - https - 203.0.113.7 ua - 200 0 0 31",
            "2024-03-05 10:00:01 10.0.0.5 GET /a - 443 - 203.0.113.7 ua - 200 0 0 -",
            "2024-03-05 10:00:01 10.0.0.5 GET /a - 443 - 203.0.113.7 ua - 200 0 0 31 7 8",
            "2024-03-05T10:00:01 10.0.0.5 GET /a - 443 - 203.0.113.7 ua - 200 0 0 31",
            "",
        ] {
            assert!(!parse_default(other.as_bytes(), &mut fields), "{other}");
        }
    }

    #[test]
    fn other_headerless_lines_by_the_order_of_iis_columns() {
        use Role::*;
        let roles = |line: &str| {
            let mut fields = Vec::new();
            parse_positional(line.as_bytes(), &mut fields).then(|| {
                fields
                    .iter()
                    .map(|f| (line[f.range.clone()].to_string(), f.role))
                    .collect::<Vec<_>>()
            })
        };
        // Every column IIS offers, in its order.
        let all = r"2023-10-10 00:01:01 W3SVC1 WEB01 10.0.0.5 GET /Account/Orders id=7 443 jdoe 84.17.45.203 HTTP/2 Mozilla/5.0+(Windows+NT+10.0) ASP.NET_SessionId=abc https://www.contoso.com/?q=x www.contoso.com 200 0 0 5512 1211 31";
        let got = roles(all).unwrap();
        assert_eq!(got.len(), 22);
        assert_eq!(got[0].1, Time);
        assert_eq!(got[5], ("GET".into(), Plain));
        assert_eq!(got[6], ("/Account/Orders".into(), Url));
        assert_eq!(got[7], ("id=7".into(), Query));
        assert_eq!(got[9], ("jdoe".into(), User));
        assert_eq!(got[10], ("84.17.45.203".into(), Client));
        assert_eq!(got[13].1, Text);
        assert_eq!(got[14], ("https://www.contoso.com/?q=x".into(), Referrer));
        // No query column: the port follows the stem.
        let got = roles(r"2023-10-10 00:01:01 GET /a 80 CONTOSO\jane 2001:db8::7 200").unwrap();
        assert_eq!(
            (got[3].1, got[4].1, got[5].1, got[6].1),
            (Url, Plain, User, Client)
        );
        for other in [
            // No port before the address, no date, a word for the port.
            "2023-10-10 00:01:01 84.17.45.203 jdoe GET /a 200",
            "00:01:01 GET /a 443 jdoe 84.17.45.203 200",
            "2023-10-10 00:01:01 GET /a https jdoe 84.17.45.203 200",
            "2023-10-10 00:01:01 GET /a 70000 jdoe 84.17.45.203 200",
        ] {
            assert_eq!(roles(other), None, "{other}");
        }
    }
}
