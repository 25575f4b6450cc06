//! JSON access logs: one object per line.
//!
//! [`parse`] checks that a line is one well-formed object and yields a [`Field`] per string
//! value, its range inside the quotes, so that keys, numbers, spacing and key order are copied
//! byte for byte. A value's [`Role`] comes from its key: keys the user named first, then the
//! built-in tables for nginx (`escape=json`), Caddy, Traefik, Cloudflare and generic loggers,
//! and [`Role::Text`], the fail-safe scrub, for keys nobody knows.
//!
//! Parsing works on bytes: invalid UTF-8 inside strings passes, and escapes are only skipped
//! here; [`decode`] checks them when a value is redacted, so that one odd escape (nginx without
//! `escape=json` writes `\x22`) costs that value, not the line's format.

use std::ops::Range;

use memchr::{memchr, memchr2};

use super::{header, time, Field, Role};
use crate::vocab::may_hold_personal;
use crate::vocab::names as personal;

/// Which keys hold which kind of value: built-in tables for nginx (`escape=json`), Caddy,
/// Traefik, Cloudflare and generic logs, plus user-named keys, which take precedence.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    /// User-named keys in the order given.
    named: Vec<Named>,
}

#[derive(Clone, Debug)]
struct Named {
    name: Box<[u8]>,
    /// A dotted name is a path from the top-level object; any other name is a key at any depth.
    dotted: bool,
    role: Role,
}

impl Keys {
    /// Adds user-named keys (from `--json-ip-fields`, `--json-url-fields`,
    /// `--json-referrer-fields`, `--json-user-fields`). A name is either a dotted path from the
    /// top-level object (`request.remote_ip`, `request.headers.Referer`) or a bare key matched
    /// at any depth. Matching is ASCII case-insensitive; empty names are ignored.
    ///
    /// A dotted name that spells the whole path beats a bare name that matches the last key;
    /// among names of the same kind, the first one added wins. The role of a named key holding
    /// an object or array passes to every value inside it, unless a value's own key is named.
    pub fn with(mut self, role: Role, names: &[String]) -> Self {
        self.named
            .extend(names.iter().filter(|n| !n.is_empty()).map(|n| Named {
                name: n.as_bytes().into(),
                dotted: n.contains('.'),
                role,
            }));
        self
    }

    /// The role the user gave to the key path `segments` (top-level key first), if any.
    fn named<'a>(
        &self,
        segments: impl DoubleEndedIterator<Item = &'a [u8]> + Clone,
    ) -> Option<Role> {
        if self.named.is_empty() {
            return None;
        }
        let last = segments.clone().next_back()?;
        self.named
            .iter()
            .find(|n| n.dotted && spells(&n.name, segments.clone()))
            .or_else(|| {
                self.named
                    .iter()
                    .find(|n| !n.dotted && n.name.eq_ignore_ascii_case(last))
            })
            .map(|n| n.role)
    }
}

/// Whether `name` is the keys of `segments` joined with dots. Comparing segment by segment also
/// lets a name match a top-level key that itself contains dots (`"http.request.method"`).
fn spells<'a>(name: &[u8], segments: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut rest = name;
    for (i, segment) in segments.enumerate() {
        if i > 0 {
            match rest.split_first() {
                Some((b'.', after)) => rest = after,
                _ => return false,
            }
        }
        match rest.get(..segment.len()) {
            Some(head) if head.eq_ignore_ascii_case(segment) => rest = &rest[segment.len()..],
            _ => return false,
        }
    }
    rest.is_empty()
}

/// Parses one line (without terminator) that should be a JSON object. Fills `fields` (cleared
/// first) with one [`Field`] per string value, in line order: the range lies inside the quotes
/// (so `line[range.start - 1]` and `line[range.end]` are `"`), the role comes from the key path,
/// and `escaped` tells whether the raw string contains a backslash. A number under a timestamp
/// key is a [`Role::Time`] field of its own digits, for dating the line. Keys, other numbers,
/// `true`, `false` and `null` are never fields; the strings of an array take the role of the
/// key that holds the array.
///
/// Returns false, with `fields` in an unspecified state, if the line is not a single well-formed
/// object (surrounding whitespace allowed) or nests deeper than 128 levels; the caller then
/// scrubs the whole line. Never panics, and allocates nothing once `fields` has grown.
pub fn parse(line: &[u8], keys: &Keys, fields: &mut Vec<Field>) -> bool {
    fields.clear();
    parse_object(line, keys, fields).is_some()
}

fn parse_object(line: &[u8], keys: &Keys, fields: &mut Vec<Field>) -> Option<()> {
    let mut s = Scanner { line, pos: 0 };
    let mut path = Path::default();
    s.skip_ws();
    s.expect(b'{')?;
    path.open(false, None)?;
    // Right after an opening bracket, where the container may close at once.
    let mut fresh = true;
    loop {
        s.skip_ws();
        if fresh && s.eat(path.closer()) {
            path.close();
        } else {
            if !path.in_array() {
                let (key, escaped) = s.string()?;
                // Keys are names and copied, unless one could hide something: then it is
                // free text like any unknown value.
                let key_text = &line[key.clone()];
                if may_hold_personal(key_text) || key_text.contains(&b'\\') {
                    fields.push(Field {
                        range: key.clone(),
                        role: Role::Text,
                        escaped,
                    });
                }
                path.set_key(key);
                s.skip_ws();
                s.expect(b':')?;
                s.skip_ws();
            }
            match s.peek()? {
                b'"' => {
                    let (range, escaped) = s.string()?;
                    let (role, _) = path.role(line, keys);
                    let role = time::checked(role, &line[range.clone()]);
                    fields.push(Field {
                        range,
                        role,
                        escaped,
                    });
                }
                open @ (b'{' | b'[') => {
                    let (role, passes) = path.role(line, keys);
                    s.pos += 1;
                    path.open(open == b'[', passes.then_some(role))?;
                    fresh = true;
                    continue;
                }
                b't' => s.word(b"true")?,
                b'f' => s.word(b"false")?,
                b'n' => s.word(b"null")?,
                _ => {
                    let start = s.pos;
                    s.number()?;
                    // Numeric timestamps (Caddy's `ts`, Cloudflare's `EdgeStartTimestamp`)
                    // date the line for key rotation; the writer copies them unchanged.
                    match path.role(line, keys).0 {
                        Role::Time if time::is_plain_timestamp(&line[start..s.pos]) => {
                            fields.push(Field::new(start..s.pos, Role::Time));
                        }
                        // Coarsened where it stands, and still a number.
                        Role::Coordinate => {
                            fields.push(Field::new(start..s.pos, Role::Coordinate));
                        }
                        _ => {}
                    }
                }
            }
        }
        fresh = false;
        // After a value: the next member or element, or closing brackets.
        loop {
            s.skip_ws();
            if path.depth == 0 {
                return (s.pos == line.len()).then_some(());
            }
            if s.eat(b',') {
                break;
            }
            s.expect(path.closer())?;
            path.close();
        }
    }
}

