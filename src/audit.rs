//! `logscrub check`: finds personal data left in a log, by kind and line number, without ever
//! reporting the data itself.
//!
//! It uses the scrubber's own recognisers, so `logscrub FILE | logscrub check` is clean by
//! construction for the same options, and a log scrubbed elsewhere (or not at all) is judged by
//! the same rules.

use crate::config::{Config, IpPolicy};
use crate::format::layout::Layout;
use crate::format::{Field, Role};
use crate::redact::{email, ip, personal, text, url, PLACEHOLDER};

/// What `check` looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An IP address with host bits that the configured masks would zero.
    Address,
    /// An e-mail address, plain or percent-encoded.
    Email,
    /// A value of a sensitive query parameter (`password=…`, `sid=…`).
    SensitiveValue,
    /// A client host name with more than two labels.
    Hostname,
    /// Userinfo in a URL (`scheme://user:password@host`).
    Userinfo,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 5] = [
        Kind::Address,
        Kind::Email,
        Kind::SensitiveValue,
        Kind::Hostname,
        Kind::Userinfo,
    ];

    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Address => "IP addresses with host bits",
            Kind::Email => "e-mail addresses",
            Kind::SensitiveValue => "values of sensitive parameters",
            Kind::Hostname => "full client host names",
            Kind::Userinfo => "userinfo in URLs",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How many line numbers are kept per kind; the counts go on.
pub const LINES_KEPT: usize = 20;

/// Findings so far: per kind, the number of lines and the first line numbers.
#[derive(Clone, Debug, Default)]
pub struct Audit {
    /// Lines read.
    pub lines: u64,
    counts: [u64; 5],
    first_lines: [Vec<u64>; 5],
    last_line: [u64; 5],
}

impl Audit {
    /// Lines with a finding of `kind`.
    pub fn count(&self, kind: Kind) -> u64 {
        self.counts[kind.index()]
    }

    /// The first (at most [`LINES_KEPT`]) line numbers with a finding of `kind`.
    pub fn first_lines(&self, kind: Kind) -> &[u64] {
        &self.first_lines[kind.index()]
    }

    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    fn record(&mut self, kind: Kind, line: u64) {
        let i = kind.index();
        if self.last_line[i] == line {
            return;
        }
        self.last_line[i] = line;
        self.counts[i] += 1;
        if self.first_lines[i].len() < LINES_KEPT {
            self.first_lines[i].push(line);
        }
    }
}

/// Audits lines under the masks and IP policy of a [`Config`].
///
/// Use one per input: the input's format is recognised from the first lines it is given, as
/// the scrubber does, to know which field holds the client.
pub struct Auditor<'c> {
    cfg: &'c Config,
    audit: Audit,
    decoded: Vec<u8>,
    layout: Option<Layout>,
    fields: Vec<Field>,
}

impl<'c> Auditor<'c> {
    /// An auditor for the options in `cfg`.
    pub fn new(cfg: &'c Config) -> Self {
        Auditor {
            cfg,
            audit: Audit::default(),
            decoded: Vec::new(),
            layout: None,
            fields: Vec::new(),
        }
    }

