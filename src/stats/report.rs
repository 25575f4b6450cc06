//! `--stats` for people and `--stats-json` for machines: figures about a run, never log
//! content (input names aside). The JSON keys and their order are a stable interface
//! (`docs/policies.md`); the fields of [`StatsJson`] are in that order.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde::Serialize;

use crate::config::{Config, Rotation};
use crate::format::Format;
use crate::pipeline::Summary;

/// The `--stats` summary of a run that took `seconds`, each line after the first prefixed
/// with `indent`.
pub fn write_text(
    out: &mut dyn Write,
    summary: &Summary,
    seconds: f64,
    config: &Config,
    indent: &str,
) -> io::Result<()> {
    let s = &summary.stats;
    let pad = indent;
    let ip = config.ip().name();
    writeln!(out, "logscrub: format {}, ip {ip}", config.format().name())?;
    if config.format() == Format::Auto {
        for (name, format) in &summary.formats {
            writeln!(out, "{pad}{name}: read as {}", recognised(*format))?;
        }
    }
    if config.needs_key() {
        let origin = if let Some(dir) = config.key_dir() {
            format!(
                "one per {} from {} (UTC periods)",
                match config.rotation() {
                    Rotation::Daily => "day",
                    Rotation::Weekly => "ISO week",
                    _ => "month",
                },
                dir.path().display()
            )
        } else if config.random_key() {
            "drawn at random for this run: pseudonyms are consistent within it and unlinkable \
             across runs"
                .to_string()
        } else {
            "given: pseudonyms are consistent across runs with the same key".to_string()
        };
        writeln!(out, "{pad}key: {origin}")?;
        if config.key_dir().is_some() {
            let created = periods(&s.period_keys_created);
            writeln!(out, "{pad}period keys created: {created}")?;
        }
        if config.rotation() != Rotation::None {
            writeln!(
                out,
                "{pad}period keys used: {}",
                periods(&s.period_keys_used)
            )?;
        }
        if s.unkeyed_lines > 0 {
            writeln!(
                out,
                "{pad}{} lines had no usable timestamp for key rotation; their addresses were \
                 masked",
                s.unkeyed_lines
            )?;
        }
        if s.key_failed_lines > 0 {
            writeln!(
                out,
                "{pad}{} lines had no key for their period (see the error); their addresses \
                 were masked",
                s.key_failed_lines
            )?;
        }
    }
    writeln!(
        out,
        "{pad}lines: {} in, {} out, {} fail-safe (did not parse as the format)",
        s.lines_in, s.lines_out, s.fallback_lines
    )?;
    if s.overlong_lines > 0 {
        writeln!(
            out,
            "{pad}{} line(s) longer than --max-line-length written as REDACTED",
            s.overlong_lines
        )?;
    }
    if summary.torn_lines_ended > 0 {
        writeln!(
            out,
            "{pad}output: {} torn last line(s) left by an earlier writer ended with a newline",
            summary.torn_lines_ended
        )?;
    }
    writeln!(
        out,
        "{pad}redacted: {} IPs, {} e-mails, {} referrers, {} request values, {} users",
        s.ips, s.emails, s.referrers, s.request_values, s.users
    )?;
    if !s.agents_in.is_empty() {
        let (distinct_in, bits_in) = super::fingerprint(&s.agents_in);
        let (distinct_out, bits_out) = super::fingerprint(&s.agents_out);
        writeln!(
            out,
            "{pad}user agents: {distinct_in} distinct in, {distinct_out} out; entropy {bits_in:.2} \
             bits in, {bits_out:.2} out"
        )?;
    }
    writeln!(
        out,
        "{pad}bytes: {} in, {} out; {seconds:.3} s, {:.1} MB/s",
        s.bytes_in,
        s.bytes_out,
        mb_per_s(s.bytes_in, seconds)
    )
}

