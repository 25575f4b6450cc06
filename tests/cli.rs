//! The binary on the fixtures: golden outputs, exit codes, messages, streaming behaviour.
//!
//! Golden files live in `fixtures/expected/`. After an intended change of output, regenerate
//! them with `LOGSCRUB_BLESS=1 cargo test --test cli` and review the diff.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{line_count, logscrub, root, run, surviving};

/// (input fixture, arguments, golden output).
const GOLDEN: &[(&str, &[&str], &str)] = &[
    ("combined.log", &[], "combined.default.log"),
    (
        "combined.log",
        &[
            "--ip",
            "drop",
            "--referrer",
            "origin",
            "--request",
            "strip",
            "--user",
            "keep",
        ],
        "combined.strict.log",
    ),
    (
        "combined.log",
        &[
            "--ipv4-mask",
            "16",
            "--ipv6mask",
            "64",
            "--referrer",
            "redact",
        ],
        "combined.wide.log",
    ),
    (
        "combined.log",
        &[
            "--ip",
            "keep",
            "--referrer",
            "keep",
            "--request",
            "keep",
            "--user",
            "keep",
        ],
        "combined.keep.log",
    ),
    (
        "combined.log",
        &["--referrer", "drop", "-f", "combined"],
        "combined.noref.log",
    ),
    ("common.log", &[], "common.default.log"),
    (
        "common.log",
        &["--format", "combined"],
        "common.as-combined.log",
    ),
    ("edge-bytes.log", &[], "edge-bytes.default.log"),
];

#[test]
fn golden_outputs() {
    let bless = std::env::var_os("LOGSCRUB_BLESS").is_some();
    for &(input, args, expected) in GOLDEN {
        let mut all_args = args.to_vec();
        let path = format!("fixtures/{input}");
        all_args.push(&path);
        let out = run(&all_args, b"");
        assert!(
            out.status.success(),
            "{input} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let golden = root().join("fixtures/expected").join(expected);
        if bless {
            std::fs::write(&golden, &out.stdout).unwrap();
            continue;
        }
        let want = std::fs::read(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want),
            "{input} {args:?} differs from {expected}"
        );
    }
}

#[test]
fn fixtures_keep_line_count_and_leak_no_address() {
    for input in ["combined.log", "common.log", "edge-bytes.log"] {
        let data = std::fs::read(root().join("fixtures").join(input)).unwrap();
        let out = run(&[], &data);
        assert_eq!(line_count(&out.stdout), line_count(&data), "{input}");
        let left = surviving(&data, &out.stdout);
        assert!(left.is_empty(), "{input}: {left:?}");
    }
}

#[test]
fn stdin_and_dash_match_file_argument() {
    let data = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let from_file = run(&["fixtures/combined.log"], b"");
    assert_eq!(run(&[], &data).stdout, from_file.stdout);
    assert_eq!(run(&["-"], &data).stdout, from_file.stdout);
}

#[test]
fn several_files_are_concatenated() {
    let out = run(&["fixtures/common.log", "fixtures/common.log"], b"");
    let one = run(&["fixtures/common.log"], b"");
    assert_eq!(out.stdout, [one.stdout.clone(), one.stdout].concat());
}

#[test]
fn usage_errors_name_the_flag_and_the_choices() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--ip", "x"],
            &["--ip", "mask", "drop", "keep", "hash", "prefix"],
        ),
        (
            &["--key-rotation", "x"],
            &["--key-rotation", "none", "daily", "weekly", "monthly"],
        ),
        (&["--hash-format", "x"], &["--hash-format", "addr", "hex"]),
        (&["--threads", "0"], &["--threads"]),
        (
            &["--referrer", "x"],
            &["--referrer", "strip", "origin", "redact", "drop", "keep"],
        ),
        (
            &["--request", "x"],
            &["--request", "redact", "strip", "keep"],
        ),
        (&["--user", "x"], &["--user", "drop", "keep", "hash"]),
        (
            &["--format", "x"],
            &["--format", "auto", "common", "combined"],
        ),
        (&["--ipv4-mask", "33"], &["--ipv4-mask", "0..=32"]),
        (&["--ipv6-mask", "129"], &["--ipv6-mask", "0..=128"]),
        (&["--no-such-flag"], &["--no-such-flag"]),
    ];
    for &(args, needles) in cases {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
        }
    }
}

