//! A labelled corpus of personal data and of look-alikes that are not personal: recall and
//! precision of detection, per class, with the default policy.
//!
//! `fixtures/pii/<class>.txt` holds one case a line: `<+|-> <format-key> <log line>`. The log
//! line runs to the end of the line; `⟦` and `⟧` mark spans in it and are stripped to build the
//! input. In a `+` line the marked spans are personal data: the line is a true positive when none
//! of them appears anywhere in the line written for it. In a `-` line the marked spans are
//! look-alikes that are not personal: every one must appear unchanged in the written line, or the
//! line counts as a false positive (damage). Lines starting with `#` are comments; blank lines
//! are ignored.
//!
//! The lines of one file and one format key go through the binary in one run, after the key's
//! header lines (a W3C `#Fields:` directive), which are dropped from the output before judging.
//!
//! `cargo test --test pii -- --nocapture` prints the table and every failing line;
//! `LOGSCRUB_PII_CLASS=email,ipv4` limits the run to those classes.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{files, root, run};

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// Each class needs at least this many positive and this many negative lines.
const MIN_LINES: usize = 20;

const APACHE_COOKIE: &str =
    r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" \"%{cookie}n\""#;
const NGINX_COOKIE: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_cookie""#;
const NGINX_AUTH: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_authorization""#;

const IIS_HEADER: &[&str] = &[
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
];
const IIS_COOKIE_HEADER: &[&str] = &[
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
];

/// Format keys: (key, arguments, header lines written before the group's lines).
const FORMAT_KEYS: &[(&str, &[&str], &[&str])] = &[
    ("common", &["--format", "common"], &[]),
    ("combined", &["--format", "combined"], &[]),
    // Recognised from the lines themselves, e.g. combined lines with trailing header fields.
    ("auto", &[], &[]),
    ("combined_xff", &["--format", "combined_xff"], &[]),
    ("vhost_combined", &["--format", "vhost_combined"], &[]),
    // One JSON object a line: nginx `escape=json` keys, Caddy, Traefik, other keys.
    ("json", &["--format", "json"], &[]),
    ("iis", &["--format", "w3c"], IIS_HEADER),
    ("iis-cookie", &["--format", "w3c"], IIS_COOKIE_HEADER),
    // The IIS default layout without its header, as tail -F or a Kafka partition delivers it.
    ("iis-headerless", &["--format", "auto"], &[]),
    ("haproxy", &["--format", "haproxy"], &[]),
    ("elb", &["--format", "elb"], &[]),
    ("alb", &["--format", "alb"], &[]),
    ("s3", &["--format", "s3"], &[]),
    ("apache-cookie", &["--log-format", APACHE_COOKIE], &[]),
    ("nginx-cookie", &["--nginx-format", NGINX_COOKIE], &[]),
    ("nginx-auth", &["--nginx-format", NGINX_AUTH], &[]),
];

/// One labelled line.
struct Case {
    /// `file:line`, for messages.
    at: String,
    /// The line number, to list failures in file order.
    line: usize,
    positive: bool,
    key: String,
    /// The log line without markers.
    input: String,
    /// The marked spans.
    spans: Vec<String>,
}

/// Counts of one class.
#[derive(Default)]
struct Tally {
    positives: usize,
    true_positives: usize,
    negatives: usize,
    false_positives: usize,
}

/// Splits a marked log line into the input line and its marked spans.
fn unmark(text: &str, at: &str) -> (String, Vec<String>) {
    let mut input = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut open: Option<String> = None;
    for ch in text.chars() {
        match (ch, open.as_mut()) {
            (OPEN, None) => open = Some(String::new()),
            (CLOSE, Some(_)) => spans.push(open.take().unwrap()),
            (OPEN | CLOSE, _) => panic!("{at}: unbalanced {OPEN}…{CLOSE} markers"),
            (_, Some(span)) => {
                span.push(ch);
                input.push(ch);
            }
            (_, None) => input.push(ch),
        }
    }
    assert!(open.is_none(), "{at}: unclosed {OPEN}");
    assert!(!spans.is_empty(), "{at}: no marked span");
    assert!(
        spans.iter().all(|s| !s.is_empty()),
        "{at}: empty marked span"
    );
    (input, spans)
}

