//! `logscrub check` through the binary: every personal datum of the labelled corpus
//! (`fixtures/pii/`) is found, look-alikes are not, and scrubbed logs are clean.
//!
//! The labelled lines go through the binary grouped by class file and format key (as in
//! `tests/pii.rs`), at most [`GROUP`] lines a run, so that the report's first line numbers name
//! every line with a finding. `cargo test --test check -- --nocapture` prints the measurements.

mod common;

use std::collections::BTreeSet;

use common::{corpus, files, root, run};

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// Lines per run: the report keeps 20 line numbers per class.
const GROUP: usize = 20;

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

/// Format keys of `fixtures/pii/` (as in `tests/pii.rs`): key, arguments, header lines.
const FORMAT_KEYS: &[(&str, &[&str], &[&str])] = &[
    ("common", &["--format", "common"], &[]),
    ("combined", &["--format", "combined"], &[]),
    ("auto", &[], &[]),
    ("combined_xff", &["--format", "combined_xff"], &[]),
    ("vhost_combined", &["--format", "vhost_combined"], &[]),
    ("json", &["--format", "json"], &[]),
    ("iis", &["--format", "w3c"], IIS_HEADER),
    ("iis-cookie", &["--format", "w3c"], IIS_COOKIE_HEADER),
    ("iis-headerless", &["--format", "auto"], &[]),
    ("haproxy", &["--format", "haproxy"], &[]),
    ("elb", &["--format", "elb"], &[]),
    ("alb", &["--format", "alb"], &[]),
    ("s3", &["--format", "s3"], &[]),
    ("apache-cookie", &["--log-format", APACHE_COOKIE], &[]),
    ("nginx-cookie", &["--nginx-format", NGINX_COOKIE], &[]),
    ("nginx-auth", &["--nginx-format", NGINX_AUTH], &[]),
];

/// Scrubbing policies whose output must pass `check` given the same options.
const POLICIES: &[&[&str]] = &[
    &[],
    &["--ip", "hash", "--user", "hash"],
    &["--ipv4-mask", "16", "--ipv6-mask", "32"],
    &["--referrer", "keep", "--request", "keep"],
];

struct Case {
    at: String,
    class: String,
    positive: bool,
    key: String,
    input: String,
    spans: Vec<String>,
}

fn read_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for path in files(&root().join("fixtures/pii")) {
        if !path.extension().is_some_and(|e| e == "txt") {
            continue;
        }
        let class = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            let (sign, key, marked) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let mut input = String::new();
            let mut spans = Vec::new();
            let mut open: Option<String> = None;
            for ch in marked.chars() {
                match (ch, open.as_mut()) {
                    (OPEN, None) => open = Some(String::new()),
                    (CLOSE, Some(_)) => spans.push(open.take().unwrap()),
                    (_, Some(span)) => {
                        span.push(ch);
                        input.push(ch);
                    }
                    (_, None) => input.push(ch),
                }
            }
            cases.push(Case {
                at: format!("{class}.txt:{}", index + 1),
                class: class.clone(),
                positive: sign == "+",
                key: key.to_string(),
                input,
                spans,
            });
        }
    }
    assert!(cases.len() > 800, "the labelled corpus is there");
    cases
}

fn key_of(key: &str) -> (&'static [&'static str], &'static [&'static str]) {
    let &(_, args, header) = FORMAT_KEYS.iter().find(|(k, _, _)| *k == key).unwrap();
    (args, header)
}

/// The lines as one input of `key`, its header first.
fn input_of(key: &str, lines: &[&str]) -> String {
    let (_, header) = key_of(key);
    let mut input = String::new();
    for line in header.iter().chain(lines) {
        input.push_str(line);
        input.push('\n');
    }
    input
}

