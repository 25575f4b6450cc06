//! The per-line driver: the layout reads a line into fields ([`Layout::read`]: its format's,
//! a directive's, or the fail-safe reading's), and one writer hands each field to its redactor
//! and copies everything between fields verbatim.

use memchr::memchr;

use crate::config::{AgentPolicy, Config};
use crate::format::layout::{self, Layout, Reading};
use crate::format::{json, Field, Role};
use crate::lines;
use crate::redact::memo::Memo;
use crate::redact::text::Scan;
use crate::redact::{host, text, url, user, Ctx, Redaction, PLACEHOLDER};
use crate::stats::Stats;

/// Scrubs lines under one [`Config`]. Keep one per thread: it owns reusable scratch space and
/// its own counters, so the hot path neither locks nor allocates once warmed up.
pub struct Scrubber<'c> {
    cx: Ctx<'c>,
    layout: Layout,
    fields: Vec<Field>,
    scratch: Scratch,
    memo: Memo,
}

/// Buffers for JSON string values with escapes: decoded, then redacted, then encoded again.
#[derive(Default)]
struct Scratch {
    decoded: Vec<u8>,
    redacted: Vec<u8>,
    /// A fail-safe line as first written, when it is written again by the format's fields.
    written: Vec<u8>,
}

impl<'c> Scrubber<'c> {
    /// A scrubber for `cfg` with zeroed counters, reading lines in the configured format
    /// (common or combined per line under `--format auto`, until [`Scrubber::set_layout`]).
    pub fn new(cfg: &'c Config) -> Self {
        let layout = cfg.layout();
        let mut cx = Ctx::new(cfg);
        cx.plus_is_space = matches!(layout, Layout::W3c(_));
        Scrubber {
            cx,
            layout,
            fields: Vec::new(),
            scratch: Scratch::default(),
            memo: Memo::new(),
        }
    }

    /// Reads the following lines with `layout`: the format recognised for an input, or, in a
    /// parallel run, the layout in effect where a chunk starts.
    pub fn set_layout(&mut self, layout: Layout) {
        // W3C logs write a space in a value as `+`.
        self.cx.plus_is_space = matches!(layout, Layout::W3c(_));
        self.layout = layout;
    }

    /// The layout in effect, W3C columns included.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Scrubs `input`, any number of `\n`-terminated lines (the last may lack its terminator),
    /// appending to `out`. Every input line yields exactly one output line with the same
    /// terminator (`\n`, `\r\n`, or none for an unterminated last line).
    pub fn scrub(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let before = out.len();
        for line in lines::lines(input) {
            self.scrub_line(line, out);
        }
        self.cx.stats.bytes_in += input.len() as u64;
        self.cx.stats.bytes_out += (out.len() - before) as u64;
    }

    /// Scrubs one line, with or without its terminator, appending to `out`.
    pub fn scrub_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let (body, terminator) = lines::split_terminator(line);
        self.cx.stats.lines_in += 1;
        let start = out.len();
        self.scrub_body(body, out);
        // The audit reads the line as written, across fields and rewrites.
        text::scrub_written_line(&mut self.cx, out, start);
        self.cx.end_line();
        out.extend_from_slice(terminator);
        self.cx.stats.lines_out += 1;
    }

    /// The counters so far.
    pub fn stats(&self) -> &Stats {
        &self.cx.stats
    }

    /// Returns the counters so far and resets them.
    pub fn take_stats(&mut self) -> Stats {
        std::mem::take(&mut self.cx.stats)
    }

    fn scrub_body(&mut self, body: &[u8], out: &mut Vec<u8>) {
        let reading = self.layout.read(body, &mut self.fields);
        let start = out.len();
        self.write_line(body, out, true);
        if reading != Reading::Fallback {
            return;
        }
        self.cx.stats.fallback_lines += u64::from(!body.iter().all(u8::is_ascii_whitespace));
        // What the fail-safe reading wrote can read as a line of the format, in other columns
        // than it was read by: a line scrubbed as common has its client where a custom
        // format has its ident. Such a line is written once more by the format's fields, as a
        // reader of the format will take it.
        if self.layout.parse(&out[start..], &mut self.fields) {
            let mut written = std::mem::take(&mut self.scratch.written);
            written.clear();
            written.extend_from_slice(&out[start..]);
            out.truncate(start);
            // The line's user agent has been counted. A writing that changes nothing counts
            // nothing (an address masked twice is one); one that changes something counts
            // what it rewrote.
            let counted = self.cx.stats.redaction_counts();
            self.write_line(&written, out, false);
            if out[start..] == written[..] {
                self.cx.stats.set_redaction_counts(counted);
            }
            self.scratch.written = written;
        }
    }

    /// Writes `line` by the fields it was read into, dated by its timestamp for the keys of
    /// any address in it.
    /// `count_agents`: whether its user agents are counted (under `--count-agents`).
    fn write_line(&mut self, line: &[u8], out: &mut Vec<u8>, count_agents: bool) {
        let fields = &self.fields;
        self.cx.begin_line(|| layout::date_of(line, fields));
        let count_agents = count_agents && self.cx.cfg.counts_agents();
        let (cx, memo, scratch) = (&mut self.cx, &mut self.memo, &mut self.scratch);
        write_fields(cx, memo, line, fields, count_agents, scratch, out);
    }
}