/// How deep a line may nest: the bits of [`Path::arrays`].
const DEPTH_CAP: usize = 128;
/// How many levels of keys are kept; values nested deeper are [`Role::Text`] unless they inherit
/// a role from a key above.
const PATH_CAP: usize = 16;

/// The open containers and the keys leading to the current value.
///
/// Invariants: `depth <= DEPTH_CAP`; level 0 is the top-level object; bit `i` of `arrays` is set
/// when level `i` is an array; for an object level `i < PATH_CAP`, `keys[i]` is the range of its
/// current member's key.
#[derive(Default)]
struct Path {
    depth: usize,
    arrays: u128,
    keys: [Range<usize>; PATH_CAP],
    /// The level of the outermost open container whose key passes its role to everything inside,
    /// and that role.
    inherited: Option<(usize, Role)>,
}

impl Path {
    /// Opens a container one level down; `role` is what its key passes to its contents.
    fn open(&mut self, array: bool, role: Option<Role>) -> Option<()> {
        if self.depth == DEPTH_CAP {
            return None;
        }
        let bit = 1u128 << self.depth;
        if array {
            self.arrays |= bit;
        } else {
            self.arrays &= !bit;
        }
        if self.inherited.is_none() {
            self.inherited = role.map(|role| (self.depth, role));
        }
        self.depth += 1;
        Some(())
    }

    fn close(&mut self) {
        self.depth -= 1;
        if matches!(self.inherited, Some((level, _)) if level == self.depth) {
            self.inherited = None;
        }
    }

    fn is_array(&self, level: usize) -> bool {
        (self.arrays >> level) & 1 == 1
    }

    fn in_array(&self) -> bool {
        self.is_array(self.depth - 1)
    }

    fn closer(&self) -> u8 {
        if self.in_array() {
            b']'
        } else {
            b'}'
        }
    }

    fn set_key(&mut self, key: Range<usize>) {
        if let Some(slot) = self.keys.get_mut(self.depth - 1) {
            *slot = key;
        }
    }

    /// The keys from the top-level object down to the current value, skipping arrays.
    fn segments<'a>(&'a self, line: &'a [u8]) -> impl DoubleEndedIterator<Item = &'a [u8]> + Clone {
        (0..self.depth.min(PATH_CAP))
            .filter(move |&level| !self.is_array(level))
            .map(move |level| &line[self.keys[level].clone()])
    }

    /// The role of the current value, and whether it passes to the contents of a container
    /// opened there: a user-named role or a secret does, a role guessed from a name does not
    /// (Caddy's `request` holds an object, nginx's a request line).
    fn role(&self, line: &[u8], keys: &Keys) -> (Role, bool) {
        let known = self.depth <= PATH_CAP;
        if known {
            if let Some(role) = keys.named(self.segments(line)) {
                return (role, true);
            }
        }
        if let Some((_, role)) = self.inherited {
            return (role, true);
        }
        match self.segments(line).next_back() {
            Some(key) if known => {
                let role = if self.in_headers(line) {
                    header::role(key)
                } else {
                    builtin_role(key)
                };
                (role, role == Role::Secret)
            }
            _ => (Role::Text, false),
        }
    }

    /// Whether the current key is a member of an object that maps header names to values
    /// ([`holds_headers`]). Only called with every level's key kept.
    fn in_headers(&self, line: &[u8]) -> bool {
        let Some(level) = (0..self.depth).rev().find(|&level| !self.is_array(level)) else {
            return false;
        };
        level > 0 && !self.is_array(level - 1) && holds_headers(&line[self.keys[level - 1].clone()])
    }
}

/// The longest key (with its prefix, if any) that is looked up in the table.
const NAME_CAP: usize = 32;

/// Prefixes that put a header name into a variable or key name: nginx request, response and
/// upstream headers (`$http_referer`, `$sent_http_set_cookie`), Traefik's header fields
/// (`request_Referer`, `downstream_Set-Cookie`).
const PREFIXES: &[&[u8]] = &[
    b"http_",
    b"sent_http_",
    b"upstream_http_",
    b"request_",
    b"downstream_",
    b"origin_",
];

/// The role of a value by the last key of its path. Keys are matched raw: loggers do not
/// escape the key names they choose, and a key with an escape falls through to the rules for
/// unknown names.
///
/// The table of known keys comes first; then a header name after a prefix (`http_cookie`,
/// `request_User-Agent`) or alone (`X-Forwarded-For`, `user_agent`) goes by the rules every
/// format shares ([`header::known`]); what neither knows goes by JSON's own naming rules, which
/// make an address of any `…Ip` and a secret of any sensitive parameter name.
fn builtin_role(key: &[u8]) -> Role {
    let mut buf = [0; NAME_CAP];
    if let Some(role) = normalized(key, &mut buf).and_then(table) {
        return role;
    }
    if let Some(rest) = PREFIXES.iter().find_map(|prefix| strip_prefix(key, prefix)) {
        let known = header::known(rest).or_else(|| normalized(rest, &mut buf).and_then(table));
        if let Some(role) = known {
            return role;
        }
    }
    if let Some(role) = header::known(key) {
        return role;
    }
    if ends_like_address(key) {
        Role::Addrs
    } else if personal::name_kind(key) == personal::NameKind::Geo {
        Role::Coordinate
    } else if personal::name_kind(key) == personal::NameKind::Version {
        Role::Version
    } else if contains_ignore_case(key, b"cookie") || personal::is_sensitive_name(key) {
        // Cookies, authorization, tokens, session ids, API keys, e-mail addresses.
        Role::Secret
    } else {
        Role::Text
    }
}