/// Runs `check` on `lines` of one format key, [`GROUP`] at a time; for each line, whether it
/// has a finding.
fn flagged(key: &str, lines: &[&str]) -> Vec<bool> {
    let (args, header) = key_of(key);
    let mut result = Vec::new();
    for group in lines.chunks(GROUP) {
        let mut cmd = vec!["check", "--json"];
        cmd.extend_from_slice(args);
        let out = run(&cmd, input_of(key, group).as_bytes());
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "check [{key}]: {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = &report["inputs"][0]["findings"];
        let mut lines_found = BTreeSet::new();
        for (_, class) in findings.as_object().unwrap() {
            let count = class["lines"].as_u64().unwrap();
            let first: Vec<u64> = class["first_lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect();
            assert_eq!(
                count as usize,
                first.len(),
                "fewer than {GROUP} lines a run"
            );
            lines_found.extend(first);
        }
        assert_eq!(code == Some(1), !lines_found.is_empty());
        for i in 0..group.len() {
            result.push(lines_found.contains(&((header.len() + i + 1) as u64)));
        }
    }
    result
}

/// Scrubs `lines` of one format key with the default policy; the written lines.
fn scrubbed(key: &str, lines: &[&str]) -> Vec<String> {
    let (args, header) = key_of(key);
    let out = run(args, input_of(key, lines).as_bytes());
    assert!(out.status.success(), "scrub [{key}]");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let written: Vec<String> = text
        .lines()
        .skip(header.len())
        .map(str::to_string)
        .collect();
    assert_eq!(written.len(), lines.len());
    written
}

/// The keys in order of first appearance.
fn keys(cases: &[&Case]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for case in cases {
        if !keys.contains(&case.key) {
            keys.push(case.key.clone());
        }
    }
    keys
}

/// Marks for the spans while the rest of the line is scrubbed: lower-case letters, which no
/// rule takes for personal data where they stand (an address field or a parameter that is
/// replaced whole loses them, and such lines are not judged this way).
fn mark(i: usize) -> String {
    format!("zqxmark{}q", (b'a' + i as u8) as char)
}

/// Each case's line scrubbed around its spans, the spans put back: only the labelled data (or
/// look-alikes) left in. `None` where the scrubber did not keep the marks.
fn with_spans_only(cases: &[&Case]) -> Vec<Option<String>> {
    let mut result: Vec<Option<String>> = vec![None; cases.len()];
    for key in keys(cases) {
        let idx: Vec<usize> = (0..cases.len()).filter(|&i| cases[i].key == key).collect();
        let marked: Vec<String> = idx
            .iter()
            .map(|&i| {
                let mut line = cases[i].input.clone();
                for (k, span) in cases[i].spans.iter().enumerate() {
                    line = line.replacen(span.as_str(), &mark(k), 1);
                }
                line
            })
            .collect();
        let refs: Vec<&str> = marked.iter().map(String::as_str).collect();
        for (n, written) in scrubbed(&key, &refs).into_iter().enumerate() {
            let case = cases[idx[n]];
            let mut line = written;
            let kept = case.spans.iter().enumerate().all(|(k, span)| {
                let found = line.matches(&mark(k)).count() == 1;
                line = line.replacen(&mark(k), span, 1);
                found
            });
            result[idx[n]] = kept.then_some(line);
        }
    }
    result
}

/// Every positive line of the labelled corpus, the datum left in, is a finding: as written
/// (exit status 1 per line), and scrubbed around the datum with only the datum put back.
#[test]
fn every_labelled_datum_is_found() {
    let cases = read_cases();
    let positives: Vec<&Case> = cases.iter().filter(|c| c.positive).collect();
    let mut missed = Vec::new();
    for key in keys(&positives) {
        let group: Vec<&Case> = positives.iter().copied().filter(|c| c.key == key).collect();
        let lines: Vec<&str> = group.iter().map(|c| c.input.as_str()).collect();
        for (case, found) in group.iter().zip(flagged(&key, &lines)) {
            if !found {
                missed.push(format!("{} (raw)", case.at));
            }
        }
    }
    // Only the datum: everything else scrubbed.
    let only = with_spans_only(&positives);
    let mut judged = 0;
    for key in keys(&positives) {
        let (group, lines): (Vec<&Case>, Vec<&str>) = positives
            .iter()
            .zip(&only)
            .filter(|(c, l)| c.key == key && l.is_some())
            .map(|(c, l)| (*c, l.as_deref().unwrap()))
            .unzip();
        judged += group.len();
        for (case, found) in group.iter().zip(flagged(&key, &lines)) {
            if !found {
                missed.push(format!("{} (only the datum left)", case.at));
            }
        }
    }
    eprintln!(
        "positive lines: {} as written; {judged} also with only the datum left in (the others \
         lose their marks to the scrubber: whole-field replacement)",
        positives.len()
    );
    assert!(missed.is_empty(), "not found:\n  {}", missed.join("\n  "));
}

/// Look-alikes are not findings: each negative line that the scrubber writes with its marked
/// look-alikes intact (everything personal around them removed) passes `check`. Lines whose
/// look-alikes the scrubber changes are counted, not judged.
#[test]
fn look_alikes_the_scrubber_keeps_are_not_findings() {
    let cases = read_cases();
    let negatives: Vec<&Case> = cases.iter().filter(|c| !c.positive).collect();
    let mut judged = 0;
    let mut flagged_lines = Vec::new();
    for key in keys(&negatives) {
        let group: Vec<&Case> = negatives.iter().copied().filter(|c| c.key == key).collect();
        let lines: Vec<&str> = group.iter().map(|c| c.input.as_str()).collect();
        let written = scrubbed(&key, &lines);
        let (kept, kept_lines): (Vec<&Case>, Vec<&str>) = group
            .iter()
            .zip(&written)
            .filter(|(c, w)| c.spans.iter().all(|s| w.contains(s.as_str())))
            .map(|(c, w)| (*c, w.as_str()))
            .unzip();
        judged += kept.len();
        for ((case, line), found) in kept.iter().zip(&kept_lines).zip(flagged(&key, &kept_lines)) {
            if found {
                flagged_lines.push(format!("{} [{}]: {line}", case.at, case.class));
            }
        }
    }
    eprintln!(
        "negative lines: {}; {judged} written by the scrubber with their look-alikes intact; {} \
         of these are findings",
        negatives.len(),
        flagged_lines.len()
    );
    assert!(
        flagged_lines.is_empty(),
        "look-alikes found:\n  {}",
        flagged_lines.join("\n  ")
    );
}

/// Every scrubbed corpus file passes `check` under the policy it was scrubbed with.
#[test]
fn scrubbed_corpus_is_clean_under_every_policy() {
    let (Some(real), Some(formats)) = (corpus("real"), corpus("formats")) else {
        return;
    };
    let mut dirty = Vec::new();
    for path in files(&real).into_iter().chain(files(&formats)) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for &policy in POLICIES {
            let mut args = policy.to_vec();
            args.push(path.to_str().unwrap());
            let out = run(&args, b"");
            let mut check = vec!["check"];
            check.extend_from_slice(policy);
            let audit = run(&check, &out.stdout);
            if audit.status.code() != Some(0) {
                dirty.push(format!(
                    "{name} {policy:?}: {}",
                    String::from_utf8_lossy(&audit.stdout)
                ));
            }
        }
    }
    assert!(dirty.is_empty(), "{}", dirty.join("\n"));
}

