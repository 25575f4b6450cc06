//! Every format on hand-written fixtures with personal data in each field: golden outputs,
//! recognition by `--format auto`, custom format strings and their errors.
//!
//! Golden files live in `fixtures/expected/formats/`. After an intended change of output,
//! regenerate them with `LOGSCRUB_BLESS=1 cargo test --test formats` and review the diff.

mod common;

use common::{line_count, root, run, surviving};

const APACHE_CUSTOM: &str =
    r#"%a %{c}a %u %{%Y-%m-%d %H:%M:%S}t %D "%U" "%q" %{X-Forwarded-For}i "%{User-Agent}i""#;
const NGINX_CUSTOM: &str = r#"$time_iso8601 client=$remote_addr user=$remote_user req="$request" st=$status ref="$http_referer" xff="$http_x_forwarded_for" rt=$request_time"#;

/// (fixture in `fixtures/formats/`, the format `auto` must recognise, extra arguments).
const FIXTURES: &[(&str, &str, &[&str])] = &[
    ("vhost_combined.log", "vhost_combined", &[]),
    ("combined_xff.log", "combined_xff", &[]),
    ("haproxy.log", "haproxy", &[]),
    ("elb.log", "elb", &[]),
    ("alb.log", "alb", &[]),
    ("s3.log", "s3", &[]),
    ("w3c-iis.log", "w3c", &[]),
    ("cloudfront.log", "w3c", &[]),
    (
        "custom-apache.log",
        "custom",
        &["--log-format", APACHE_CUSTOM],
    ),
    (
        "custom-nginx.log",
        "custom",
        &["--nginx-format", NGINX_CUSTOM],
    ),
    ("json-nginx.log", "json", &[]),
    ("json-caddy.log", "json", &[]),
    (
        "json-custom.log",
        "json",
        &[
            "--json-ip-fields",
            "peer.addr",
            "--json-user-fields",
            "who",
            "--json-url-fields",
            "page",
            "--json-referrer-fields",
            "from",
        ],
    ),
];

fn fixture(name: &str) -> String {
    format!("fixtures/formats/{name}")
}

