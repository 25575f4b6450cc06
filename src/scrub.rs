//! The per-line driver: parse a line in the configured format, hand each field to its redactor,
//! copy everything between fields verbatim, and fall back to the fail-safe scrub otherwise.

use memchr::memchr;

use crate::config::Config;
use crate::format::{clf, Format};
use crate::redact::{host, text, url, user, Ctx};
use crate::stats::Stats;

/// Scrubs lines under one [`Config`]. Keep one per thread: it owns reusable scratch space and
/// its own counters, so the hot path neither locks nor allocates once warmed up.
pub struct Scrubber<'c> {
    cx: Ctx<'c>,
}

impl<'c> Scrubber<'c> {
    /// A scrubber for `cfg` with zeroed counters.
    pub fn new(cfg: &'c Config) -> Self {
        Scrubber { cx: Ctx::new(cfg) }
    }

    /// Scrubs `input`, any number of `\n`-terminated lines (the last may lack its terminator),
    /// appending to `out`. Every input line yields exactly one output line with the same
    /// terminator (`\n`, `\r\n`, or none for an unterminated last line).
    pub fn scrub(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let before = out.len();
        let mut start = 0;
        while start < input.len() {
            let end = memchr(b'\n', &input[start..]).map_or(input.len(), |n| start + n + 1);
            self.scrub_line(&input[start..end], out);
            start = end;
        }
        self.cx.stats.bytes_in += input.len() as u64;
        self.cx.stats.bytes_out += (out.len() - before) as u64;
    }

    /// Scrubs one line, with or without its terminator, appending to `out`.
    pub fn scrub_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let body_end = if line.ends_with(b"\r\n") {
            line.len() - 2
        } else if line.ends_with(b"\n") {
            line.len() - 1
        } else {
            line.len()
        };
        let (body, terminator) = line.split_at(body_end);
        self.cx.stats.lines_in += 1;
        self.scrub_body(body, out);
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
        let format = self.cx.cfg.format();
        // A common line under `--format combined` still has a known user and request: it
        // counts as fail-safe, but scrubbing its fields by their roles protects more than the
        // generic fail-safe rules can.
        let parsed = clf::parse(body, format).or_else(|| {
            self.cx.stats.fallback_lines += u64::from(!body.is_empty());
            (format != Format::Auto)
                .then(|| clf::parse(body, Format::Auto))
                .flatten()
        });
        let line = out.len();
        match parsed {
            Some(fields) => {
                self.cx.begin_line(|| clf::date(&body[fields.time.clone()]));
                self.write_clf(body, &fields, out);
            }
            None => {
                self.cx.begin_line(|| None);
                text::scrub_text(&mut self.cx, body, true, out);
            }
        }
        // The audit reads the line as written, across fields and rewrites.
        text::scrub_written_line(&mut self.cx, out, line);
    }

    fn write_clf(&mut self, line: &[u8], f: &clf::ClfLine, out: &mut Vec<u8>) {
        let cx = &mut self.cx;
        host::redact_client(cx, &line[f.host.clone()], out);
        out.extend_from_slice(&line[f.host.end..f.ident.start]);
        text::scrub_text(cx, &line[f.ident.clone()], false, out);
        out.extend_from_slice(&line[f.ident.end..f.user.start]);
        user::redact_user(cx, &line[f.user.clone()], out);
        // The timestamp sits in this gap: it is copied, never scanned.
        out.extend_from_slice(&line[f.user.end..f.request.start]);
        url::redact_request(cx, &line[f.request.clone()], out);
        let mut copied = f.request.end;
        if let (Some(referrer), Some(agent)) = (&f.referrer, &f.agent) {
            out.extend_from_slice(&line[copied..referrer.start]);
            url::redact_referrer(cx, &line[referrer.clone()], out);
            out.extend_from_slice(&line[referrer.end..agent.start]);
            // Fail-safe, queries included: agents carry URLs, sometimes with tokens.
            text::scrub_text(cx, &line[agent.clone()], true, out);
            copied = agent.end;
        }
        out.extend_from_slice(&line[copied..f.rest.start]);
        // Trailing columns (X-Forwarded-For, timings) are unknown: fail-safe.
        text::scrub_text(cx, &line[f.rest.clone()], true, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IpPolicy, ReferrerPolicy, RequestPolicy, UserPolicy};

    fn scrub(cfg: &Config, input: &[u8]) -> Vec<u8> {
        let mut s = Scrubber::new(cfg);
        let mut out = Vec::new();
        s.scrub(input, &mut out);
        out
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

    #[test]
    fn the_line_is_scrubbed_as_written() {
        let cfg = Config::default();
        let cases: &[(&[u8], &[u8])] = &[
            // Regression (fuzz): a referrer's host `::` and its path `//9@0X`.
            (
                br#"198.51.100.7 - - [10/Oct/2023:13:55:36 +0200] "GET /:90X.: HTTP/1.1" 200 1 "http://:://9@0X" "-""#,
                br#"198.51.100.0 - - [10/Oct/2023:13:55:36 +0200] "GET /:90X.: HTTP/1.1" 200 1 "http://:://0X" "-""#,
            ),
            // The timestamp is copied, never scanned.
            (
                br#"h - - [x://u:p@h] "GET / HTTP/1.1" 200 1"#,
                br#"h - - [x://h] "GET / HTTP/1.1" 200 1"#,
            ),
            (
                br#"h - - [a@b.example] "GET / HTTP/1.1" 200 1"#,
                br#"h - - [REDACTED] "GET / HTTP/1.1" 200 1"#,
            ),
        ];
        for &(input, want) in cases {
            let got = scrub(&cfg, input);
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
        }
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