/// `key` after `prefix` (lowercase, `_`), compared as [`normalized`] does; `None` without it
/// or with nothing after it.
fn strip_prefix<'k>(key: &'k [u8], prefix: &[u8]) -> Option<&'k [u8]> {
    let head = key.get(..prefix.len())?;
    let same = head
        .iter()
        .zip(prefix)
        .all(|(&a, &b)| a.to_ascii_lowercase() == b || (a == b'-' && b == b'_'));
    (same && key.len() > prefix.len()).then(|| &key[prefix.len()..])
}

/// Keys whose object maps header names to values: Caddy's `headers` (of `request`) and
/// `resp_headers`, Cloudflare's `RequestHeaders` and `ResponseHeaders`.
fn holds_headers(key: &[u8]) -> bool {
    let mut buf = [0; NAME_CAP];
    matches!(
        normalized(key, &mut buf),
        Some(
            b"headers"
                | b"resp_headers"
                | b"req_headers"
                | b"request_headers"
                | b"response_headers"
                | b"requestheaders"
                | b"responseheaders"
        )
    )
}

/// `key` lowercased, with `-` as `_`, in `buf`; `None` if it is too long for the table.
fn normalized<'b>(key: &[u8], buf: &'b mut [u8; NAME_CAP]) -> Option<&'b [u8]> {
    let name = buf.get_mut(..key.len())?;
    for (dst, &src) in name.iter_mut().zip(key) {
        *dst = if src == b'-' {
            b'_'
        } else {
            src.to_ascii_lowercase()
        };
    }
    Some(name)
}

/// Known keys, lowercased with `_` for `-`; header names are left to [`header::known`], and
/// addresses and secrets that follow a naming pattern to [`ends_like_address`] and the secret
/// rule in [`builtin_role`].
fn table(name: &[u8]) -> Option<Role> {
    Some(match name {
        b"remote_addr"
        | b"remote_ip"
        | b"remoteip"
        | b"remote_host"
        | b"realip_remote_addr"
        | b"client_ip"
        | b"clientip"
        | b"client_addr"
        | b"clientaddr"
        | b"clienthost"
        | b"client"
        | b"ip"
        | b"c_ip" => Role::Client,
        b"remote_user" | b"user" | b"user_id" | b"userid" | b"username" | b"user_name"
        | b"clientusername" | b"cs_username" => Role::User,
        b"request" | b"request_line" => Role::Request,
        b"uri" | b"request_uri" | b"document_uri" | b"path" | b"rawpath" | b"raw_path" | b"url"
        | b"request_url" | b"requestpath" | b"clientrequesturi" | b"clientrequestpath"
        | b"cs_uri_stem" => Role::Url,
        b"args" | b"query" | b"query_string" | b"querystring" | b"rawquery" | b"raw_query"
        | b"cs_uri_query" => Role::Query,
        b"clientrequestreferer" | b"cs_referer" => Role::Referrer,
        b"useragent" | b"clientrequestuseragent" | b"cs_user_agent" => Role::Agent,
        b"ts"
        | b"time"
        | b"timestamp"
        | b"@timestamp"
        | b"time_local"
        | b"time_iso8601"
        | b"msec"
        | b"date"
        | b"datetime"
        | b"startutc"
        | b"startlocal"
        | b"edgestarttimestamp"
        | b"edgeendtimestamp" => Role::Time,
        b"method"
        | b"request_method"
        | b"requestmethod"
        | b"clientrequestmethod"
        | b"proto"
        | b"protocol"
        | b"server_protocol"
        | b"requestprotocol"
        | b"clientrequestprotocol"
        | b"scheme"
        | b"requestscheme"
        | b"clientrequestscheme"
        | b"requesthost"
        | b"clientrequesthost"
        | b"server_name"
        | b"status"
        | b"downstreamstatus"
        | b"upstream_status"
        | b"body_bytes_sent"
        | b"bytes_sent"
        | b"request_length"
        | b"request_time"
        | b"upstream_response_time"
        | b"level"
        | b"logger"
        | b"msg"
        | b"routername"
        | b"servicename"
        | b"entrypointname"
        | b"clientcountry"
        | b"edgecolocode"
        | b"cachecachestatus" => Role::Plain,
        _ => return None,
    })
}

/// `edge_server_ip`, `X-Real-Ip`, `OriginIP`, `sourceIp`, `ServiceAddr`: an address word after a
/// separator or at a camel-case boundary, so that `zip`, `ZIP` or `skip` do not count.
fn ends_like_address(key: &[u8]) -> bool {
    [b"ip".as_slice(), b"addr"].iter().any(|word| {
        let Some(start) = key.len().checked_sub(word.len()).filter(|&s| s > 0) else {
            return false;
        };
        let (before, first) = (key[start - 1], key[start]);
        key[start..].eq_ignore_ascii_case(word)
            && (matches!(before, b'_' | b'-' | b'.')
                || (first.is_ascii_uppercase()
                    && (before.is_ascii_lowercase() || before.is_ascii_digit())))
    })
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A cursor over a line. Every method leaves `pos` within the line or returns `None`.
struct Scanner<'l> {
    line: &'l [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.line.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.line.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.line[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
        })
    }

    /// A string: the range of its content and whether that has a backslash. An escape is any
    /// backslash and the byte after it.
    fn string(&mut self) -> Option<(Range<usize>, bool)> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let at = self.pos + memchr2(b'"', b'\\', self.line.get(self.pos..)?)?;
            if self.line[at] == b'"' {
                self.pos = at + 1;
                return Some((start..at, escaped));
            }
            escaped = true;
            self.pos = at + 2;
        }
    }

    /// A number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        if !self.eat(b'0') {
            self.digits()?;
        }
        if self.eat(b'.') {
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
        }
        Some(())
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }
}