    /// Reads lines in `layout` instead of recognising the format from the first lines: a
    /// caller that scrubbed the input knows its format, which the scrubbed text alone may not
    /// show (garbled lines can look like another format once redacted).
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = Some(layout);
    }

    /// Audits `input`, any number of lines; lines are numbered from 1 across calls.
    pub fn check(&mut self, input: &[u8]) {
        if self.layout.is_none() {
            self.layout = Some(self.cfg.layout_for(input));
        }
        for line in input.split_inclusive(|&b| b == b'\n') {
            self.audit.lines += 1;
            let n = self.audit.lines;
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            self.check_line(n, line);
        }
    }

    /// The findings so far.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The client field of `line`, if its format has one and the line parses. Leaves the
    /// fields of a line that parses in a template, JSON or W3C layout in `self.fields`, and
    /// none otherwise.
    fn client<'l>(&mut self, line: &'l [u8]) -> Option<&'l [u8]> {
        self.fields.clear();
        let layout = self.layout.as_mut()?;
        if !matches!(layout, Layout::Clf(_)) {
            if layout.directive(line) {
                return None;
            }
            if layout.parse(line, &mut self.fields) {
                let client = self
                    .fields
                    .iter()
                    .find(|f| matches!(f.role, Role::Client | Role::Endpoint))?;
                return Some(&line[client.range.clone()]);
            }
            self.fields.clear();
        }
        // As the scrubber reads a line that is not in its format.
        let (start, fields) = layout.read_as_common(line)?;
        Some(&line[start..][fields.host])
    }

    fn check_line(&mut self, n: u64, line: &[u8]) {
        if let Some(host) = self.client(line) {
            let labels = host.iter().filter(|&&b| b == b'.').count() + 1;
            if labels > 2
                && host.iter().any(u8::is_ascii_alphabetic)
                && ip::parse_host_addr(host).is_none()
                && host
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                self.audit.record(Kind::Hostname, n);
            }
        }
        self.check_addresses(n, line);
        let mut at = 0;
        while let Some(k) = memchr::memchr2(b'@', b'%', &line[at..]) {
            let p = at + k;
            let found = if line[p] == b'@' {
                if text::userinfo_before(line, p).is_some() {
                    self.audit.record(Kind::Userinfo, n);
                }
                email::email_around(line, p, 1, 0, false)
            } else if line[p + 1..].starts_with(b"40") {
                email::email_around(line, p, 3, 0, false)
            } else {
                None
            };
            if found.is_some() {
                self.audit.record(Kind::Email, n);
            }
            at = p + 1;
        }
        self.check_queries(n, line);
    }

    fn check_addresses(&mut self, n: u64, line: &[u8]) {
        let policy = self.cfg.ip();
        if matches!(policy, IpPolicy::Keep | IpPolicy::Prefix) {
            return;
        }
        let mut pos = 0;
        while let Some(k) = memchr::memchr2(b'.', b':', &line[pos..]) {
            let p = pos + k;
            if !ip::worth_a_look(line, p) {
                pos = p + 1;
                continue;
            }
            // `pos` as the floor: an address already judged is not found again.
            match ip::addr_near(line, p, pos) {
                Ok((start, len, addr)) => {
                    // The scrubber keeps product versions in user agents (`rv:1.9.0.19`).
                    let version =
                        matches!(addr, ip::Addr::V4(_)) && text::is_version(line, start, len);
                    if self.identifies(addr) && !version {
                        self.audit.record(Kind::Address, n);
                    }
                    pos = (start + len).max(p + 1);
                }
                Err(end) => pos = end.max(p + 1),
            }
        }
    }

    /// Whether an address keeps more than the policy allows. `a.0.0.0` is never a host (the
    /// scrubber leaves such version-like quads alone), and under `--ip hash` the pseudonym
    /// ranges 240.0.0.0/4 and fd00::/8 are expected.
    fn identifies(&self, addr: ip::Addr) -> bool {
        let v4 = match addr {
            ip::Addr::V4(v4) => Some(v4),
            ip::Addr::V6(v6) if v6 & ip::MAPPED_MASK == ip::MAPPED_PREFIX => Some(v6 as u32),
            ip::Addr::V6(_) => None,
        };
        if let Some(v4) = v4 {
            if v4 & 0x00ff_ffff == 0 {
                return false;
            }
            if self.cfg.ip() == IpPolicy::Hash && v4 >> 28 == 0xf {
                return false;
            }
        }
        if let ip::Addr::V6(v6) = addr {
            if self.cfg.ip() == IpPolicy::Hash && v6 >> 120 == 0xfd {
                return false;
            }
        }
        ip::mask(addr, self.cfg) != addr
    }

    /// Sensitive `name=value` pairs after a `?` or `#`, up to the next space or quote. (Not after
    /// `;`: that is how `Accept` headers write `q=0.9`.)
    fn check_queries(&mut self, n: u64, line: &[u8]) {
        let mut pos = 0;
        while let Some(k) = memchr::memchr2(b'?', b'#', &line[pos..]) {
            let start = pos + k + 1;
            let mut end = text::query_end(line, start, false);
            // A query in a field ends with the field: text the format writes after it (`%q}`)
            // is no part of its last value.
            if let Some(field) = self.fields.iter().find(|f| f.range.contains(&(start - 1))) {
                end = end.min(field.range.end);
            }
            for item in line[start..end].split(|&b| matches!(b, b'&' | b';' | b'#' | b'?')) {
                let Some(eq) = memchr::memchr(b'=', item) else {
                    continue;
                };
                let (name, value) = (&item[..eq], &item[eq + 1..]);
                if value.is_empty() || value == PLACEHOLDER {
                    continue;
                }
                if personal::is_sensitive_name(url::decode(name, true, &mut self.decoded)) {
                    self.audit.record(Kind::SensitiveValue, n);
                }
            }
            pos = end.max(start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CustomFormat;
    use crate::format::Format;

    fn findings(cfg: &Config, input: &str) -> Vec<(Kind, u64)> {
        let mut auditor = Auditor::new(cfg);
        auditor.check(input.as_bytes());
        let audit = auditor.audit();
        Kind::ALL
            .iter()
            .flat_map(|&k| audit.first_lines(k).iter().map(move |&n| (k, n)))
            .collect()
    }

    /// Found by fuzzing: a query field followed by literal text (`"%q}i"`) was read with that
    /// text as part of its last value, `email=REDACTED}i`. A query in a field ends with it.
    #[test]
    fn queries_in_fields_end_with_the_field() {
        let cfg = Config::builder()
            .custom_format(CustomFormat::Apache(r#"%h "%q}i""#.into()))
            .build()
            .unwrap();
        let clean = "203.0.113.0 \"?file=a.pdf&email=REDACTED}i\"\n";
        assert_eq!(findings(&cfg, clean), vec![]);
        let leak = "203.0.113.0 \"?file=a.pdf&email=x}i\"\n";
        assert_eq!(findings(&cfg, leak), vec![(Kind::SensitiveValue, 1)]);
        // Outside a field, the whole line is read.
        let unparsed = "?email=REDACTED}i\n";
        assert_eq!(findings(&cfg, unparsed), vec![(Kind::SensitiveValue, 1)]);
    }

    /// Found by fuzzing: garbled lines recognised as `vhost_combined` (whose first column is the
    /// server name, kept) look like common lines once scrubbed, and read as common the server
    /// name passes for a client host name. Read in the input's format, the output is clean.
    #[test]
    fn reads_output_in_the_format_given() {
        let input = b"0.0.0.12 - )\" \"2001:db8::1\"\n\
10.u0.0.13 - - [22/Jan/- [22/Jan/2018:03:56:14 +0330] \"GET /product/7 HTTP/1.1\" 200 30577 \"-\"/ \"Mozilla/5.0\" \"203.0.1\" 200 5- [22/Jan/- [22/Jan/2018:03:56:14 +0330] \"GET /product\" \"-\"\n";
        let cfg = Config::default();
        let layout = cfg.layout_for(input);
        assert_eq!(layout.format(), Format::VhostCombined);
        let mut out = Vec::new();
        let mut scrubber = crate::Scrubber::new(&cfg);
        scrubber.set_layout(cfg.layout_for(input));
        scrubber.scrub(input, &mut out);

        let mut guessing = Auditor::new(&cfg);
        guessing.check(&out);
        assert_eq!(guessing.audit().count(Kind::Hostname), 1);
        let mut told = Auditor::new(&cfg);
        told.set_layout(layout);
        told.check(&out);
        assert!(told.audit().is_clean());
    }

    #[test]
    fn finds_each_kind_by_line() {
        let input = "\
203.0.113.0 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"Chrome/118.0.0.0\"
203.0.113.9 - - [t] \"GET / HTTP/1.1\" 200 1
dsl-1.dyn.example.net - - [t] \"GET /?sid=abc HTTP/1.1\" 200 1
example.net - - [t] \"GET /?sid=REDACTED&page=2 HTTP/1.1\" 200 1
x mail john%40example.com and http://u:p@intranet/ and ::ffff:10.1.2.3
a /p?mail=REDACTED?uid=REDACTED /q?next=/a?token=abc
";
        let cfg = Config::default();
        assert_eq!(
            findings(&cfg, input),
            vec![
                (Kind::Address, 2),
                (Kind::Address, 5),
                (Kind::Email, 5),
                (Kind::SensitiveValue, 3),
                (Kind::SensitiveValue, 6),
                (Kind::Hostname, 3),
                (Kind::Userinfo, 5),
            ]
        );
    }

    #[test]
    fn counts_lines_not_findings() {
        let cfg = Config::default();
        let mut auditor = Auditor::new(&cfg);
        auditor.check("10.0.0.1 10.0.0.2\n".repeat(30).as_bytes());
        assert_eq!(auditor.audit().count(Kind::Address), 30);
        assert_eq!(auditor.audit().first_lines(Kind::Address).len(), LINES_KEPT);
    }

    #[test]
    fn masks_and_policies_decide_what_identifies() {
        let wide = Config::builder().ipv4_mask(16).build().unwrap();
        assert_eq!(
            findings(&wide, "10.1.2.0\n10.1.0.0\n"),
            vec![(Kind::Address, 1)]
        );
        let hash = Config::builder().ip(IpPolicy::Hash).build().unwrap();
        assert_eq!(
            findings(&hash, "249.89.145.88 fda8:9d43::1\n10.1.2.3\n"),
            vec![(Kind::Address, 2)]
        );
        let keep = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        assert!(findings(&keep, "10.1.2.3\n").is_empty());
    }
}
