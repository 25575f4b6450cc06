//! W3C extended log format (IIS, CloudFront, Incapsula, NetScaler, SHOUTcast).
//!
//! The columns are named by a `#Fields:` directive, and a file may change them with a new one at
//! any line. Values are either free of blanks (IIS writes `+`, CloudFront `%20`) or quoted
//! (Incapsula, IIS Advanced Logging; `""` is a quote inside), so a line splits at runs of
//! spaces or tabs outside quotes. A line with another number of values than the header names
//! is not taken as data.

use super::{apache, time, Field, Role};

/// The roles of the columns named by one `#Fields:` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    roles: Vec<Role>,
}

/// The directive that names the columns.
pub const FIELDS: &[u8] = b"#Fields:";

impl Columns {
    /// Reads a `#Fields:` line; `None` for any other line or a header without names.
    pub fn from_header(line: &[u8]) -> Option<Columns> {
        let names = line.strip_prefix(FIELDS)?;
        let roles: Vec<Role> = names
            .split(|&b| b == b' ' || b == b'\t')
            .filter(|name| !name.is_empty())
            .map(role)
            .collect();
        (!roles.is_empty()).then_some(Columns { roles })
    }

    /// Splits a data line into its columns. False if the count differs from the header's.
    pub fn parse(&self, line: &[u8], fields: &mut Vec<Field>) -> bool {
        fields.clear();
        let mut pos = 0;
        for &role in &self.roles {
            while pos < line.len() && is_blank(line[pos]) {
                pos += 1;
            }
            if pos == line.len() {
                return false;
            }
            if line[pos] == b'"' {
                let Some(close) = closing_quote(line, pos + 1) else {
                    return false;
                };
                if close + 1 < line.len() && !is_blank(line[close + 1]) {
                    return false;
                }
                fields.push(Field::new(
                    pos + 1..close,
                    time::checked(role, &line[pos + 1..close]),
                ));
                pos = close + 1;
                continue;
            }
            let end = memchr::memchr2(b' ', b'\t', &line[pos..]).map_or(line.len(), |n| pos + n);
            fields.push(Field::new(pos..end, time::checked(role, &line[pos..end])));
            pos = end;
        }
        line[pos..].iter().all(|&b| is_blank(b))
    }
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

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A column's role by its W3C name (`c-ip`, `cs(Referer)`, `cs-uri-query`, …).
fn role(name: &[u8]) -> Role {
    let lower = name.to_ascii_lowercase();
    if let Some(header) = lower
        .strip_prefix(b"cs(")
        .and_then(|h| h.strip_suffix(b")"))
    {
        return match header {
            b"user-agent" => Role::Text,
            _ => apache::header(header).role,
        };
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
                Some(vec![Time, Time, Addrs, Plain, Url, Query, Plain, User, Client, Text, Referrer, Plain]),
            ),
            (
                "#Fields: c-ip\tcs(Cookie)\tcs(X-Forwarded-For)\tx-unknown",
                Some(vec![Client, Secret, Addrs, Text]),
            ),
            ("#Fields:", None),
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
}