/// Writes a parsed line: each field by its role, the bytes between fields as they are. A field
/// written back unchanged is not copied on its own but with the bytes around it: on a line
/// whose request, referrer and agent are remembered as unchanged, everything after the client
/// is one copy.
fn write_fields(
    cx: &mut Ctx,
    memo: &mut Memo,
    line: &[u8],
    fields: &[Field],
    count_agents: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) {
    let mut copied = 0;
    let agent_kept = cx.cfg.agent() == AgentPolicy::Keep;
    for field in fields {
        let value = &line[field.range.clone()];
        let agent = field.role == Role::Agent;
        if !field.escaped && passes_unchanged(field.role, value) && (agent_kept || !agent) {
            if agent && count_agents {
                cx.stats.count_agent(value, value);
            }
            continue;
        }
        // Free text reads `+` by the format: a W3C value is remembered apart from another's.
        let kind = field.role as u8 | u8::from(cx.plus_is_space) << 7;
        let remembered = !field.escaped && Memo::covers(field.role) && Memo::applies(value);
        if remembered {
            if let Some(written) = memo.get(kind, value) {
                cx.stats.add_redaction_counts(written.counts);
                if agent && count_agents {
                    cx.stats.count_agent(value, written.bytes);
                }
                if !written.same {
                    out.extend_from_slice(&line[copied..field.range.start]);
                    out.extend_from_slice(written.bytes);
                    copied = field.range.end;
                }
                continue;
            }
        }
        out.extend_from_slice(&line[copied..field.range.start]);
        let at = out.len();
        if field.escaped {
            write_escaped(cx, field.role, value, scratch, out);
        } else if remembered {
            write_remembered(cx, memo, kind, field.role, value, out);
        } else {
            write_value(cx, field.role, value, out);
        }
        if agent && count_agents {
            let written = &out[at..];
            cx.stats.count_agent(value, written);
        }
        copied = field.range.end;
    }
    out.extend_from_slice(&line[copied..]);
}

/// Whether [`write_value`] writes `value` of `role` back unchanged and counts nothing, under any
/// policy: short free text the fail-safe scan has nothing to start at in, a timestamp (parsers
/// admit only plain ones), no user.
#[inline]
fn passes_unchanged(role: Role, value: &[u8]) -> bool {
    // Bit sets rather than a `match`: the roles of a line's fields come in a fixed order that a
    // jump table predicts badly.
    const SCANNED: u16 = 1 << Role::Text as u8
        | 1 << Role::Agent as u8
        | 1 << Role::Plain as u8
        | 1 << Role::Addrs as u8
        | 1 << Role::Unknown as u8;
    let bit = 1u16 << role as u8;
    bit == 1 << Role::Time as u8
        || (bit & SCANNED != 0 && text::is_inert(value))
        || (bit == 1 << Role::User as u8 && value == b"-")
}