/// Decodes the content of a JSON string (between the quotes) into `out` (cleared first): `\"`
/// `\\` `\/` `\b` `\f` `\n` `\r` `\t` and `\uXXXX`, surrogate pairs included, to UTF-8; other
/// bytes are copied as they are. Returns false on a malformed escape or a lone surrogate, with
/// `out` in an unspecified state; the caller then treats the value fail-safe.
pub fn decode(raw: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut rest = raw;
    while let Some(at) = memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        let Some((&kind, after)) = rest[at + 1..].split_first() else {
            return false;
        };
        rest = after;
        let byte = match kind {
            b'"' | b'\\' | b'/' => kind,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let Some((c, after)) = escaped_char(rest) else {
                    return false;
                };
                rest = after;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => return false,
        };
        out.push(byte);
    }
    out.extend_from_slice(rest);
    true
}

/// The character of a `\u` escape whose hex digits start `s` (a surrogate pair takes two
/// escapes), and what follows it.
fn escaped_char(s: &[u8]) -> Option<(char, &[u8])> {
    let high = hex4(s)?;
    let rest = &s[4..];
    if !(0xd800..0xdc00).contains(&high) {
        // A lone low surrogate is no char.
        return Some((char::from_u32(high)?, rest));
    }
    let low = rest.strip_prefix(b"\\u").and_then(hex4)?;
    if !(0xdc00..0xe000).contains(&low) {
        return None;
    }
    let c = char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?;
    Some((c, &rest[6..]))
}

fn hex4(s: &[u8]) -> Option<u32> {
    s.get(..4)?
        .iter()
        .try_fold(0, |n, &b| Some(n << 4 | char::from(b).to_digit(16)?))
}