#[test]
fn scrubbing_options_are_usage_errors() {
    for option in [
        &["-o", "out.log"][..],
        &["--in-place"],
        &["--stats"],
        &["--stats-json"],
        &["--threads", "2"],
        &["--follow"],
        &["--key-file", "k"],
        &["--agent", "drop"],
    ] {
        let mut args = vec!["check"];
        args.extend_from_slice(option);
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{option:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is a scrubbing option"), "{option:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = run(&["check", "--no-such-option"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn reports_classes_as_json_without_data() {
    let line = "203.0.113.9 - jane [10/Oct/2023:13:55:36 +0200] \"GET /a?email=jane%40example.org HTTP/1.1\" 200 5 \"-\" \"UA\"\n";
    let out = run(&["check", "--json"], line.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for datum in ["203.0.113", "jane", "example.org"] {
        assert!(!text.contains(datum), "{datum} in {text}");
    }
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["clean"], false);
    let input = &report["inputs"][0];
    assert_eq!(input["name"], "standard input");
    assert_eq!(input["lines"], 1);
    for class in ["ip", "email", "parameter", "user"] {
        assert_eq!(input["findings"][class]["lines"], 1, "{class}");
        assert_eq!(input["findings"][class]["first_lines"][0], 1, "{class}");
    }
    assert_eq!(input["findings"]["card"]["lines"], 0);
    let clean = run(
        &["check", "--json"],
        b"example.net - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5\n",
    );
    assert_eq!(clean.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(report["clean"], true);
    let missing = run(&["check", "--json", "fixtures/nope.log"], b"");
    assert_eq!(missing.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert!(report["inputs"][0]["error"].is_string());
}

/// Inputs are audited several at once, but standard input named twice is still read whole by
/// the first, as one thread would.
#[test]
fn standard_input_twice_is_read_by_the_first() {
    let line = "203.0.113.9 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5\n";
    let out = run(
        &["check", "-", "fixtures/combined.log", "-"],
        line.repeat(1000).as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let reports: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        reports,
        [
            "standard input: personal data found (1000 lines read)",
            "fixtures/combined.log: personal data found (16 lines read)",
            "standard input: clean (0 lines)",
        ]
    );
}