/// A JSON string with escapes: what the escapes hide (`\u0040`, `\/`) is redacted like plain
/// text, and the result is escaped again, so the line stays valid JSON. Unchanged values keep
/// their original spelling.
fn write_escaped(cx: &mut Ctx, role: Role, raw: &[u8], scratch: &mut Scratch, out: &mut Vec<u8>) {
    if !json::decode(raw, &mut scratch.decoded) {
        // Not decodable, so not knowable: nothing of it may pass.
        cx.count(Redaction::Value);
        return out.extend_from_slice(PLACEHOLDER);
    }
    scratch.redacted.clear();
    cx.escaped = true;
    write_value(cx, role, &scratch.decoded, &mut scratch.redacted);
    cx.escaped = false;
    if scratch.redacted == scratch.decoded {
        out.extend_from_slice(raw);
    } else {
        json::encode(&scratch.redacted, out);
    }
}

/// [`write_value`] for a value the memo does not hold, which it then remembers (as `kind`)
/// unless an address in it went through the pseudonymizer.
fn write_remembered(
    cx: &mut Ctx,
    memo: &mut Memo,
    kind: u8,
    role: Role,
    value: &[u8],
    out: &mut Vec<u8>,
) {
    let (start, counted, keyed) = (out.len(), cx.stats.redaction_counts(), cx.keyed_writes());
    write_value(cx, role, value, out);
    if cx.keyed_writes() == keyed {
        let now = cx.stats.redaction_counts();
        let counts = std::array::from_fn(|i| now[i] - counted[i]);
        memo.remember(kind, value, &out[start..], counts);
    }
}

/// Writes a user agent under the agent policy: scrubbed of personal data, then reduced or
/// dropped.
fn agent(cx: &mut Ctx, value: &[u8], out: &mut Vec<u8>) {
    match cx.cfg.agent() {
        AgentPolicy::Keep => text::scrub_text(cx, value, Scan::Agent, out),
        AgentPolicy::Drop if value.is_empty() || value == b"-" => out.extend_from_slice(value),
        AgentPolicy::Drop => out.push(b'-'),
        AgentPolicy::Reduce => {
            let mut scrubbed = std::mem::take(&mut cx.agent);
            scrubbed.clear();
            text::scrub_text(cx, value, Scan::Agent, &mut scrubbed);
            crate::redact::agent::reduce(&scrubbed, out);
            cx.agent = scrubbed;
        }
    }
}

/// Free text with HAProxy header captures (`{www.example.com|Mozilla/5.0 (…)}`): each captured
/// value is scrubbed fail-safe on its own, so that a query in one
/// (`{www.example.com|https://www.google.com/search?q=jane+doe}`) ends with it and the `|` and
/// `}` after it stay; a captured browser user agent is then reduced or dropped (left empty, as
/// HAProxy writes a missing header) under the agent policy. Text outside the braces is
/// scrubbed fail-safe as it comes.
fn captures(cx: &mut Ctx, value: &[u8], out: &mut Vec<u8>) {
    let mut rest = value;
    while let Some(open) = memchr(b'{', rest) {
        text::scrub_text(cx, &rest[..open], Scan::FailSafe, out);
        out.push(b'{');
        rest = &rest[open + 1..];
        loop {
            let Some(k) = memchr::memchr2(b'|', b'}', rest) else {
                // Not closed: what follows is one item to the end.
                return captured(cx, rest, out);
            };
            captured(cx, &rest[..k], out);
            out.push(rest[k]);
            let closed = rest[k] == b'}';
            rest = &rest[k + 1..];
            if closed {
                break;
            }
        }
    }
    text::scrub_text(cx, rest, Scan::FailSafe, out);
}

/// One captured header value: scrubbed fail-safe, and reduced or dropped under the agent
/// policy if it is a browser's user agent.
fn captured(cx: &mut Ctx, item: &[u8], out: &mut Vec<u8>) {
    let browser = item.starts_with(b"Mozilla/") || item.starts_with(b"Opera/");
    match cx.cfg.agent() {
        AgentPolicy::Drop if browser => {}
        AgentPolicy::Reduce if browser => {
            let mut scrubbed = std::mem::take(&mut cx.agent);
            scrubbed.clear();
            text::scrub_text(cx, item, Scan::FailSafe, &mut scrubbed);
            crate::redact::agent::reduce(&scrubbed, out);
            cx.agent = scrubbed;
        }
        _ => text::scrub_text(cx, item, Scan::FailSafe, out),
    }
}

