//! `logscrub check`: an audit for personal data left in a log, independent of the scrubber.
//!
//! Written from the class definitions of `docs/detection.md`, on other engines than the
//! scrubber's: the `regex` crate (bytes API), Aho-Corasick for name lists, the standard
//! library's address parsers, and small checks (Luhn, mod 97). It shares with the scrubber
//! only the policy ([`Config`]: masks, `--ip`, `--user`, `--request`/`--referrer keep`) and
//! the format readers' field ranges and roles, so that a class the scrubber misses is not
//! missed here for the same reason. It never reports the data itself: per class, the number
//! of lines and the first line numbers.

mod files;
mod ip;
mod names;
mod numbers;
mod report;
mod scan;
mod url;

use crate::config::{Config, HashFormat, IpPolicy, ReferrerPolicy, RequestPolicy, UserPolicy};
use crate::format::layout::{Layout, Reading};
use crate::format::{json, Field, Role};

pub use files::{check_input, check_inputs};
pub use report::{verdict, write_json, write_text, Report, Verdict};

/// A class of personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// An IP address with host bits the masks and policy do not allow, in any spelling.
    Ip,
    /// An e-mail address, plain or encoded.
    Email,
    /// Userinfo in a URL (`scheme://user:password@`).
    Userinfo,
    /// A value of a personal or secret parameter, or of a `name=value` pair in free text.
    Parameter,
    /// `Bearer`/`Basic`/`Digest` credentials, JWTs, known token formats.
    Credential,
    /// A value of a cookie, authorization or token field.
    Secret,
    /// A random token in a path segment or value, or a one-time link's token.
    Token,
    /// A phone number.
    Phone,
    /// A card number (Luhn-valid).
    Card,
    /// An IBAN (mod-97-valid).
    Iban,
    /// A UUID.
    Uuid,
    /// A coordinate with more than two decimals.
    Coordinates,
    /// A client host name that names a machine (more than the registrable two labels).
    ClientHost,
    /// A user in a user field (other than the policy allows), or a `DOMAIN\user` logon.
    User,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 14] = [
        Class::Ip,
        Class::Email,
        Class::Userinfo,
        Class::Parameter,
        Class::Credential,
        Class::Secret,
        Class::Token,
        Class::Phone,
        Class::Card,
        Class::Iban,
        Class::Uuid,
        Class::Coordinates,
        Class::ClientHost,
        Class::User,
    ];

    /// The stable key in `--json` reports.
    pub fn key(self) -> &'static str {
        match self {
            Class::Ip => "ip",
            Class::Email => "email",
            Class::Userinfo => "userinfo",
            Class::Parameter => "parameter",
            Class::Credential => "credential",
            Class::Secret => "secret_field",
            Class::Token => "token",
            Class::Phone => "phone",
            Class::Card => "card",
            Class::Iban => "iban",
            Class::Uuid => "uuid",
            Class::Coordinates => "coordinates",
            Class::ClientHost => "client_host",
            Class::User => "user",
        }
    }

    /// A short description for the text report.
    pub fn describe(self) -> &'static str {
        match self {
            Class::Ip => "IP addresses with host bits",
            Class::Email => "e-mail addresses",
            Class::Userinfo => "userinfo in URLs",
            Class::Parameter => "values of sensitive parameters",
            Class::Credential => "credentials and known token formats",
            Class::Secret => "values of cookie and credential fields",
            Class::Token => "tokens in paths and values",
            Class::Phone => "phone numbers",
            Class::Card => "card numbers",
            Class::Iban => "IBANs",
            Class::Uuid => "UUIDs",
            Class::Coordinates => "coordinates with more than two decimals",
            Class::ClientHost => "full client host names",
            Class::User => "user names",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The classes found in one line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Found(u32);

impl Found {
    pub fn set(&mut self, class: Class) {
        self.0 |= 1 << class.index();
    }

    pub fn has(self, class: Class) -> bool {
        self.0 & 1 << class.index() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// How many line numbers are kept per class; the counts go on.
pub const LINES_KEPT: usize = 20;

/// Findings so far: per class, the number of lines and the first line numbers.
#[derive(Clone, Debug, Default)]
pub struct Audit {
    /// Lines read.
    pub lines: u64,
    counts: [u64; 14],
    first_lines: [Vec<u64>; 14],
}

impl Audit {
    /// Lines with a finding of `class`.
    pub fn count(&self, class: Class) -> u64 {
        self.counts[class.index()]
    }

    /// The first (at most [`LINES_KEPT`]) line numbers with a finding of `class`.
    pub fn first_lines(&self, class: Class) -> &[u64] {
        &self.first_lines[class.index()]
    }

    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    fn record(&mut self, found: Found, line: u64) {
        for class in Class::ALL {
            if found.has(class) {
                let i = class.index();
                self.counts[i] += 1;
                if self.first_lines[i].len() < LINES_KEPT {
                    self.first_lines[i].push(line);
                }
            }
        }
    }
}

/// What the policy allows, read once from the [`Config`].
#[derive(Clone, Debug)]
struct Rules {
    ip: ip::IpRules,
    url: url::UrlRules,
    user: UserPolicy,
    request_keep: bool,
    referrer_keep: bool,
    /// `--ip hash --hash-format hex`: clients are 16 hex digits.
    hex_clients: bool,
}

impl Rules {
    fn new(cfg: &Config) -> Self {
        let hex = cfg.ip() == IpPolicy::Hash && cfg.hash_format() == HashFormat::Hex;
        Rules {
            ip: ip::IpRules::new(cfg),
            url: url::UrlRules { hex16_allowed: hex },
            user: cfg.user(),
            request_keep: cfg.request() == RequestPolicy::Keep,
            referrer_keep: cfg.referrer() == ReferrerPolicy::Keep,
            hex_clients: hex,
        }
    }
}

/// How a value is scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Unknown fields, trailing fields, lines that do not parse: everything, `name=value`
    /// pairs and `DOMAIN\user` logons included.
    Text,
    /// User agents and plain fields: addresses, e-mail addresses, credentials, numbers that
    /// identify, and the parameters of URLs in them.
    Agent,
    /// Versions: no dotted quads; e-mail addresses, credentials, IPv6.
    Version,
    /// A URL kept as it is (`--request keep`, `--referrer keep`): addresses, e-mail
    /// addresses, userinfo and credentials only.
    KeptUrl,
    /// The bytes between JSON fields (keys): addresses, e-mail addresses, credentials.
    Keys,
}

/// Audits lines under the policy of a [`Config`].
///
/// Use one per input: the input's format is recognised from the first lines it is given, as
/// the scrubber does, to know each field's role.
pub struct Auditor<'c> {
    cfg: &'c Config,
    rules: Rules,
    audit: Audit,
    layout: Option<Layout>,
    fields: Vec<Field>,
    blanked: Vec<u8>,
    decoded: Vec<u8>,
    decoded2: Vec<u8>,
    json: Vec<u8>,
}

impl<'c> Auditor<'c> {
    /// An auditor for the policy in `cfg`.
    pub fn new(cfg: &'c Config) -> Self {
        Auditor {
            cfg,
            rules: Rules::new(cfg),
            audit: Audit::default(),
            layout: None,
            fields: Vec::new(),
            blanked: Vec::new(),
            decoded: Vec::new(),
            decoded2: Vec::new(),
            json: Vec::new(),
        }
    }

    /// Reads lines in `layout` instead of recognising the format from the first lines: a
    /// caller that scrubbed the input knows its format, which the scrubbed text alone may not
    /// show.
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = Some(layout);
    }

    /// Audits `input`, any number of lines; lines are numbered from 1 across calls.
    pub fn check(&mut self, input: &[u8]) {
        if self.layout.is_none() {
            self.layout = Some(self.cfg.layout_for(input));
        }
        for line in crate::lines::bodies(input) {
            self.audit.lines += 1;
            let n = self.audit.lines;
            let found = self.check_line(line);
            self.audit.record(found, n);
        }
    }

    /// The findings so far.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The classes found in one line (without its terminator).
    pub fn check_line(&mut self, line: &[u8]) -> Found {
        let mut found = Found::default();
        let mut layout = self.layout.take().unwrap_or_else(|| self.cfg.layout());
        self.read_line(&mut layout, line, &mut found);
        self.layout = Some(layout);
        found
    }

    /// Reads `line` as the scrubber does ([`Layout::read`]) and each field by its role.
    fn read_line(&mut self, layout: &mut Layout, line: &[u8], found: &mut Found) {
        let mut fields = std::mem::take(&mut self.fields);
        let reading = layout.read(line, &mut fields);
        // Between a JSON line's values stand its keys.
        let keys = reading == Reading::Format && matches!(layout, Layout::Json(_));
        let mut copied = 0;
        for field in &fields {
            if keys {
                self.free(&line[copied..field.range.start], Scope::Keys, found);
            }
            self.field(line, field, found);
            copied = field.range.end;
        }
        if keys {
            self.free(&line[copied..], Scope::Keys, found);
        }
        self.fields = fields;
    }

    fn field(&mut self, line: &[u8], field: &Field, found: &mut Found) {
        let raw = &line[field.range.clone()];
        let mut json = std::mem::take(&mut self.json);
        let value = if field.escaped && json::decode(raw, &mut json) {
            &json[..]
        } else {
            raw
        };
        match field.role {
            Role::Client => self.client(value, false, found),
            Role::Endpoint => self.client(value, true, found),
            Role::User => self.user(value, found),
            Role::Request => self.request(value, found),
            Role::Url => self.url(value, false, self.rules.request_keep, found),
            Role::Query => self.url(value, true, self.rules.request_keep, found),
            Role::Referrer => self.url(value, false, self.rules.referrer_keep, found),
            Role::Time => {}
            Role::Agent | Role::Plain => self.free(value, Scope::Agent, found),
            Role::Text | Role::Addrs | Role::Unknown => self.free(value, Scope::Text, found),
            Role::Version => self.free(value, Scope::Version, found),
            Role::Coordinate => {
                if numbers::precise_number(value) {
                    found.set(Class::Coordinates);
                }
                self.free(value, Scope::Version, found);
            }
            Role::Secret => {
                if !(value.is_empty() || value == b"-" || value == scan::PLACEHOLDER) {
                    found.set(Class::Secret);
                }
            }
        }
        self.json = json;
    }

    /// A client or endpoint field: an address, a host name, `-`, `localhost` or `unix:…`.
    fn client(&mut self, value: &[u8], endpoint: bool, found: &mut Found) {
        if value.is_empty() || value == b"-" || value == scan::PLACEHOLDER || value == b"localhost"
        {
            return;
        }
        if let Some(path) = value.strip_prefix(b"unix:") {
            return self.free(path, Scope::Text, found);
        }
        // nginx behind proxies may log a list.
        for item in value.split(|&b| b == b',') {
            let item = item.trim_ascii();
            if item.is_empty() || item == b"-" || item == scan::PLACEHOLDER || item == b"localhost"
            {
                continue;
            }
            if let Some(addr) = ip::client_addr(item, endpoint) {
                if self.rules.ip.identifies(addr) {
                    found.set(Class::Ip);
                }
                continue;
            }
            let host = strip_port(item);
            if self.rules.hex_clients && host.len() == 16 && host.iter().all(u8::is_ascii_hexdigit)
            {
                continue;
            }
            if is_host_name(host) {
                if ip::find(host, &self.rules.ip) {
                    found.set(Class::Ip);
                }
                if !allowed_client_host(host) {
                    found.set(Class::ClientHost);
                }
                continue;
            }
            self.free(item, Scope::Text, found);
        }
    }

    fn user(&mut self, value: &[u8], found: &mut Found) {
        let none = value.is_empty() || value == b"-" || value == scan::PLACEHOLDER;
        // `--user hash` writes `u` and 16 lower-case hex digits.
        let pseudonym = value.len() == 17
            && value[0] == b'u'
            && value[1..]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
        match self.rules.user {
            UserPolicy::Drop if !none => found.set(Class::User),
            UserPolicy::Hash if !none && !pseudonym => found.set(Class::User),
            UserPolicy::Keep => self.free(value, Scope::Agent, found),
            _ => {}
        }
    }

    /// `METHOD TARGET PROTOCOL`; anything else is read as a target.
    fn request(&mut self, value: &[u8], found: &mut Found) {
        let keep = self.rules.request_keep;
        match (memchr::memchr(b' ', value), memchr::memrchr(b' ', value)) {
            (Some(a), Some(b)) if a < b => {
                self.free(&value[..a], Scope::Agent, found);
                self.url(&value[a + 1..b], false, keep, found);
                self.free(&value[b + 1..], Scope::Agent, found);
            }
            _ => self.url(value, false, keep, found),
        }
    }

    fn url(&mut self, value: &[u8], query_only: bool, keep: bool, found: &mut Found) {
        if keep {
            return self.free(value, Scope::KeptUrl, found);
        }
        self.free(value, Scope::Agent, found);
        let mut blanked = std::mem::take(&mut self.blanked);
        scan::blank_placeholders(value, &mut blanked);
        url::scan(&blanked, query_only, self.rules.url, found);
        let mut decoded = std::mem::take(&mut self.decoded);
        if scan::decode(&blanked, &mut decoded) && numbers::coordinate_pair(&decoded) {
            found.set(Class::Coordinates);
        }
        if numbers::coordinate_pair(&blanked) {
            found.set(Class::Coordinates);
        }
        self.decoded = decoded;
        self.blanked = blanked;
    }

    /// Free text by `scope`: the value as written, percent-decoded once and twice.
    fn free(&mut self, value: &[u8], scope: Scope, found: &mut Found) {
        if value.is_empty() {
            return;
        }
        let mut blanked = std::mem::take(&mut self.blanked);
        let mut decoded = std::mem::take(&mut self.decoded);
        let mut decoded2 = std::mem::take(&mut self.decoded2);
        scan::blank_placeholders(value, &mut blanked);
        let once = scan::decode(&blanked, &mut decoded);
        let twice = once && scan::decode(&decoded, &mut decoded2);
        let variants: [Option<&[u8]>; 3] = [
            Some(&blanked),
            once.then_some(&decoded[..]),
            twice.then_some(&decoded2[..]),
        ];
        for text in variants.into_iter().flatten() {
            self.classes(text, &blanked, scope, found);
        }
        if matches!(scope, Scope::Text | Scope::Agent) {
            url::embedded_queries(&blanked, found);
        }
        if scope == Scope::Text {
            for pair in scan::pairs(&blanked) {
                let mut name = Vec::new();
                scan::decode(pair.name, &mut name);
                // RFC 7239 `Forwarded` parameters: addresses (read above), scheme and host.
                let forwarded = ["for", "by", "proto", "host"]
                    .iter()
                    .any(|n| name.eq_ignore_ascii_case(n.as_bytes()));
                if forwarded {
                    continue;
                }
                if names::kind(&name) == names::NameKind::Coordinate {
                    if numbers::precise_number(pair.value) {
                        found.set(Class::Coordinates);
                    } else if !scan::inert_value(pair.value)
                        && !pair
                            .value
                            .iter()
                            .all(|b| b.is_ascii_digit() || b"-.,".contains(b))
                    {
                        found.set(Class::Parameter);
                    }
                } else if !scan::inert_value(pair.value) {
                    found.set(Class::Parameter);
                }
            }
            if scan::domain_user(&blanked) {
                found.set(Class::User);
            }
        }
        self.blanked = blanked;
        self.decoded = decoded;
        self.decoded2 = decoded2;
    }

    fn classes(&self, text: &[u8], raw: &[u8], scope: Scope, found: &mut Found) {
        let ip_found = match scope {
            Scope::Version => ip::find_v6_only(text, &self.rules.ip),
            _ => ip::find_decoded(text, raw, &self.rules.ip),
        };
        if ip_found {
            found.set(Class::Ip);
        }
        if scan::email(text) {
            found.set(Class::Email);
        }
        // In decoded text, a userinfo counts where the whole URL was encoded
        // (`http%3A%2F%2Fbob%3Apw%40host`), not where only its `@` was (`a://b%40c`).
        let url_encoded = std::ptr::eq(text, raw) || {
            let lower = raw.to_ascii_lowercase();
            memchr::memmem::find(&lower, b"%3a%2f%2f").is_some()
                || memchr::memmem::find(&lower, b"%253a%252f%252f").is_some()
        };
        if url_encoded && scan::userinfo(text) {
            found.set(Class::Userinfo);
        }
        if scan::credential(text) {
            found.set(Class::Credential);
        }
        if matches!(scope, Scope::Text | Scope::Agent) {
            if numbers::phone(text) {
                found.set(Class::Phone);
            }
            if numbers::card(text) {
                found.set(Class::Card);
            }
            if numbers::iban(text) {
                found.set(Class::Iban);
            }
            if numbers::uuid(text) {
                found.set(Class::Uuid);
            }
        }
    }
}