#[test]
fn missing_input_is_reported_and_the_rest_still_scrubbed() {
    let out = run(&["fixtures/no-such.log", "fixtures/common.log"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open input fixtures/no-such.log"),
        "{err}"
    );
    assert_eq!(line_count(&out.stdout), 3);
}

#[test]
fn output_file_is_appended_to() {
    let dir = std::env::temp_dir().join(format!("logscrub-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.log");
    std::fs::write(&path, b"existing\n").unwrap();
    let path_arg = path.to_str().unwrap();
    for _ in 0..2 {
        let out = run(&["-o", path_arg, "fixtures/common.log"], b"");
        assert!(out.status.success());
        assert!(out.stdout.is_empty());
    }
    let written = std::fs::read(&path).unwrap();
    let one = run(&["fixtures/common.log"], b"").stdout;
    assert_eq!(written, [b"existing\n".to_vec(), one.clone(), one].concat());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unwritable_output_is_a_clear_error_without_log_content() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipping: /dev/full is not present");
        return;
    }
    let out = run(&["-o", "/dev/full", "fixtures/combined.log"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write output"), "{err}");
    assert!(!err.contains("203.0") && !err.contains("frank"), "{err}");

    let out = run(&["-o", "/nonexistent-dir/x.log"], b"1.2.3.4\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open output"));
}

#[test]
fn closed_stdout_exits_quietly_with_zero() {
    let line =
        b"203.0.113.195 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n";
    let data: Vec<u8> = line.repeat(200_000);
    let mut child = logscrub()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_line_written_to_stdin_comes_out_before_more_input() {
    for threads in ["1", "2"] {
        line_comes_out_at_once(threads);
    }
}

fn line_comes_out_at_once(threads: &str) {
    let mut child = logscrub()
        .args(["--threads", threads])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    for n in 1..=3 {
        writeln!(stdin, "198.51.100.{n} - - [t] \"GET / HTTP/1.1\" 200 1").unwrap();
        stdin.flush().unwrap();
        // Generous: this checks that output does not wait for more input, not how fast it is.
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("line not flushed");
        assert!(line.starts_with("198.51.100.0 "), "{line}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_ten_megabyte_line_is_scrubbed_whole() {
    let mut data = b"198.51.100.77 - - [t] \"GET /".to_vec();
    data.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    data.extend_from_slice(b"?sid=1 HTTP/1.1\" 200 1\nnext 10.1.2.3\n");
    let out = run(&[], &data);
    assert!(out.status.success());
    assert_eq!(line_count(&out.stdout), 2);
    assert_eq!(out.stdout.len(), data.len() - 1 + "REDACTED".len() - 1);
    assert!(out.stdout.starts_with(b"198.51.100.0 - - [t]"));
    assert!(out
        .stdout
        .ends_with(b"?sid=REDACTED HTTP/1.1\" 200 1\nnext 10.1.2.0\n"));
}

#[test]
fn lines_over_max_line_length_become_one_placeholder_line_each() {
    let mut data = b"10.1.2.3 - - [t] \"GET / HTTP/1.1\" 200 1\n".to_vec();
    let long_at = data.len();
    data.extend(std::iter::repeat_n(b'7', 3 << 20));
    data.extend_from_slice(b" jane@example.com\r\nnext 10.1.2.4\n");
    data.extend(std::iter::repeat_n(b'8', 2 << 20));
    for threads in ["1", "2"] {
        let out = run(
            &[
                "--threads",
                threads,
                "--max-line-length",
                "1M",
                "--stats-json",
            ],
            &data,
        );
        assert!(out.status.success());
        let mut want = b"10.1.2.0 - - [t] \"GET / HTTP/1.1\" 200 1\n".to_vec();
        want.extend_from_slice(b"REDACTED\r\nnext 10.1.2.0\nREDACTED");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want),
            "threads {threads}"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("\"overlong_lines\":2"), "{err}");
    }
    // Under the default cap the same lines are scrubbed whole.
    let out = run(&["--threads", "1"], &data);
    assert!(out.status.success());
    assert!(out.stdout[long_at..].starts_with(b"7777"));
    assert_eq!(line_count(&out.stdout), 4);
}

#[test]
fn stats_report_counts_not_content() {
    let out = run(&["--stats", "fixtures/combined.log"], b"");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "lines: 16 in, 16 out, 1 fail-safe",
        "IPs",
        "e-mails",
        "referrers",
        "request values",
        "users",
        "MB/s",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    assert!(!err.contains("203.0.113"), "{err}");
}

#[test]
fn check_reports_kinds_and_lines_but_no_data() {
    let out = run(&["check", "fixtures/combined.log"], b"");
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "fixtures/combined.log: personal data found (16 lines read)",
        "IP addresses with host bits: 15 lines (line 1, 2, 3, 4, 5,",
        "e-mail addresses: 4 lines (line 3, 5, 9, 14)",
        "values of sensitive parameters",
        "full client host names: 1 lines (line 6)",
        "userinfo in URLs: 1 lines (line 3)",
    ] {
        assert!(report.contains(needle), "{needle:?} not in {report}");
    }
    for secret in ["203.0.113", "frank", "hunter2", "jane", "example.org"] {
        assert!(!report.contains(secret), "{secret} in {report}");
    }
    let scrubbed = run(&["fixtures/combined.log"], b"").stdout;
    let clean = run(&["check"], &scrubbed);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("standard input: clean (16 lines)"));
    let missing = run(&["check", "fixtures/nope.log"], b"");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn compressed_inputs_are_recognised_by_magic() {
    use std::io::Write as _;
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let want = run(&["fixtures/combined.log"], b"").stdout;
    let gzip = |data: &[u8]| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    };
    let (head, tail) = plain.split_at(plain.len() / 2);
    let multi_member = [gzip(head), gzip(tail)].concat();
    let zstd = zstd::encode_all(plain.as_slice(), 3).unwrap();
    let dir = std::env::temp_dir().join(format!("logscrub-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, data) in [
        ("a.log.gz", gzip(&plain)),
        ("b.log.2.gz", multi_member),
        ("c.log.zst", zstd),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &data).unwrap();
        let out = run(&[path.to_str().unwrap()], b"");
        assert!(out.status.success(), "{name}");
        assert_eq!(out.stdout, want, "{name}");
        assert_eq!(run(&[], &data).stdout, want, "{name} on stdin");
    }
    // A truncated archive: the complete lines are written, then a clear error and exit 2.
    let truncated = &gzip(&plain)[..300];
    let out = run(&[], truncated);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read standard input"));
    assert!(want.starts_with(&out.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stats_json_is_one_json_object() {
    let out = run(&["--stats-json", "fixtures/combined.log"], b"");
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let line = err.trim();
    assert!(
        line.starts_with('{') && line.ends_with('}') && !line.contains('\n'),
        "{line}"
    );
    for key in [
        "\"lines_in\":16",
        "\"lines_out\":16",
        "\"fallback_lines\":1",
        "\"ip\":\"mask\"",
        "\"mb_per_s\":",
    ] {
        assert!(line.contains(key), "{key} not in {line}");
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell], b"");
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("logscrub"),
            "{shell}"
        );
    }
    let man = run(&["man"], b"");
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH logscrub 1") && page.contains("ipv4\\-mask"),
        "{page}"
    );
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let out = run(&["fixtures/combined.log", "fixtures/common.log"], b"");
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Regression (durability issue): more inputs than chunk buffers in flight (2 × threads + 2)
/// once hung for ever, because each input that ended kept one buffer.
#[test]
fn hundreds_of_inputs_finish_under_every_thread_count() {
    use std::time::{Duration, Instant};
    let dir = std::env::temp_dir().join(format!("logscrub-many-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = Vec::new();
    let mut want = Vec::new();
    for n in 0..200 {
        let path = dir.join(format!("access.log.{n}"));
        match n % 3 {
            0 => {
                std::fs::write(
                    &path,
                    format!("192.0.2.{n} - - [t] \"GET /{n} HTTP/1.1\" 200 1\n"),
                )
                .unwrap();
                want.push(format!("192.0.2.0 - - [t] \"GET /{n} HTTP/1.1\" 200 1\n"));
            }
            1 => std::fs::write(&path, b"").unwrap(),
            _ => {} // missing: reported, the run goes on
        }
        args.push(path.to_str().unwrap().to_string());
    }
    for threads in ["1", "2", "3", "8"] {
        let mut child = logscrub()
            .args(["--threads", threads, "--format", "common"])
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("--threads {threads}: still running after 60 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "--threads {threads}: a missing input"
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            want.concat(),
            "--threads {threads}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches("cannot open input").count(), 66, "{stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `logscrub chek access.log`: no file `chek` and spelled like a subcommand, so a usage error
/// that names the subcommand, before anything is scrubbed.
#[test]
fn a_mistyped_subcommand_is_suggested_before_anything_is_scrubbed() {
    for (typed, meant) in [
        ("chek", "check"),
        ("chekc", "check"),
        ("keygn", "keygen"),
        ("mna", "man"),
    ] {
        let out = run(&[typed, "fixtures/combined.log"], b"");
        assert_eq!(out.status.code(), Some(2), "{typed}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("did you mean `{meant}`?")),
            "{typed}: {err}"
        );
        assert!(out.stdout.is_empty(), "{typed}: nothing scrubbed");
    }
    // A missing file that is not spelled like a subcommand stays a missing input.
    let out = run(&["access", "fixtures/common.log"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open input access"));
    assert_eq!(line_count(&out.stdout), 3);
}

/// Format names from elsewhere get the `--format` value meant.
#[test]
fn format_names_from_elsewhere_are_suggested() {
    for (typed, meant) in [("clf", "common"), ("iis", "w3c"), ("ndjson", "json")] {
        let out = run(&["-f", typed, "fixtures/common.log"], b"");
        assert_eq!(out.status.code(), Some(2), "{typed}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("'{meant}'")) && err.contains("possible values"),
            "{typed}: {err}"
        );
    }
}

#[test]
fn manual_pages_have_the_sections_and_the_subcommand_pages() {
    let page = String::from_utf8(run(&["man"], b"").stdout).unwrap();
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH SIGNALS",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH EXAMPLES",
        "logscrub\\-check(1)",
        "128+n",
        "LOGSCRUB_KEY",
        "\\-\\-pid\\-file",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    for (name, needle) in [
        ("check", "Personal data was found"),
        ("keygen", "never overwritten"),
    ] {
        let out = run(&["man", name], b"");
        assert!(out.status.success(), "{name}");
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(
            page.contains(&format!(".TH logscrub\\-{name} 1"))
                || page.contains(&format!(".TH logscrub-{name} 1")),
            "{name}: {}",
            &page[..page.len().min(300)]
        );
        assert!(
            page.contains(".SH \"EXIT STATUS\"") && page.contains(needle),
            "{name}"
        );
    }
}

/// `-o PATH` left ending in half a line (a writer killed mid-write): the next run starts on
/// a new line instead of gluing its first line onto it, and `--stats` counts it.
#[test]
fn an_output_ending_in_a_torn_line_gets_a_newline_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.log");
    std::fs::write(
        &path,
        b"198.51.100.0 - - [10/Oct/2000:13:55:36 -0700] \"GET /a",
    )
    .unwrap();
    let out = run(
        &[
            "-o",
            path.to_str().unwrap(),
            "--stats-json",
            "fixtures/common.log",
        ],
        b"",
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"torn_lines_ended\":1"), "{err}");
    assert!(err.contains("ended in an incomplete line"), "{err}");
    let one = run(&["fixtures/common.log"], b"").stdout;
    let written = std::fs::read(&path).unwrap();
    let torn = b"198.51.100.0 - - [10/Oct/2000:13:55:36 -0700] \"GET /a\n".to_vec();
    assert_eq!(written, [torn.clone(), one.clone()].concat());
    // Whole lines now: nothing more to end.
    let out = run(
        &[
            "-o",
            path.to_str().unwrap(),
            "--stats",
            "fixtures/common.log",
        ],
        b"",
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("torn"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [torn, one.clone(), one].concat()
    );
}