/// Writes one field's value by its role.
fn write_value(cx: &mut Ctx, role: Role, value: &[u8], out: &mut Vec<u8>) {
    match role {
        Role::Client => host::redact_client(cx, value, out),
        Role::Endpoint => host::redact_endpoint(cx, value, out),
        Role::User => user::redact_user(cx, value, out),
        Role::Request => url::redact_request(cx, value, out),
        Role::Url => url::redact_target(cx, value, out),
        Role::Query => url::redact_query(cx, value, out),
        Role::Referrer => url::redact_referrer(cx, value, out),
        // Parsers let only what is made like a timestamp be one.
        Role::Time => out.extend_from_slice(value),
        // A template that matched an unusual line may have put anything into any field, so
        // even fields expected to be harmless get the fail-safe scrub (which leaves numbers,
        // names and protocols as they are).
        Role::Agent => agent(cx, value, out),
        // Known harmless fields (`Content-Type: text/html; charset=utf-8`) are not read as
        // `name=value` pairs, but their queries and addresses are still scrubbed.
        Role::Plain => text::scrub_text(cx, value, Scan::Agent, out),
        // HAProxy's captured headers (`{host|agent}`) may hold the user agent.
        Role::Text if memchr(b'{', value).is_some() => captures(cx, value, out),
        Role::Text | Role::Addrs | Role::Unknown => {
            text::scrub_text(cx, value, Scan::FailSafe, out)
        }
        Role::Version => text::scrub_text(cx, value, Scan::Version, out),
        Role::Coordinate => {
            let at = out.len();
            if crate::redact::personal::coarsen_coordinates(value, out) {
                cx.count(Redaction::Value);
            } else {
                // No precise coordinate under a place's key (`destination`): scanned like
                // any text, as it may be a phone number.
                out.truncate(at);
                text::scrub_text(cx, value, Scan::FailSafe, out);
            }
        }
        Role::Secret => {
            if value.is_empty() || value == b"-" {
                out.extend_from_slice(value);
            } else {
                cx.count(Redaction::Value);
                out.extend_from_slice(PLACEHOLDER);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IpPolicy, ReferrerPolicy, RequestPolicy, UserPolicy};
    use crate::format::Format;

    fn scrub(cfg: &Config, input: &[u8]) -> Vec<u8> {
        let mut s = Scrubber::new(cfg);
        let mut out = Vec::new();
        s.scrub(input, &mut out);
        out
    }

    /// What is copied without its redactor must be what the redactor would write, under every
    /// policy; and values the redactors do change are not copied.
    #[test]
    fn values_copied_unchanged_are_those_redactors_keep() {
        let policies = [
            Config::default(),
            Config::builder().user(UserPolicy::Keep).build().unwrap(),
            Config::builder().ip(IpPolicy::Keep).build().unwrap(),
            Config::builder()
                .user(UserPolicy::Hash)
                .ip(IpPolicy::Hash)
                .build()
                .unwrap(),
        ];
        let cases: &[(Role, &str, bool)] = &[
            (Role::Plain, "200", true),
            (Role::Plain, "-", true),
            (Role::Plain, "", true),
            (Role::Text, "curl-7", true),
            (Role::Addrs, "-", true),
            (Role::Time, "[10/Oct/2000:13:55:36 -0700]", true),
            (Role::User, "-", true),
            (Role::Plain, "1.2.3.4", false),
            (Role::Text, "a@b.example", false),
            (Role::Text, "?sid=1", false),
            (Role::Text, "0123456789abcdefg", false),
            (Role::User, "frank", false),
            (Role::Client, "-", false),
        ];
        for cfg in &policies {
            for &(role, value, copied) in cases {
                assert_eq!(
                    passes_unchanged(role, value.as_bytes()),
                    copied,
                    "{role:?} {value}"
                );
                if copied {
                    let mut cx = Ctx::new(cfg);
                    let mut out = Vec::new();
                    write_value(&mut cx, role, value.as_bytes(), &mut out);
                    assert_eq!(out, value.as_bytes(), "{role:?} {value}");
                    assert_eq!(cx.stats.redaction_counts(), [0; 5], "{role:?} {value}");
                }
            }
        }
    }

    #[test]
    fn combined_line_default_policy() {
        let line = br#"83.149.9.216 - frank [17/May/2015:10:05:03 +0000] "GET /s?q=x&page=2 HTTP/1.1" 200 203023 "http://a.example/b?c=d" "Mozilla/5.0 (+mailto:bot@example.org)""#;
        let want = br#"83.149.9.0 - - [17/May/2015:10:05:03 +0000] "GET /s?q=REDACTED&page=2 HTTP/1.1" 200 203023 "http://a.example/b" "Mozilla/5.0 (+mailto:REDACTED)""#;
        assert_eq!(
            String::from_utf8_lossy(&scrub(&Config::default(), line)),
            String::from_utf8_lossy(want)
        );
    }

    #[test]
    fn keep_all_but_ip_touches_only_addresses() {
        let cfg = Config::builder()
            .referrer(ReferrerPolicy::Keep)
            .request(RequestPolicy::Keep)
            .user(UserPolicy::Keep)
            .build()
            .unwrap();
        let line =
            br#"10.0.0.1 - frank [t] "GET /s?q=x HTTP/1.1" 200 1 "http://a.example/b?c=d" "ua""#;
        let want =
            br#"10.0.0.0 - frank [t] "GET /s?q=x HTTP/1.1" 200 1 "http://a.example/b?c=d" "ua""#;
        assert_eq!(scrub(&cfg, line), want.to_vec());
    }

    #[test]
    fn terminators_and_odd_bytes_survive() {
        let cfg = Config::default();
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"\n", b"\n"),
            (b"\r\n\r\n", b"\r\n\r\n"),
            (b"1.2.3.4 x\r\n", b"1.2.3.0 x\r\n"),
            (b"a\nb", b"a\nb"),
            (b"\x00\xff 1.2.3.4 \xfe\n", b"\x00\xff 1.2.3.0 \xfe\n"),
            (b"x\r", b"x\r"),
        ];
        for &(input, want) in cases {
            assert_eq!(scrub(&cfg, input), want.to_vec(), "{input:?}");
        }
    }

    /// Regression (fuzz): a line the ALB template matched with empty fields put a query into
    /// a field expected to hold a plain name.
    #[test]
    fn oddly_matched_fields_are_scrubbed_fail_safe() {
        let cfg = Config::builder().format(Format::Alb).build().unwrap();
        let out = scrub(&cfg, br#"?user=0     0    0   "" ""#);
        assert_eq!(out, br#"?user=REDACTED     0    0   "" ""#.to_vec());
    }

    /// Regression (fuzz): a W3C directive line holding a fragment parameter.
    #[test]
    fn w3c_directives_are_scrubbed_fail_safe() {
        let cfg = Config::builder().format(Format::W3c).build().unwrap();
        let input = b"#Software: IIS\n#q=f\n#Remark: from 192.0.2.7 ?email=a\n";
        let want = b"#Software: IIS\n#q=REDACTED\n#Remark: from 192.0.2.0 ?email=REDACTED\n";
        assert_eq!(scrub(&cfg, input), want.to_vec());
    }

    /// Regression (fuzz): the timestamp of a common line is copied unscanned, so a line with
    /// anything else in its place is not taken as common or combined.
    #[test]
    fn only_timestamps_pass_as_timestamps() {
        let cfg = Config::default();
        let mut s = Scrubber::new(&cfg);
        let mut out = Vec::new();
        s.scrub(
            b"1.2.3.4 - - [a@b.com] \"GET / HTTP/1.1\" 200 5\n1 - - [?s=] \"\" 2 5\n",
            &mut out,
        );
        assert_eq!(
            out,
            b"1.2.3.0 - - [REDACTED] \"GET / HTTP/1.1\" 200 5\n1 - - [?s=] \"\" 2 5\n".to_vec()
        );
        assert_eq!(s.stats().fallback_lines, 2);
    }

    #[test]
    fn the_line_is_scrubbed_as_written() {
        let cfg = Config::default();
        let cases: &[(&[u8], &[u8])] = &[
            // Regression (fuzz): a referrer's host `::` and its path `//9@0X`.
            (
                br#"198.51.100.7 - - [10/Oct/2023:13:55:36 +0200] "GET /:90X.: HTTP/1.1" 200 1 "http://:://9@0X" "-""#,
                br#"198.51.100.0 - - [10/Oct/2023:13:55:36 +0200] "GET /:90X.: HTTP/1.1" 200 1 "http://:://0X" "-""#,
            ),
            // The timestamp is copied, never scanned: a line with a URL in its place is not
            // common, and scrubbed fail-safe. What that writes is a common line, written
            // once more by its fields, which take the host name `h` for the client.
            (
                br#"h - - [x://u:p@h] "GET / HTTP/1.1" 200 1"#,
                br#"- - - [x://h] "GET / HTTP/1.1" 200 1"#,
            ),
            (
                br#"h - - [a@b.example] "GET / HTTP/1.1" 200 1"#,
                br#"- - - [REDACTED] "GET / HTTP/1.1" 200 1"#,
            ),
        ];
        for &(input, want) in cases {
            let got = scrub(&cfg, input);
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
        }
    }

    /// Remembered values change nothing: a warm scrubber writes and counts what a fresh one
    /// does, under policies that pseudonymize and rotate keys too.
    #[test]
    fn every_line_is_counted_once_for_its_keys() {
        let cfg = |format| {
            Config::builder()
                .format(format)
                .ip(IpPolicy::Hash)
                .rotation(crate::config::Rotation::Daily)
                .build()
                .unwrap()
        };
        // Lines read more than once (as the format, then fail-safe as common, then as the
        // format again) count once: 31 February is no day.
        let feb31 = "10.1.2.3 - - [31/Feb/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5\n";
        let cases: &[(Format, &str, u64)] = &[
            (Format::Json, feb31, 1),
            (Format::W3c, feb31, 1),
            (Format::Auto, feb31, 1),
            (Format::Auto, "garbage 10.1.2.3 line\n", 1),
            (
                Format::Json,
                "10.1.2.3 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5\n",
                0,
            ),
            (Format::Json, "a\nb\n", 2),
        ];
        for &(format, input, unkeyed) in cases {
            let cfg = cfg(format);
            let mut scrubber = Scrubber::new(&cfg);
            scrubber.scrub(input.as_bytes(), &mut Vec::new());
            assert_eq!(
                scrubber.stats().unkeyed_lines,
                unkeyed,
                "{format:?} {input}"
            );
        }
    }

    #[test]
    fn remembered_values_change_nothing() {
        let input = [
            &include_bytes!("../fixtures/combined.log")[..],
            include_bytes!("../fixtures/formats/combined_xff.log"),
        ]
        .concat();
        let configs = [
            Config::default(),
            Config::builder()
                .ip(IpPolicy::Hash)
                .user(UserPolicy::Hash)
                .rotation(crate::config::Rotation::Daily)
                .build()
                .unwrap(),
            Config::builder()
                .referrer(ReferrerPolicy::Redact)
                .build()
                .unwrap(),
        ];
        for cfg in &configs {
            let mut warm = Scrubber::new(cfg);
            let mut out = Vec::new();
            warm.scrub(&input, &mut out);
            warm.take_stats();
            out.clear();
            warm.scrub(&input, &mut out);
            let mut fresh = Scrubber::new(cfg);
            let mut want = Vec::new();
            fresh.scrub(&input, &mut want);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want)
            );
            assert_eq!(warm.stats(), fresh.stats());
        }
    }

    /// A value is written from the memo only where its writing is a function of its bytes:
    /// an address pseudonymized in it takes the key of its line's day (or is masked on a line
    /// without keys), so each line must come out as a scrubber that never saw the others
    /// writes it, and the counts must add up the same.
    #[test]
    fn remembered_writings_follow_the_line_keys() {
        let agent = "Mozilla/5.0 (compatible; probe from 203.0.113.77; +http://example.org/bot)";
        let referrer = "https://www.example.org/search?q=jane.doe%40example.com&page=2";
        let lines: Vec<String> = ["10/Oct/2023", "11/Oct/2023", "11/Oct/2023"]
            .iter()
            .map(|day| {
                format!(
                    "198.51.100.7 - - [{day}:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"{referrer}\" \"{agent}\"\n"
                )
            })
            .collect();
        let configs = [
            Config::default(),
            Config::builder()
                .ip(IpPolicy::Hash)
                .rotation(crate::config::Rotation::Daily)
                .build()
                .unwrap(),
            Config::builder().ip(IpPolicy::Prefix).build().unwrap(),
        ];
        for cfg in &configs {
            let mut together = Scrubber::new(cfg);
            let mut out = Vec::new();
            together.scrub(lines.concat().as_bytes(), &mut out);
            let mut want = Vec::new();
            let mut stats = Stats::default();
            for line in &lines {
                let mut alone = Scrubber::new(cfg);
                alone.scrub(line.as_bytes(), &mut want);
                stats.merge(alone.stats());
            }
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want)
            );
            assert_eq!(together.stats(), &stats);
        }
        // The test has teeth: under rotation the two days write the agent's address apart.
        let hashed = scrub(&configs[1], lines.concat().as_bytes());
        let agents: Vec<&[u8]> = hashed.split(|&b| b == b'\n').take(3).collect();
        assert_ne!(
            agents[0].rsplit(|&b| b == b'"').nth(1),
            agents[1].rsplit(|&b| b == b'"').nth(1)
        );
        assert_eq!(agents[1], agents[2]);
    }

    /// Regression (fuzz): a vhost line that does not parse was scrubbed as common, where the
    /// vhost client is the ident, and kept its client host name. It is read as common after
    /// its server name.
    #[test]
    fn a_vhost_line_that_does_not_parse_is_read_after_its_server_name() {
        let cfg = Config::builder()
            .format(Format::VhostCombined)
            .build()
            .unwrap();
        let out = scrub(
            &cfg,
            br#"www.example.com dsl-1-2.dyn.isp.example - bob x@y [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"www.example.com isp.example - - [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#
        );
    }

    /// A custom format with the ident before the client: a line scrubbed as common has its
    /// client where this format has its ident.
    fn ident_first() -> Config {
        Config::builder()
            .custom_format(crate::config::CustomFormat::Apache(
                r#"%l %h %u %t "%r" %>s %b"#.into(),
            ))
            .build()
            .unwrap()
    }

    /// A line not in its format is scrubbed as common, which may take another column for the
    /// client than the format does; when the written line then reads as the format, it is
    /// scrubbed again by the format's fields, as a reader of the format will take it.
    #[test]
    fn a_fail_safe_line_that_reads_as_the_format_is_scrubbed_by_its_fields() {
        let cfg = ident_first();
        let out = scrub(
            &cfg,
            br#"x dsl-1-2.dyn.isp.example bob x@y [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"- isp.example - [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#
        );
    }

    /// A line written again by its format's fields is counted once: as one line, one
    /// fail-safe line, and its address once, though both writings mask it.
    #[test]
    fn a_line_written_again_is_counted_once() {
        let cfg = ident_first();
        let mut s = Scrubber::new(&cfg);
        let mut out = Vec::new();
        s.scrub(
            br#"- 203.0.113.9 bob x@y [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#,
            &mut out,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"- 203.0.113.0 - [22 a [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#
        );
        let stats = s.stats();
        assert_eq!(
            (stats.lines_in, stats.fallback_lines, stats.ips, stats.users),
            (1, 1, 1, 1)
        );
    }

    /// Regression (fuzz): `%v:%p` matched with the halves of an IPv6 address on each side of
    /// the `:`; a port must now be digits.
    #[test]
    fn a_port_is_digits() {
        let cfg = Config::builder()
            .format(Format::VhostCombined)
            .build()
            .unwrap();
        let out = scrub(
            &cfg,
            br#"85a3::8a2e:370:7334 - - [10/Oct/2023:13:55:37 +0200] "GET / HTTP/1.1" 200 5"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"85a3:: - - [10/Oct/2023:13:55:37 +0200] "GET / HTTP/1.1" 200 5"#
        );
    }

    /// Regression (fuzz): a JSON value with escapes is written escaped again, a tab as `\t`
    /// and a quote as `\"`, which a reader takes as part of the text around them: there a query
    /// value runs on through them. A raw tab, copied as it is, ends the value as in plain text.
    #[test]
    fn query_values_run_through_tabs_and_quotes_written_escaped() {
        let cfg = Config::builder().format(Format::Json).build().unwrap();
        let cases = [
            (
                r#"{"x":"\/ ?email=a\tb.example c"}"#,
                r#"{"x":"/ ?email=REDACTED c"}"#,
            ),
            (
                r#"{"x":"\/ ?email=a	b.example c"}"#,
                r#"{"x":"/ ?email=REDACTED c"}"#,
            ),
            (
                r#"{"x":"- ?email=a	b.example c"}"#,
                r#"{"x":"- ?email=REDACTED	b.example c"}"#,
            ),
            // Likewise a quote, written `\"`.
            (
                r#"{"x":"\/p?email=karl\" c"}"#,
                r#"{"x":"/p?email=REDACTED c"}"#,
            ),
        ];
        for (input, want) in cases {
            let out = scrub(&cfg, input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&out), want, "{input}");
        }
    }

    /// Regression (fuzz): a W3C line that does not parse kept its query value to the end of
    /// the line, swallowing the columns after it; a tab ends a query in plain text.
    #[test]
    fn query_values_in_plain_text_end_at_tabs() {
        let cfg = Config::builder().format(Format::W3c).build().unwrap();
        let input =
            b"#Fields: c-ip cs-uri-query\n2014-05-23\t?ref=a@b.example\thttps\t217\t192.0.2.10\n";
        let want = "#Fields: c-ip cs-uri-query\n2014-05-23\t?ref=REDACTED\thttps\t217\t192.0.2.0\n";
        assert_eq!(String::from_utf8_lossy(&scrub(&cfg, input)), want);
    }

    /// Coordinates are coarsened where they stand, numbers staying numbers.
    #[test]
    fn json_coordinates_are_coarsened() {
        let cfg = Config::builder().format(Format::Json).build().unwrap();
        let out = scrub(
            &cfg,
            br#"{"lat":48.137154,"geo":{"lng":"11.576124"},"n":1.23456}"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"lat":48.13,"geo":{"lng":"11.57"},"n":1.23456}"#
        );
        // A value under a place's key that is no precise coordinate is scanned.
        let out = scrub(
            &cfg,
            br#"{"destination":"+4917612345678","near":"jane@example.org","long":12}"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"destination":"REDACTED","near":"REDACTED","long":12}"#
        );
    }

    /// Regression (fuzz): a JSON key that could hide something is scanned like a value.
    #[test]
    fn odd_json_keys_are_scanned() {
        let cfg = Config::builder().format(Format::Json).build().unwrap();
        let out = scrub(&cfg, br#"{"a?email=x@example.org":1,"@timestamp":"t"}"#);
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"a?email=REDACTED":1,"@timestamp":"t"}"#
        );
    }

    #[test]
    fn fallback_lines_are_scrubbed_and_counted() {
        let cfg = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        let mut s = Scrubber::new(&cfg);
        let mut out = Vec::new();
        s.scrub(b"garbage 1.2.3.4 /x?sid=9 j@example.com\n\nok\n", &mut out);
        assert_eq!(
            out,
            b"garbage 0.0.0.0 /x?sid=REDACTED REDACTED\n\nok\n".to_vec()
        );
        assert_eq!(s.stats().lines_in, 3);
        assert_eq!(s.stats().lines_out, 3);
        assert_eq!(s.stats().fallback_lines, 2);
    }
}