/// Appends `s` encoded as JSON string content: `"` as `\"`, `\` as `\\`, control bytes below
/// 0x20 as `\n`, `\r`, `\t` or `\u00XX`; every other byte (non-ASCII and invalid UTF-8 included)
/// as it is, and `/` unescaped. [`decode`] gives `s` back.
pub fn encode(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut copied = 0;
    for (i, &b) in s.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&s[copied..i]);
        copied = i + 1;
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&s[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Role::*;

    /// Checks what every accepted line keeps: ranges in order and apart, each between quotes
    /// (but numeric timestamps), `escaped` exactly when the raw value has a backslash.
    fn check_ranges(line: &[u8], fields: &[Field]) {
        for pair in fields.windows(2) {
            assert!(pair[0].range.end < pair[1].range.start, "{pair:?}");
        }
        for field in fields {
            let range = field.range.clone();
            if field.role == Time
                && line[range.start].is_ascii_digit()
                && line[range.start - 1] != b'"'
            {
                assert!(line[range.clone()]
                    .iter()
                    .all(|b| b.is_ascii_digit() || b"-+.eE".contains(b)));
                continue;
            }
            assert_eq!(line[range.start - 1], b'"', "{range:?}");
            assert_eq!(line[range.end], b'"', "{range:?}");
            assert_eq!(field.escaped, line[range].contains(&b'\\'));
        }
    }

    /// The fields of an accepted line, checked; `None` if the line is rejected.
    fn parsed(line: &[u8], keys: &Keys) -> Option<Vec<Field>> {
        // Left over from a previous line: must be cleared.
        let mut fields = vec![Field::new(0..0, Text)];
        if !parse(line, keys, &mut fields) {
            return None;
        }
        check_ranges(line, &fields);
        Some(fields)
    }

    fn values<'l>(line: &'l str, keys: &Keys) -> Vec<(&'l str, Role)> {
        parsed(line.as_bytes(), keys)
            .unwrap_or_else(|| panic!("rejected: {line}"))
            .into_iter()
            .map(|f| (&line[f.range], f.role))
            .collect()
    }

    const CADDY: &str = r#"{"level":"info","ts":1716723772.6014807,"logger":"http.log.access.log17","msg":"handled request","request":{"remote_ip":"10.5.1.1","remote_port":"38574","client_ip":"10.10.10.117","proto":"HTTP/2.0","method":"GET","host":"mirrors.tnonline.net:400","uri":"/gentoo/distfiles/9b/tl-hrlatex.tar.xz","headers":{"Accept":["*/*"],"User-Agent":["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"],"X-Forwarded-For":["10.10.10.117"],"Referer":["https://example.com/beta/"]},"tls":{"resumed":false,"version":772,"proto":"h2","server_name":"example.com"}},"bytes_read":0,"user_id":"","duration":0.017557019,"size":3768,"status":200,"resp_headers":{"Server":["Caddy","nginx/1.20.1"],"Etag":["\"cacq4sswpg5c2wo\""],"Alt-Svc":["h3=\":443\"; ma=2592000"]}}"#;

    const TRAEFIK: &str = r#"{"ClientAddr": "172.20.0.1:52458","ClientHost": "1.2.3.4","ClientPort":"52458","ClientUsername":"-","request_User-Agent":"Prometheus/2.40.5","request_Referer":"www.example.com","DownstreamContentSize":15,"DownstreamStatus":"200","Duration":10002425284,"OriginStatus":504,"RequestAddr":"localhost","RequestCount":1,"RequestHost":"localhost","RequestMethod":"GET","RequestPath":"/my/app/auth?id=1234&user=dude","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"RouterName":"my-router@file","ServiceAddr":"apache:80","ServiceName":"my-service@file","ServiceURL":{"Scheme":"http","Opaque":"","User":null,"Host":"apache:80","Path":"","RawPath":"","OmitHost":false,"ForceQuery":false,"RawQuery":"","Fragment":""},"StartLocal":"2023-08-11T11:39:21.773360139Z","StartUTC":"2023-08-11T11:39:21.773360139Z","entryPointName":"http","level":"info","msg":"","time":"2023-08-11T11:41:25"}"#;

    #[test]
    fn flavours() {
        let cases: &[(&str, &[(&str, Role)])] = &[
            (
                CADDY,
                &[
                    ("info", Plain),
                    ("1716723772.6014807", Time),
                    ("http.log.access.log17", Plain),
                    ("handled request", Plain),
                    ("10.5.1.1", Client),
                    ("38574", Text),
                    ("10.10.10.117", Client),
                    ("HTTP/2.0", Plain),
                    ("GET", Plain),
                    ("mirrors.tnonline.net:400", Plain),
                    ("/gentoo/distfiles/9b/tl-hrlatex.tar.xz", Url),
                    ("*/*", Plain),
                    (
                        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                        Agent,
                    ),
                    ("10.10.10.117", Addrs),
                    ("https://example.com/beta/", Referrer),
                    ("h2", Plain),
                    ("example.com", Plain),
                    ("", User),
                    ("Caddy", Plain),
                    ("nginx/1.20.1", Plain),
                    (r#"\"cacq4sswpg5c2wo\""#, Text),
                    (r#"h3=\":443\"; ma=2592000"#, Text),
                ],
            ),
            (
                r#"{"ClientIP":"89.163.242.206","ClientRequestHost":"www.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/","ClientRequestUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","ClientRequestReferer":"","EdgeEndTimestamp":1712790000123000000,"EdgeResponseBytes":12480,"EdgeResponseStatus":200,"EdgeStartTimestamp":1712790000100000000,"RayID":"87a1b2c3d4e5f001","CacheCacheStatus":"miss","ClientCountry":"US","ClientRequestProtocol":"HTTP/2","EdgeColoCode":"SEA","WAFAction":"allow","WAFRuleID":"","FirewallMatchesActions":[],"FirewallMatchesRuleIDs":[]}"#,
                &[
                    ("89.163.242.206", Client),
                    ("www.example.com", Plain),
                    ("GET", Plain),
                    ("/", Url),
                    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Agent),
                    ("", Referrer),
                    ("1712790000123000000", Time),
                    ("1712790000100000000", Time),
                    ("87a1b2c3d4e5f001", Text),
                    ("miss", Plain),
                    ("US", Plain),
                    ("HTTP/2", Plain),
                    ("SEA", Plain),
                    ("allow", Text),
                    ("", Text),
                ],
            ),
            (
                r#"{"ClientIP":"185.220.101.34","ClientRequestURI":"/.env","WAFRuleID":"100022","FirewallMatchesActions":["block"],"FirewallMatchesRuleIDs":["100022"]}"#,
                &[
                    ("185.220.101.34", Client),
                    ("/.env", Url),
                    ("100022", Text),
                    ("block", Text),
                    ("100022", Text),
                ],
            ),
            // Cloudflare Logpush fields the sample lacks.
            (
                r#"{"ClientIP":"2001:db8::1","ClientSrcPort":443,"ClientRequestPath":"/a","EdgeServerIP":"198.51.100.7","OriginIP":"203.0.113.5","EdgeStartTimestamp":"2024-04-10T23:00:00Z","Cookies":{"__cf_bm":"abc","lang":"de"},"RequestHeaders":{"x-forwarded-for":"192.0.2.1","cf-connecting-ip":"192.0.2.1"}}"#,
                &[
                    ("2001:db8::1", Client),
                    ("/a", Url),
                    ("198.51.100.7", Addrs),
                    ("203.0.113.5", Addrs),
                    ("2024-04-10T23:00:00Z", Time),
                    ("abc", Secret),
                    ("de", Secret),
                    ("192.0.2.1", Addrs),
                    ("192.0.2.1", Addrs),
                ],
            ),
            (
                r#"{"idsite":1,"ip": "1.2.3.4","host": "www.piwik.org","path": "/piwik.php?action_name=Clearcode&idsite=1&url=http%3A%2F%2Fclearcode.cc%2F&_id=1da79fc743e8bcc4","status": "200","referrer": "http://clearcode.cc/","user_agent": "Mozilla/5.0 (Windows NT 6.1; WOW64)","length": 192,"generation_time_milli": 0.008,"date": "2013-10-10T16:52:00+02:00"}"#,
                &[
                    ("1.2.3.4", Client),
                    ("www.piwik.org", Plain),
                    (
                        "/piwik.php?action_name=Clearcode&idsite=1&url=http%3A%2F%2Fclearcode.cc%2F&_id=1da79fc743e8bcc4",
                        Url,
                    ),
                    ("200", Plain),
                    ("http://clearcode.cc/", Referrer),
                    ("Mozilla/5.0 (Windows NT 6.1; WOW64)", Agent),
                    ("2013-10-10T16:52:00+02:00", Time),
                ],
            ),
            // nginx `log_format … escape=json`, every variable a string.
            (
                r#"{"time_local":"10/Oct/2000:13:55:36 -0700","remote_addr":"203.0.113.9","remote_user":"bob","request":"GET /a?sid=42 HTTP/1.1","status":"200","body_bytes_sent":"5","request_time":"0.005","http_referer":"https://ex.com/?q=x","http_user_agent":"curl/8.0","http_x_forwarded_for":"198.51.100.1, 10.0.0.1","http_cookie":"sid=42","http_authorization":"Basic Ym9iOnNlY3JldA==","upstream_addr":"10.0.0.5:8080","server_name":"ex.com","args":"sid=42","request_uri":"/a?sid=42","uri":"/a","time_iso8601":"2000-10-10T13:55:36-07:00","http_x_real_ip":"203.0.113.9","http_host":"ex.com","realip_remote_addr":"10.0.0.1"}"#,
                &[
                    ("10/Oct/2000:13:55:36 -0700", Time),
                    ("203.0.113.9", Client),
                    ("bob", User),
                    ("GET /a?sid=42 HTTP/1.1", Request),
                    ("200", Plain),
                    ("5", Plain),
                    ("0.005", Plain),
                    ("https://ex.com/?q=x", Referrer),
                    ("curl/8.0", Agent),
                    ("198.51.100.1, 10.0.0.1", Addrs),
                    ("sid=42", Secret),
                    ("Basic Ym9iOnNlY3JldA==", Secret),
                    ("10.0.0.5:8080", Addrs),
                    ("ex.com", Plain),
                    ("sid=42", Query),
                    ("/a?sid=42", Url),
                    ("/a", Url),
                    ("2000-10-10T13:55:36-07:00", Time),
                    ("203.0.113.9", Addrs),
                    ("ex.com", Plain),
                    ("10.0.0.1", Client),
                ],
            ),
            (
                TRAEFIK,
                &[
                    ("172.20.0.1:52458", Client),
                    ("1.2.3.4", Client),
                    ("52458", Text),
                    ("-", User),
                    ("Prometheus/2.40.5", Agent),
                    ("www.example.com", Referrer),
                    ("200", Plain),
                    ("localhost", Addrs),
                    ("localhost", Plain),
                    ("GET", Plain),
                    ("/my/app/auth?id=1234&user=dude", Url),
                    ("-", Text),
                    ("HTTP/1.1", Plain),
                    ("http", Plain),
                    ("my-router@file", Plain),
                    ("apache:80", Addrs),
                    ("my-service@file", Plain),
                    ("http", Plain),
                    ("", Text),
                    ("apache:80", Plain),
                    ("", Url),
                    ("", Url),
                    ("", Query),
                    ("", Text),
                    ("2023-08-11T11:39:21.773360139Z", Time),
                    ("2023-08-11T11:39:21.773360139Z", Time),
                    ("http", Plain),
                    ("info", Plain),
                    ("", Plain),
                    ("2023-08-11T11:41:25", Time),
                ],
            ),
            // Traefik's header fields.
            (
                r#"{"request_X-Forwarded-For":"203.0.113.1","request_Cookie":"a=b","request_Authorization":"Bearer x","downstream_Set-Cookie":"s=1","request_X-Real-Ip":"203.0.113.1","origin_Content-Type":"text/html"}"#,
                &[
                    ("203.0.113.1", Addrs),
                    ("a=b", Secret),
                    ("Bearer x", Secret),
                    ("s=1", Secret),
                    ("203.0.113.1", Addrs),
                    ("text/html", Plain),
                ],
            ),
        ];
        for (line, want) in cases {
            assert_eq!(values(line, &Keys::default()), want.to_vec(), "{line}");
        }
    }

    #[test]
    fn builtin_roles() {
        let cases: &[(Role, &[&str])] = &[
            (
                Client,
                &[
                    "remote_addr",
                    "remote_ip",
                    "client_ip",
                    "ClientIP",
                    "ClientHost",
                    "ClientAddr",
                    "ip",
                    "IP",
                    "clientip",
                    "client",
                    "c-ip",
                    "realip_remote_addr",
                ],
            ),
            (
                Addrs,
                &[
                    "x-forwarded-for",
                    "X-Forwarded-For",
                    "http_x_forwarded_for",
                    "request_X-Forwarded-For",
                    "upstream_http_x_forwarded_for",
                    "x-real-ip",
                    "X-Real-IP",
                    "forwarded",
                    "true-client-ip",
                    "cf-connecting-ip",
                    "upstream_addr",
                    "server_addr",
                    "OriginIP",
                    "EdgeServerIP",
                    "ClientSrcIP",
                    "sourceIp",
                    "src_ip",
                    "ServiceAddr",
                    "a_key_name_far_too_long_for_the_tables_ip",
                ],
            ),
            (
                User,
                &[
                    "remote_user",
                    "user",
                    "user_id",
                    "username",
                    "ClientUsername",
                    "http_x_forwarded_user",
                ],
            ),
            (Request, &["request"]),
            (
                Url,
                &[
                    "uri",
                    "request_uri",
                    "path",
                    "RequestPath",
                    "ClientRequestURI",
                    "ClientRequestPath",
                    "url",
                ],
            ),
            (Query, &["args", "query_string", "query", "RawQuery"]),
            (
                Referrer,
                &[
                    "referer",
                    "referrer",
                    "http_referer",
                    "Referer",
                    "request_Referer",
                    "ClientRequestReferer",
                ],
            ),
            (
                Secret,
                &[
                    "cookie",
                    "Cookie",
                    "Cookies",
                    "set-cookie",
                    "sent_http_set_cookie",
                    "authorization",
                    "Authorization",
                    "proxy-authorization",
                    "x-api-key",
                    "http_cookie",
                    "http_authorization",
                    "request_Cookie",
                    "request_Authorization",
                    "ClientRequestCookie",
                    "session_id",
                    "access_token",
                    "X-Csrf-Token",
                    "ZIP",
                    "a_key_name_far_too_long_for_the_tables_cookie",
                ],
            ),
            (
                Time,
                &[
                    "ts",
                    "time",
                    "timestamp",
                    "time_local",
                    "time_iso8601",
                    "@timestamp",
                    "StartUTC",
                    "StartLocal",
                    "EdgeStartTimestamp",
                    "EdgeEndTimestamp",
                    "date",
                ],
            ),
            (
                Plain,
                &[
                    "method",
                    "proto",
                    "host",
                    "status",
                    "level",
                    "logger",
                    "msg",
                    "request_time",
                    "request_method",
                    "http_host",
                    "RequestMethod",
                ],
            ),
            (
                Agent,
                &[
                    "User-Agent",
                    "user_agent",
                    "http_user_agent",
                    "request_User-Agent",
                    "ClientRequestUserAgent",
                ],
            ),
            (
                Text,
                &[
                    "WWW-Authenticate",
                    "skip",
                    "tooltip",
                    "RayID",
                    "Etag",
                    "",
                    "a_key_name_far_too_long_for_the_tables",
                ],
            ),
        ];
        for (role, names) in cases {
            for name in *names {
                assert_eq!(builtin_role(name.as_bytes()), *role, "{name}");
            }
        }
    }

    #[test]
    fn escapes() {
        let line = r#"{"remote_user":"bob\u0040example.com","uri":"\/a\/b","http_user_agent":"say \"hi\" \\o\/","msg":"plain","request":"GET /\x22 HTTP/1.1"}"#;
        let fields = parsed(line.as_bytes(), &Keys::default()).unwrap();
        let want: &[(&str, bool, Option<&str>)] = &[
            (r"bob\u0040example.com", true, Some("bob@example.com")),
            (r"\/a\/b", true, Some("/a/b")),
            (r#"say \"hi\" \\o\/"#, true, Some(r#"say "hi" \o/"#)),
            ("plain", false, Some("plain")),
            // nginx without `escape=json`: the line parses, the value does not decode.
            (r"GET /\x22 HTTP/1.1", true, None),
        ];
        assert_eq!(fields.len(), want.len());
        let mut out = Vec::new();
        for (field, &(raw, escaped, decoded)) in fields.iter().zip(want) {
            assert_eq!(&line[field.range.clone()], raw);
            assert_eq!(field.escaped, escaped, "{raw}");
            let ok = decode(raw.as_bytes(), &mut out);
            assert_eq!(ok.then_some(&out[..]), decoded.map(str::as_bytes), "{raw}");
        }
    }

    #[test]
    fn arrays_and_nesting() {
        let cases: &[(&str, &[(&str, Role)])] = &[
            (
                r#"{"X-Forwarded-For":["10.0.0.1","10.0.0.2"],"list":[["x",["y"]],{"referer":"r"},1,null],"after":"t"}"#,
                &[
                    ("10.0.0.1", Addrs),
                    ("10.0.0.2", Addrs),
                    ("x", Text),
                    ("y", Text),
                    ("r", Referrer),
                    ("t", Text),
                ],
            ),
            // A secret key's role passes to everything inside it, and ends with it.
            (
                r#"{"Cookies":{"sid":"1","nested":{"deep":["2"]},"uri":"3"},"session":[{"id":"4"}],"uri":"/"}"#,
                &[
                    ("1", Secret),
                    ("2", Secret),
                    ("3", Secret),
                    ("4", Secret),
                    ("/", Url),
                ],
            ),
            // The members of a headers object go by the header rules; objects in a headers
            // array do not.
            (
                r#"{"resp_headers":{"Set-Cookie":["a=b"],"Www-Authenticate":["Basic"]},"headers":[{"name":"x"}]}"#,
                &[("a=b", Secret), ("Basic", Text), ("x", Secret)],
            ),
            // Caddy's `request` is an object: its role does not pass to its members.
            (
                r#"{"request":{"method":"GET","request":"GET / HTTP/1.1","headers":{}},"msg":"m"}"#,
                &[("GET", Plain), ("GET / HTTP/1.1", Request), ("m", Plain)],
            ),
        ];
        for (line, want) in cases {
            assert_eq!(values(line, &Keys::default()), want.to_vec(), "{line}");
        }
    }

    /// `{"k":{"k":…{"key":"v"}…}}` with `levels` objects in all.
    fn nested(levels: usize, key: &str) -> String {
        let mut line = r#"{"k":"#.repeat(levels - 1);
        line.push_str(&format!(r#"{{"{key}":"v"}}"#));
        line.push_str(&"}".repeat(levels - 1));
        line
    }

    #[test]
    fn depth() {
        let keys = Keys::default();
        assert_eq!(values(&nested(1, "referer"), &keys), [("v", Referrer)]);
        assert_eq!(
            values(&nested(PATH_CAP, "referer"), &keys),
            [("v", Referrer)]
        );
        assert_eq!(
            values(&nested(PATH_CAP + 1, "referer"), &keys),
            [("v", Text)]
        );
        // An inherited secret reaches below the kept keys.
        let deep = format!(r#"{{"cookie":{}}}"#, nested(2 * PATH_CAP, "uri"));
        assert_eq!(values(&deep, &keys), [("v", Secret)]);
        let arrays = |n: usize| format!(r#"{{"a":{}"s"{}}}"#, "[".repeat(n), "]".repeat(n));
        assert!(parsed(arrays(DEPTH_CAP - 1).as_bytes(), &keys).is_some());
        assert!(parsed(arrays(DEPTH_CAP).as_bytes(), &keys).is_none());
        assert!(parsed(nested(DEPTH_CAP, "a").as_bytes(), &keys).is_some());
        assert!(parsed(nested(DEPTH_CAP + 1, "a").as_bytes(), &keys).is_none());
    }

    #[test]
    fn user_named_keys() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let keys = Keys::default()
            .with(Addrs, &names(&["REQUEST.Remote_IP"]))
            .with(User, &names(&["visitor"]))
            .with(Text, &names(&["meta.visitor"]))
            .with(Referrer, &names(&["request.headers.x-custom"]))
            .with(Url, &names(&["meta.tags"]))
            .with(Plain, &names(&["http.request.method", "remote_ip"]))
            .with(Secret, &names(&[""]));
        let line = r#"{"request":{"remote_ip":"10.0.0.1","client_ip":"1.2.3.4","headers":{"X-Custom":["a"],"Referer":["r"]}},"remote_ip":"5.6.7.8","visitor":"v","meta":{"visitor":"w","tags":["t1",{"k":"t2"}]},"http.request.method":"GET","":"e"}"#;
        let want = [
            // A dotted name beats a bare one and the tables.
            ("10.0.0.1", Addrs),
            ("1.2.3.4", Client),
            ("a", Referrer),
            ("r", Referrer),
            // A bare name beats the tables.
            ("5.6.7.8", Plain),
            ("v", User),
            ("w", Text),
            // A named array passes its role to everything inside.
            ("t1", Url),
            ("t2", Url),
            // A dotted name also matches a top-level key with dots; the key itself, holding
            // dots, is scanned as free text.
            ("http.request.method", Text),
            ("GET", Plain),
            // Empty names are ignored.
            ("e", Text),
        ];
        assert_eq!(values(line, &keys), want);
        // The same dotted name given twice: the first wins.
        let keys = Keys::default()
            .with(User, &names(&["a.b"]))
            .with(Url, &names(&["a.b"]));
        assert_eq!(
            values(r#"{"a":{"b":"x"},"b":"y"}"#, &keys),
            [("x", User), ("y", Text)]
        );
    }

    #[test]
    fn well_formed_edge_cases() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"{}", &[]),
            (
                b" \t{ \"a\" : [ ] , \"b\" : { } , \"c\" : \"d\" } \r",
                &[b"d"],
            ),
            (
                b"{\"a\":-0.5e+10,\"b\":[true,false,null],\"c\":0,\"d\":1E3,\"e\":12.25}",
                &[],
            ),
            (b"{\"\":\"\"}", &[b""]),
            // Raw control bytes and invalid UTF-8 inside strings pass; parsing is byte-based.
            (
                b"{\"a\":\"x\x01y\",\"b\":\"\xff\xfe bot\",\"\xc3\":\"caf\xc3\"}",
                &[b"x\x01y", b"\xff\xfe bot", b"caf\xc3"],
            ),
        ];
        for (line, want) in cases {
            let fields = parsed(line, &Keys::default())
                .unwrap_or_else(|| panic!("rejected: {}", line.escape_ascii()));
            let got: Vec<&[u8]> = fields.iter().map(|f| &line[f.range.clone()]).collect();
            assert_eq!(got, want.to_vec(), "{}", line.escape_ascii());
        }
    }

    #[test]
    fn malformed_lines() {
        let lines: &[&[u8]] = &[
            b"",
            b"   ",
            b"{",
            b"}",
            b"{\"a\":1",
            b"{\"a\":\"b",
            b"{\"a\":\"b\\\"}",
            b"{\"a\":\"b\\",
            b"{\"a\":1}{\"b\":2}",
            b"{\"a\":1} x",
            b"{\"a\":1}}",
            b"x{\"a\":1}",
            b"{\"a\":1}\x00",
            b"[1,2]",
            b"\"s\"",
            b"1",
            b"null",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\" 1}",
            b"{\"a\":1,}",
            b"{,}",
            b"{\"a\":1 \"b\":2}",
            b"{\"a\":\"b\"\"c\"}",
            b"{\"a\":[1,]}",
            b"{\"a\":[1 2]}",
            b"{\"a\":[}",
            b"{\"a\":{]}",
            b"{\"a\":[1}]",
            b"{'a':1}",
            b"{a:1}",
            b"{1:2}",
            b"{\"a\":tru}",
            b"{\"a\":truex}",
            b"{\"a\":nul}",
            b"{\"a\":01}",
            b"{\"a\":-}",
            b"{\"a\":1.}",
            b"{\"a\":.5}",
            b"{\"a\":1e}",
            b"{\"a\":+1}",
            b"{\"a\":NaN}",
            b"{\"a\":1,\xff:2}",
            b"{\"a\"\x0b:1}",
        ];
        for line in lines {
            assert!(
                parsed(line, &Keys::default()).is_none(),
                "accepted: {}",
                line.escape_ascii()
            );
        }
        // No strict prefix of an object is an object.
        for line in [CADDY, TRAEFIK] {
            for end in 0..line.len() {
                assert!(parsed(&line.as_bytes()[..end], &Keys::default()).is_none());
            }
        }
    }

    #[test]
    fn decode_cases() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"", Some(b"")),
            (b"plain", Some(b"plain")),
            (br#"a\"b"#, Some(b"a\"b")),
            (br"\\", Some(b"\\")),
            (br"\/", Some(b"/")),
            (br"\b\f\n\r\t", Some(b"\x08\x0c\n\r\t")),
            (br"\u0040", Some(b"@")),
            (br"\u0000", Some(b"\x00")),
            (br"\u00e9\u00C9", Some("éÉ".as_bytes())),
            (br"\u20AC", Some("€".as_bytes())),
            (br"\ud83d\ude00", Some("😀".as_bytes())),
            (br"x\uD83D\uDE00y", Some("x😀y".as_bytes())),
            (b"\xff\\n\xc3", Some(b"\xff\n\xc3")),
            (br"\", None),
            (br"a\x22", None),
            (br"\u12", None),
            (br"\u12g4", None),
            (br"\u+123", None),
            (br"\ud83d", None),
            (br"\ud83dx", None),
            (br"\ud83d\u0041", None),
            (br"\ud83d\ud83d", None),
            (br"\ud83d\n", None),
            (br"\ude00", None),
        ];
        let mut out = b"stale".to_vec();
        for (raw, want) in cases {
            let ok = decode(raw, &mut out);
            assert_eq!(ok.then_some(&out[..]), *want, "{}", raw.escape_ascii());
        }
    }

    #[test]
    fn encode_cases() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"/plain/path?a=b", b"/plain/path?a=b"),
            (b"a\"b\\c", br#"a\"b\\c"#),
            (b"\n\r\t", br"\n\r\t"),
            (b"\x00\x08\x1f\x7f", b"\\u0000\\u0008\\u001f\x7f"),
            ("é😀".as_bytes(), "é😀".as_bytes()),
            (b"\xff\xc3", b"\xff\xc3"),
        ];
        for (s, want) in cases {
            // Appends: what is in `out` stays.
            let mut out = b">".to_vec();
            encode(s, &mut out);
            assert_eq!(&out[1..], *want, "{}", s.escape_ascii());
            assert_eq!(out[0], b'>');
        }
    }

    proptest! {
        #[test]
        fn encoded_values_round_trip(s in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut encoded = Vec::new();
            encode(&s, &mut encoded);
            let mut decoded = Vec::new();
            prop_assert!(decode(&encoded, &mut decoded));
            prop_assert_eq!(&decoded, &s);
            // And it fits back into a line as one string value.
            let mut line = b"{\"uri\":\"".to_vec();
            line.extend_from_slice(&encoded);
            line.extend_from_slice(b"\"}");
            let fields = parsed(&line, &Keys::default()).unwrap();
            prop_assert_eq!(fields.len(), 1);
            prop_assert_eq!(&line[fields[0].range.clone()], &encoded[..]);
        }

        #[test]
        fn any_bytes_parse_without_panic(
            line in proptest::collection::vec(
                proptest::sample::select(b"{}[]:,\"\\ u0-1.etrnaf\xff".to_vec()),
                0..48,
            )
        ) {
            let mut fields = Vec::new();
            if parse(&line, &Keys::default(), &mut fields) {
                check_ranges(&line, &fields);
            }
            let mut out = Vec::new();
            let _ = decode(&line, &mut out);
        }
    }
}