#[test]
fn golden_outputs() {
    let bless = std::env::var_os("LOGSCRUB_BLESS").is_some();
    for &(name, _, args) in FIXTURES {
        for (policy, suffix) in [
            (&[][..], "default"),
            (
                &["--ip", "drop", "--referrer", "drop", "--request", "strip"][..],
                "strict",
            ),
        ] {
            let mut all = args.to_vec();
            all.extend_from_slice(policy);
            let path = fixture(name);
            all.push(&path);
            let out = run(&all, b"");
            assert!(
                out.status.success(),
                "{name} {all:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let golden = root()
                .join("fixtures/expected/formats")
                .join(format!("{}.{suffix}.log", name.trim_end_matches(".log")));
            if bless {
                std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
                std::fs::write(&golden, &out.stdout).unwrap();
                continue;
            }
            let want =
                std::fs::read(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
            assert!(
                out.stdout == want,
                "{name} {policy:?} differs from {}:\n{}",
                golden.display(),
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn fixtures_keep_line_count_and_leak_nothing() {
    for &(name, _, args) in FIXTURES {
        let path = fixture(name);
        let input = std::fs::read(root().join(&path)).unwrap();
        let mut all = args.to_vec();
        all.push(&path);
        let out = run(&all, b"");
        assert_eq!(line_count(&out.stdout), line_count(&input), "{name}");
        assert!(surviving(&input, &out.stdout).is_empty(), "{name}");
        let text = String::from_utf8_lossy(&out.stdout);
        // Every fixture plants these; none may survive in any field.
        for planted in [
            "@example",
            "%40example",
            "alice",
            "frank",
            "carol",
            "grace",
            "ivan",
            "judy",
            "erin.doe",
            "token=9f86",
            "s3cr3t",
            "SessionId=abc123",
            "session=77",
            "4915112345678",
            "eyJhbGci",
            "karl",
            "mia@",
            "lennart",
            "deadbeef",
            "0123456789abcdef",
        ] {
            assert!(
                !text.contains(planted),
                "{name}: `{planted}` survives:\n{text}"
            );
        }
        let mut check = vec!["check"];
        check.extend_from_slice(args);
        let audit = run(&check, &out.stdout);
        assert_eq!(
            audit.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&audit.stdout)
        );
    }
}

/// `--format auto` recognises each fixture, says so in `--stats`, and scrubs it exactly as
/// the explicit `--format` does.
#[test]
fn auto_recognises_each_format() {
    for &(name, format, args) in FIXTURES {
        if format == "custom" {
            continue;
        }
        let path = fixture(name);
        let mut auto = vec!["--stats-json"];
        auto.extend_from_slice(args);
        auto.push(&path);
        let auto = run(&auto, b"");
        let stats = String::from_utf8_lossy(&auto.stderr);
        assert!(
            stats.contains(&format!("\"format\":\"{format}\"}}")),
            "{name}: {stats}"
        );
        assert!(
            stats.contains("\"fallback_lines\":0,") || name == "haproxy.log",
            "{name}: {stats}"
        );
        let mut explicit = vec!["-f", format];
        explicit.extend_from_slice(args);
        explicit.push(&path);
        let explicit = run(&explicit, b"");
        assert!(auto.stdout == explicit.stdout, "{name}");
        let mut human = vec!["--stats"];
        human.extend_from_slice(args);
        human.push(&path);
        let human = run(&human, b"");
        let human = String::from_utf8_lossy(&human.stderr);
        assert!(
            human.contains(&format!("{path}: read as {format}")),
            "{human}"
        );
    }
}

/// Each input of one run is recognised on its own.
#[test]
fn formats_are_recognised_per_input() {
    let a = fixture("w3c-iis.log");
    let b = fixture("haproxy.log");
    let c = fixture("combined_xff.log");
    let out = run(&["--stats-json", &a, &b, &c], b"");
    let stats = String::from_utf8_lossy(&out.stderr);
    for (path, format) in [(&a, "w3c"), (&b, "haproxy"), (&c, "combined_xff")] {
        assert!(
            stats.contains(&format!("{{\"name\":\"{path}\",\"format\":\"{format}\"}}")),
            "{stats}"
        );
    }
    let mut separately = Vec::new();
    for path in [&a, &b, &c] {
        separately.extend(run(&[path], b"").stdout);
    }
    assert!(out.stdout == separately);
    for threads in ["1", "2", "3"] {
        let parallel = run(&["--threads", threads, &a, &b, &c], b"");
        assert!(parallel.stdout == separately, "{threads} threads");
    }
}

/// A W3C file's later `#Fields:` header changes the columns from there on, also when the
/// header falls in the middle of a parallel run's chunks.
#[test]
fn w3c_headers_hold_across_chunks() {
    let mut input = Vec::new();
    for n in 0..3000 {
        if n % 1000 == 0 {
            let header = if n % 2000 == 0 {
                "#Fields: date time c-ip cs-username cs-uri-query\n"
            } else {
                "#Fields: date time cs-username c-ip cs-uri-query\n"
            };
            input.extend_from_slice(header.as_bytes());
        }
        let line = if n / 1000 % 2 == 0 {
            format!(
                "2023-10-10 00:00:01 203.0.113.{} user{n} q=1&email=u{n}@example.com\n",
                n % 250 + 1
            )
        } else {
            format!(
                "2023-10-10 00:00:01 user{n} 203.0.113.{} q=1&email=u{n}@example.com\n",
                n % 250 + 1
            )
        };
        input.extend_from_slice(line.as_bytes());
    }
    let serial = run(&["--threads", "1", "-f", "w3c"], &input);
    let text = String::from_utf8_lossy(&serial.stdout);
    assert!(!text.contains("user1"), "user names survive");
    assert!(!text.contains("example.com"), "e-mails survive");
    assert_eq!(line_count(&serial.stdout), line_count(&input));
    assert!(surviving(&input, &serial.stdout).is_empty());
    for threads in ["2", "4"] {
        let parallel = run(&["--threads", threads, "-f", "w3c"], &input);
        assert!(parallel.stdout == serial.stdout, "{threads} threads");
    }
}

#[test]
fn bad_format_strings_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--log-format", "%h %Z"],
            "--log-format: unknown LogFormat directive `%Z` at byte 4",
        ),
        (
            &["--log-format", "no directives"],
            "--log-format: the format has no % directive",
        ),
        (
            &["--nginx-format", "$remote_addr ${oops"],
            "--nginx-format: unclosed",
        ),
        (
            &["--nginx-format", "$remote_addr:17 $status"],
            "the text `:17 ` runs on into the field",
        ),
        (
            &["--nginx-format", "$host:$remote_user"],
            "the fields on both sides of `:` could together form an address",
        ),
        (
            &["--log-format", "%h via 192.0.2.1 %>s"],
            "holds an address, e-mail address, sensitive parameter or userinfo",
        ),
        (
            &["--nginx-format", r#"$remote_addr "GET /a?email=x" $status"#],
            "sensitive parameter",
        ),
        (
            &["--log-format", "%h", "-f", "combined"],
            "cannot be used with",
        ),
        (
            &["--log-format", "%h", "--nginx-format", "$remote_addr"],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let out = run(args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Whether two JSON values have the same shape: objects with the same keys in the same order,
/// arrays of the same length, equal numbers, booleans and nulls; strings may differ.
fn same_shape(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same_shape(v1, v2))
        }
        (Array(x), Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v1, v2)| same_shape(v1, v2))
        }
        (String(_), String(_)) => true,
        _ => a == b,
    }
}

/// Scrubbed JSON logs are still one valid JSON object per line, and only string values changed.
#[test]
fn json_output_is_valid_json_of_the_same_shape() {
    let mut paths: Vec<std::path::PathBuf> = FIXTURES
        .iter()
        .filter(|(_, format, _)| *format == "json")
        .map(|(name, _, _)| root().join(fixture(name)))
        .collect();
    if let Some(dir) = common::corpus("formats") {
        for path in common::files(&dir) {
            let text = std::fs::read(&path).unwrap();
            if text.first() == Some(&b'{') {
                paths.push(path);
            }
        }
    }
    assert!(paths.len() >= 8, "{paths:?}");
    for path in paths {
        let input = std::fs::read_to_string(&path).unwrap();
        let out = run(&["-f", "json", path.to_str().unwrap()], b"");
        let output = String::from_utf8(out.stdout).unwrap();
        assert_eq!(input.lines().count(), output.lines().count());
        for (n, (before, after)) in input.lines().zip(output.lines()).enumerate() {
            let before: serde_json::Value = serde_json::from_str(before).unwrap();
            let after: serde_json::Value = serde_json::from_str(after)
                .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), n + 1));
            assert!(
                same_shape(&before, &after),
                "{} line {}",
                path.display(),
                n + 1
            );
        }
    }
}