/// The `--stats` figures as one JSON object on one line, written with a single `write_all` so
/// that it is never interleaved with other messages.
pub fn write_json(
    out: &mut dyn Write,
    summary: &Summary,
    seconds: f64,
    config: &Config,
) -> io::Result<()> {
    let s = &summary.stats;
    let (agents_in, agent_bits_in) = super::fingerprint(&s.agents_in);
    let (agents_out, agent_bits_out) = super::fingerprint(&s.agents_out);
    let json = StatsJson {
        format: config.format().name(),
        ip: config.ip().name(),
        random_key: config.needs_key() && config.random_key(),
        lines_in: s.lines_in,
        lines_out: s.lines_out,
        fallback_lines: s.fallback_lines,
        overlong_lines: s.overlong_lines,
        ips: s.ips,
        emails: s.emails,
        referrers: s.referrers,
        request_values: s.request_values,
        users: s.users,
        unkeyed_lines: s.unkeyed_lines,
        key_failed_lines: s.key_failed_lines,
        period_keys_created: &s.period_keys_created,
        period_keys_used: &s.period_keys_used,
        agents_in,
        agents_out,
        agent_bits_in: round(agent_bits_in, 4),
        agent_bits_out: round(agent_bits_out, 4),
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
        failed_inputs: summary.failed_inputs,
        torn_lines_ended: summary.torn_lines_ended,
        incomplete: summary.incomplete.is_some(),
        seconds: round(seconds, 6),
        mb_per_s: round(mb_per_s(s.bytes_in, seconds), 3),
        inputs: summary
            .formats
            .iter()
            .map(|(name, format)| InputJson {
                name,
                format: recognised(*format),
            })
            .collect(),
    };
    let mut line = serde_json::to_vec(&json).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// One `--stats-json` object.
#[derive(Serialize)]
struct StatsJson<'a> {
    format: &'static str,
    ip: &'static str,
    random_key: bool,
    lines_in: u64,
    lines_out: u64,
    fallback_lines: u64,
    overlong_lines: u64,
    ips: u64,
    emails: u64,
    referrers: u64,
    request_values: u64,
    users: u64,
    unkeyed_lines: u64,
    key_failed_lines: u64,
    period_keys_created: &'a BTreeSet<String>,
    period_keys_used: &'a BTreeSet<String>,
    agents_in: usize,
    agents_out: usize,
    agent_bits_in: f64,
    agent_bits_out: f64,
    bytes_in: u64,
    bytes_out: u64,
    failed_inputs: usize,
    torn_lines_ended: u64,
    incomplete: bool,
    seconds: f64,
    mb_per_s: f64,
    inputs: Vec<InputJson<'a>>,
}

/// An input and the format it was read in.
#[derive(Serialize)]
struct InputJson<'a> {
    name: &'a str,
    format: &'static str,
}

/// Throughput in MB/s; 0 for a run too short to time.
fn mb_per_s(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / 1e6 / seconds
    } else {
        0.0
    }
}

/// `x` to `digits` decimals: the precision the figures had when they were printed by hand,
/// and no more (timings and entropies are not exact).
fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// Period labels for `--stats`: all of them up to eight, else how many and the first and last.
fn periods(labels: &BTreeSet<String>) -> String {
    match labels.len() {
        0 => "none".to_string(),
        1..=8 => labels.iter().cloned().collect::<Vec<_>>().join(", "),
        n => format!(
            "{n} periods, {} … {}",
            labels.first().expect("not empty"),
            labels.last().expect("not empty")
        ),
    }
}

/// What `--format auto` chose for an input; `auto` there means common and combined lines
/// (or nothing recognised), told apart line by line.
fn recognised(format: Format) -> &'static str {
    match format {
        Format::Auto => "common/combined",
        format => format.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Stats;

    fn summary() -> Summary {
        let mut stats = Stats {
            lines_in: 3,
            lines_out: 3,
            bytes_in: 2_000_000,
            ..Stats::default()
        };
        stats.period_keys_used.insert("2024-05-17".to_string());
        stats.count_agent(b"a", b"a");
        stats.count_agent(b"b", b"a");
        Summary {
            stats,
            formats: vec![("a \"quoted\"\nname".to_string(), Format::Auto)],
            ..Summary::default()
        }
    }

    #[test]
    fn json_keeps_key_order_and_escapes_names() {
        let mut out = Vec::new();
        write_json(&mut out, &summary(), 2.0, &Config::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("}\n") && text.lines().count() == 1, "{text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["inputs"][0]["name"], "a \"quoted\"\nname");
        assert_eq!(value["inputs"][0]["format"], "common/combined");
        assert_eq!(value["period_keys_used"][0], "2024-05-17");
        assert_eq!(value["agent_bits_in"], 1.0);
        assert_eq!(value["mb_per_s"], 1.0);
        let keys: Vec<usize> = ["\"format\"", "\"lines_in\"", "\"agents_in\"", "\"inputs\""]
            .iter()
            .map(|key| text.find(key).unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn text_indents_all_but_the_first_line() {
        let mut summary = summary();
        summary.formats[0].0 = "access.log".to_string();
        let mut out = Vec::new();
        write_text(&mut out, &summary, 0.0, &Config::default(), "  ").unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("logscrub: format auto, ip mask"));
        assert!(lines.all(|line| line.starts_with("  ")), "{text}");
        assert!(text.contains("0.000 s, 0.0 MB/s"), "{text}");
    }
}