/// Reads the labelled lines of one class file.
fn read_cases(path: &Path) -> Vec<Case> {
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", index + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(sign), Some(key), Some(marked)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("{at}: expected `<+|-> <format-key> <log line>`");
        };
        let positive = match sign {
            "+" => true,
            "-" => false,
            _ => panic!("{at}: a line starts with `+ `, `- ` or `#`"),
        };
        assert!(
            FORMAT_KEYS.iter().any(|(k, _, _)| *k == key),
            "{at}: unknown format key {key:?}"
        );
        let (input, spans) = unmark(marked, &at);
        if positive {
            // A personal datum that also stands unmarked elsewhere in the line would be judged
            // by an occurrence that nobody labelled.
            for span in &spans {
                let marked = spans.iter().filter(|s| *s == span).count();
                assert_eq!(
                    input.matches(span.as_str()).count(),
                    marked,
                    "{at}: the marked span {span:?} occurs in the line other than where it is marked"
                );
            }
        }
        cases.push(Case {
            at,
            line: index + 1,
            positive,
            key: key.to_string(),
            input,
            spans,
        });
    }
    cases
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs one group of cases (one file, one format key) and judges each output line.
fn judge(
    class: &str,
    key: &str,
    cases: &[&Case],
    tally: &mut Tally,
    failures: &mut Vec<(usize, String)>,
) {
    let &(_, args, header) = FORMAT_KEYS.iter().find(|(k, _, _)| *k == key).unwrap();
    let mut input = String::new();
    for line in header {
        input.push_str(line);
        input.push('\n');
    }
    for case in cases {
        input.push_str(&case.input);
        input.push('\n');
    }
    let out = run(args, input.as_bytes());
    assert!(
        out.status.success(),
        "{class} [{key}] {args:?}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let body = out.stdout.strip_suffix(b"\n").unwrap_or(&out.stdout);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    assert_eq!(
        lines.len(),
        header.len() + cases.len(),
        "{class} [{key}]: one output line per input line (header lines included)"
    );
    for (case, line) in cases.iter().zip(&lines[header.len()..]) {
        let problem: Vec<&String> = if case.positive {
            tally.positives += 1;
            case.spans.iter().filter(|s| contains(line, s)).collect()
        } else {
            tally.negatives += 1;
            case.spans.iter().filter(|s| !contains(line, s)).collect()
        };
        match (case.positive, problem.is_empty()) {
            (true, true) => tally.true_positives += 1,
            (false, true) => {}
            (positive, false) => {
                if !positive {
                    tally.false_positives += 1;
                }
                let what = if positive { "kept" } else { "damaged" };
                let sign = if positive { '+' } else { '-' };
                failures.push((
                    case.line,
                    format!(
                        "{} [{sign} {key}] {what}: {problem:?}\n    in:  {}\n    out: {}\n",
                        case.at,
                        case.input,
                        String::from_utf8_lossy(line)
                    ),
                ));
            }
        }
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1} %", 100.0 * part as f64 / whole as f64)
    }
}

#[test]
fn pii_corpus() {
    let only: Option<Vec<String>> = std::env::var("LOGSCRUB_PII_CLASS")
        .ok()
        .map(|v| v.split(',').map(|c| c.trim().to_string()).collect());
    let paths: Vec<_> = files(&root().join("fixtures/pii"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert!(!paths.is_empty(), "no class files in fixtures/pii/");

    let mut failures = String::new();
    let mut results: Vec<(String, Tally)> = Vec::new();
    for path in &paths {
        let class = path.file_stem().unwrap().to_string_lossy().into_owned();
        if only.as_ref().is_some_and(|only| !only.contains(&class)) {
            continue;
        }
        let cases = read_cases(path);
        // Group by format key, in the order the keys first appear.
        let mut keys: Vec<&str> = Vec::new();
        for case in &cases {
            if !keys.contains(&case.key.as_str()) {
                keys.push(&case.key);
            }
        }
        let mut tally = Tally::default();
        let mut failed = Vec::new();
        for key in keys {
            let group: Vec<&Case> = cases.iter().filter(|c| c.key == key).collect();
            judge(&class, key, &group, &mut tally, &mut failed);
        }
        failed.sort_by_key(|&(line, _)| line);
        for (_, text) in failed {
            failures.push_str(&text);
        }
        results.push((class, tally));
    }
    assert!(
        !results.is_empty(),
        "no class selected by LOGSCRUB_PII_CLASS"
    );

    let mut table = format!(
        "{:<24} {:>5} {:>8} {:>5} {:>8} {:>10}\n",
        "class", "+", "recall", "-", "damaged", "precision"
    );
    let mut total = Tally::default();
    let mut below = Vec::new();
    for (class, t) in &results {
        let _ = writeln!(
            table,
            "{:<24} {:>5} {:>8} {:>5} {:>8} {:>10}",
            class,
            t.positives,
            percent(t.true_positives, t.positives),
            t.negatives,
            t.false_positives,
            percent(t.true_positives, t.true_positives + t.false_positives),
        );
        if t.positives < MIN_LINES || t.negatives < MIN_LINES {
            below.push(format!(
                "{class}: {} positives and {} negatives (at least {MIN_LINES} each)",
                t.positives, t.negatives
            ));
        }
        if t.true_positives < t.positives || t.false_positives > 0 {
            below.push(format!(
                "{class}: recall {}, precision {}",
                percent(t.true_positives, t.positives),
                percent(t.true_positives, t.true_positives + t.false_positives)
            ));
        }
        total.positives += t.positives;
        total.true_positives += t.true_positives;
        total.negatives += t.negatives;
        total.false_positives += t.false_positives;
    }
    let _ = writeln!(
        table,
        "{:<24} {:>5} {:>8} {:>5} {:>8} {:>10}",
        "total",
        total.positives,
        percent(total.true_positives, total.positives),
        total.negatives,
        total.false_positives,
        percent(
            total.true_positives,
            total.true_positives + total.false_positives
        ),
    );
    if !failures.is_empty() {
        eprintln!("failing lines:\n{failures}");
    }
    eprintln!("\n{table}");
    assert!(
        below.is_empty(),
        "classes below 100 % recall and precision, or too small:\n  {}",
        below.join("\n  ")
    );
}