/// An IIS 10 line in the default columns, without its header: a user name, personal query
/// values and a client address to scrub.
fn iis_line(n: usize, referrer: bool) -> String {
    format!(
        "2024-03-05 10:{:02}:{:02} 10.0.0.5 GET /portal/login.aspx user=jane.doe{n}&sid=8f14e45fceea{n} 443 CONTOSO\\jane.doe{n} 203.0.113.{} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64){} 200 0 0 {}\n",
        n / 60 % 60,
        n % 60,
        n % 250 + 1,
        if referrer { " https://intranet.contoso.com/home" } else { "" },
        n % 97,
    )
}

/// A piece of an IIS log without its `#Fields:` line (IIS 10 and IIS 7 defaults) is read in
/// IIS's default columns, recognised or with `--format w3c`: the user and the query values are
/// redacted, every line is kept, and the columns without personal data come out byte for byte.
#[test]
fn headerless_iis_is_read_in_default_columns() {
    for referrer in [true, false] {
        let input: String = (0..200).map(|n| iis_line(n, referrer)).collect();
        let auto = run(&["--stats-json"], input.as_bytes());
        let stats = String::from_utf8_lossy(&auto.stderr);
        assert!(stats.contains("\"format\":\"w3c\"}"), "{stats}");
        assert!(stats.contains("\"fallback_lines\":0,"), "{stats}");
        let explicit = run(&["-f", "w3c"], input.as_bytes());
        assert!(explicit.stdout == auto.stdout);
        let output = String::from_utf8(auto.stdout).unwrap();
        assert_eq!(line_count(output.as_bytes()), line_count(input.as_bytes()));
        assert!(!output.contains("jane"), "{output}");
        assert!(!output.contains("8f14e45fceea"), "{output}");
        assert!(surviving(input.as_bytes(), output.as_bytes()).is_empty());
        for (before, after) in input.lines().zip(output.lines()) {
            let before: Vec<&str> = before.split(' ').collect();
            let after: Vec<&str> = after.split(' ').collect();
            assert_eq!(before.len(), after.len(), "{after:?}");
            assert_eq!(after[7], "-");
            assert!(after[5].starts_with("user=") && after[5].contains("&sid="));
            // s-ip (2) and c-ip (8) are masked; query (5) and user (7) redacted.
            for (i, (b, a)) in before.iter().zip(&after).enumerate() {
                if ![2, 5, 7, 8].contains(&i) {
                    assert_eq!(b, a, "column {i}");
                }
            }
        }
    }
}