fn strip_port(host: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', host) {
        Some(k) if k + 1 < host.len() && host[k + 1..].iter().all(u8::is_ascii_digit) => &host[..k],
        _ => host,
    }
}

/// Letters, digits, `-` and `.`, with a letter, not starting or ending with `-` or `.`
/// (a trailing root dot aside).
fn is_host_name(host: &[u8]) -> bool {
    let host = host.strip_suffix(b".").unwrap_or(host);
    !host.is_empty()
        && host
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        && host.iter().any(u8::is_ascii_alphabetic)
        && !host.starts_with(b".")
        && !host.ends_with(b".")
}

/// Top-level names of private networks: a name in them names a machine.
const PRIVATE_TLDS: &[&str] = &[
    "local",
    "lan",
    "corp",
    "internal",
    "home",
    "box",
    "localdomain",
    "intranet",
    "private",
    "localhost",
    "intra",
    "domain",
    "router",
];

/// A client host name that names no machine: two labels under a public top-level domain
/// (`example.net`), what the scrubber reduces a longer name to.
fn allowed_client_host(host: &[u8]) -> bool {
    let host = host.strip_suffix(b".").unwrap_or(host);
    let labels: Vec<&[u8]> = host.split(|&b| b == b'.').collect();
    if labels.len() != 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let tld = String::from_utf8_lossy(labels[1]).to_ascii_lowercase();
    tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        && !PRIVATE_TLDS.contains(&tld.as_str())
}

#[cfg(test)]
mod tests;
