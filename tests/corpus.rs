//! Every real log in `../shared/corpus/real/` through the binary under several policies:
//! the line count is kept, no input address with host bits survives anywhere in the output, and
//! every line that parsed as common/combined before still parses after.

mod common;

use common::{corpus, files, line_count, run, surviving};
use logscrub::format::layout::Layout;
use logscrub::format::{clf, Field};
use logscrub::Config;
use logscrub::Format;

const POLICIES: &[&[&str]] = &[
    &[],
    &["--referrer", "keep", "--request", "keep", "--user", "keep"],
    &["--ip", "drop", "--referrer", "origin", "--request", "strip"],
];

#[test]
fn real_logs_keep_lines_leak_no_address_and_still_parse() {
    let Some(dir) = corpus("real") else { return };
    let paths = files(&dir);
    assert!(!paths.is_empty(), "no files in {}", dir.display());
    for path in paths {
        let input = std::fs::read(&path).unwrap();
        for &args in POLICIES {
            let mut all = args.to_vec();
            all.push(path.to_str().unwrap());
            let out = run(&all, b"");
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(out.status.success(), "{name} {args:?}");
            assert_eq!(
                line_count(&out.stdout),
                line_count(&input),
                "{name} {args:?}"
            );
            let left = surviving(&input, &out.stdout);
            assert!(
                left.is_empty(),
                "{name} {args:?}: {} addresses survive",
                left.len()
            );
            let in_lines = input.split(|&b| b == b'\n');
            let out_lines = out.stdout.split(|&b| b == b'\n');
            for (n, (before, after)) in in_lines.zip(out_lines).enumerate() {
                if let Some(parsed) = clf::parse(before, Format::Auto) {
                    let reparsed = clf::parse(after, Format::Auto);
                    assert!(
                        reparsed.is_some(),
                        "{name} {args:?}: line {} no longer parses",
                        n + 1
                    );
                    let combined = parsed.referrer.is_some();
                    assert_eq!(
                        reparsed.unwrap().referrer.is_some(),
                        combined,
                        "{name} line {}",
                        n + 1
                    );
                }
            }
        }
    }
}

#[test]
fn every_format_reference_file_keeps_lines_and_leaks_no_address() {
    let Some(dir) = corpus("formats") else { return };
    for path in files(&dir) {
        let input = std::fs::read(&path).unwrap();
        let out = run(&[path.to_str().unwrap()], b"");
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(out.status.success(), "{name}");
        assert_eq!(line_count(&out.stdout), line_count(&input), "{name}");
        let left = surviving(&input, &out.stdout);
        assert!(left.is_empty(), "{name}: {left:?} survive");
    }
}

#[test]
fn thread_counts_give_byte_identical_output() {
    let Some(dir) = corpus("real") else { return };
    for path in files(&dir) {
        let path = path.to_str().unwrap();
        let serial = run(&["--threads", "1", path], b"");
        for threads in ["2", "3", "7"] {
            let parallel = run(&["--threads", threads, path], b"");
            assert!(
                serial.stdout == parallel.stdout,
                "{path}: --threads {threads} differs"
            );
        }
        let input = std::fs::read(path).unwrap();
        let piped = run(&["--threads", "2"], &input);
        assert!(serial.stdout == piped.stdout, "{path}: stdin differs");
    }
}

/// `logscrub FILE | logscrub check` is clean for every corpus file, under the default and the
/// strictest policy, while the raw real logs are not.
#[test]
fn scrubbed_corpus_passes_the_audit() {
    let (Some(real), Some(formats)) = (corpus("real"), corpus("formats")) else {
        return;
    };
    for path in files(&real).into_iter().chain(files(&formats)) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for policy in [&[][..], &["--ip", "drop"][..]] {
            let mut args = policy.to_vec();
            args.push(path.to_str().unwrap());
            let scrubbed = run(&args, b"");
            let mut check = vec!["check"];
            check.extend_from_slice(policy);
            let audit = run(&check, &scrubbed.stdout);
            assert_eq!(
                audit.status.code(),
                Some(0),
                "{name} {policy:?}: {}",
                String::from_utf8_lossy(&audit.stdout)
            );
        }
    }
    for path in files(&real) {
        let audit = run(&["check", path.to_str().unwrap()], b"");
        assert_eq!(audit.status.code(), Some(1), "{}", path.display());
        let report = String::from_utf8_lossy(&audit.stdout);
        assert!(report.contains("IP addresses with host bits"), "{report}");
    }
}

/// The format recognised for each real log.
#[test]
fn real_logs_are_recognised() {
    let Some(dir) = corpus("real") else { return };
    let cases = [
        ("elastic-apache-combined.log", "common/combined"),
        ("lnav-iis-w3c.log", "w3c"),
        ("lnav-shop-nginx-xff.log", "combined_xff"),
        ("logparser-hackers-combined.log", "common/combined"),
    ];
    for (name, format) in cases {
        let path = dir.join(name);
        let out = run(&["--stats-json", path.to_str().unwrap()], b"");
        let stats = String::from_utf8_lossy(&out.stderr);
        assert!(
            stats.contains(&format!("\"format\":\"{format}\"}}]")),
            "{name}: {stats}"
        );
        assert!(stats.contains("\"fallback_lines\":0,"), "{name}: {stats}");
    }
}

/// What a line parses into under `layout`: the number of fields, `Some(0)` for a W3C
/// directive, `None` if it does not parse.
fn shape(layout: &mut Layout, line: &[u8], fields: &mut Vec<Field>) -> Option<usize> {
    if let Layout::Clf(_) = layout {
        return clf::parse(line, Format::Auto).map(|p| 7 + 2 * usize::from(p.referrer.is_some()));
    }
    if layout.directive(line) {
        return Some(0);
    }
    layout.parse(line, fields).then_some(fields.len())
}

/// Every corpus file is recognised as the same format after scrubbing, and every line that
/// parsed in it before parses after, into as many fields.
#[test]
fn corpus_files_still_parse_in_their_format() {
    let (Some(real), Some(formats)) = (corpus("real"), corpus("formats")) else {
        return;
    };
    let cfg = Config::default();
    for path in files(&real).into_iter().chain(files(&formats)) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read(&path).unwrap();
        for &args in POLICIES {
            let mut all = args.to_vec();
            all.push(path.to_str().unwrap());
            let out = run(&all, b"").stdout;
            let mut before = cfg.layout_for(&input);
            let mut after = cfg.layout_for(&out);
            assert_eq!(before.format(), after.format(), "{name} {args:?}");
            let (mut f1, mut f2) = (Vec::new(), Vec::new());
            let lines = input.split(|&b| b == b'\n').zip(out.split(|&b| b == b'\n'));
            for (n, (a, b)) in lines.enumerate() {
                let (a, b) = (
                    a.strip_suffix(b"\r").unwrap_or(a),
                    b.strip_suffix(b"\r").unwrap_or(b),
                );
                if let Some(count) = shape(&mut before, a, &mut f1) {
                    assert_eq!(
                        shape(&mut after, b, &mut f2),
                        Some(count),
                        "{name} {args:?} line {}",
                        n + 1
                    );
                }
            }
        }
    }
}

#[test]
fn format_reference_files_give_identical_output_at_any_thread_count() {
    let Some(dir) = corpus("formats") else { return };
    for path in files(&dir) {
        let path = path.to_str().unwrap();
        let serial = run(&["--threads", "1", path], b"");
        let parallel = run(&["--threads", "3", path], b"");
        assert!(serial.stdout == parallel.stdout, "{path}");
    }
}