/// `--w3c-fields` names the columns of headerless input of any layout, from the first line;
/// a `#Fields:` line in the input replaces them.
#[test]
fn w3c_fields_name_headerless_columns() {
    let input = "2024-03-05 10:00:01 jane 198.51.100.23 email=jane@example.com&page=2\n\
                 #Fields: date time c-ip cs-username cs-uri-query\n\
                 2024-03-05 10:00:02 198.51.100.24 grace sid=77\n";
    let names = "date time cs-username c-ip cs-uri-query";
    for args in [
        &["--w3c-fields", names][..],
        &["-f", "w3c", "--w3c-fields", names],
    ] {
        let out = run(args, input.as_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "2024-03-05 10:00:01 - 198.51.100.0 email=REDACTED&page=2\n\
             #Fields: date time c-ip cs-username cs-uri-query\n\
             2024-03-05 10:00:02 198.51.100.0 - sid=REDACTED\n"
        );
    }
    for (args, message) in [
        (&["--w3c-fields", ""][..], "--w3c-fields names no column"),
        (&["--w3c-fields", " , "], "--w3c-fields names no column"),
        (
            &["--w3c-fields", "c-ip", "-f", "combined"],
            "--w3c-fields cannot be combined with --format combined",
        ),
        (
            &["--w3c-fields", "c-ip", "--log-format", "%h"],
            "cannot be used with",
        ),
    ] {
        let out = run(args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// One and two threads give the same bytes on W3C input that spans several chunks: headerless
/// IIS lines, and a file whose empty `#Fields:` line (which keeps the columns in effect) falls
/// in the first chunk, with client host names in the following ones.
#[test]
fn w3c_header_state_is_the_same_serial_and_parallel() {
    let headerless: String = (0..24_000).map(|n| iis_line(n, n % 3 > 0)).collect();
    let mut empty_header =
        String::from("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-dns cs-uri-query\n");
    empty_header.push_str("2024-03-05 10:00:00 pc1.corp.example.com q=1\n#Fields:\n");
    for n in 0..40_000 {
        empty_header.push_str(&format!(
            "2024-03-05 10:00:01 client{n}.corp.example.com email=u{n}@example.com\n"
        ));
    }
    for (name, input) in [("headerless", headerless), ("empty #Fields:", empty_header)] {
        assert!(input.len() > 2 << 20, "{name}: several chunks");
        let serial = run(&["--threads", "1"], input.as_bytes());
        let parallel = run(&["--threads", "2"], input.as_bytes());
        assert!(
            serial.status.success() && parallel.status.success(),
            "{name}"
        );
        assert!(serial.stdout == parallel.stdout, "{name}: outputs differ");
        let output = String::from_utf8(serial.stdout).unwrap();
        assert_eq!(line_count(output.as_bytes()), line_count(input.as_bytes()));
        assert!(
            !output.contains(".corp."),
            "{name}: a client host name survives"
        );
        assert!(!output.contains("jane"), "{name}: a user survives");
    }
}
