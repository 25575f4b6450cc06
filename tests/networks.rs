//! `--skip-private` and `--keep-networks`: the operator's own addresses stay as they are, in
//! every field and under every IP policy, and `check` allows them too.

mod common;

use common::run;

const LINE: &str = "10.1.2.3 - - [10/Oct/2023:13:55:36 +0200] \"GET /?from=192.168.1.7&x=198.51.100.7 HTTP/1.1\" 200 5 \"-\" \"probe 10.0.0.9 [fe80::1] 2001:db8::7 100.64.3.4 ::ffff:172.16.0.5\"\n";

fn scrub(args: &[&str]) -> String {
    let out = run(args, LINE.as_bytes());
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn private_ranges_are_kept_under_every_policy() {
    for policy in ["mask", "drop", "hash", "prefix"] {
        let out = scrub(&["--skip-private", "--ip", policy]);
        for kept in [
            "10.1.2.3 ",
            "from=192.168.1.7",
            "10.0.0.9",
            "[fe80::1]",
            "100.64.3.4",
            "::ffff:172.16.0.5",
        ] {
            assert!(out.contains(kept), "--ip {policy}: {kept} in {out}");
        }
        assert!(
            !out.contains("2001:db8::7") && !out.contains("198.51.100.7"),
            "--ip {policy}: {out}"
        );
    }
}

#[test]
fn listed_networks_are_kept() {
    let out = scrub(&[
        "--keep-networks",
        "198.51.100.0/24",
        "--keep-networks",
        "2001:db8::/32,10.1.2.3",
    ]);
    assert!(out.starts_with("10.1.2.3 "), "{out}");
    assert!(
        out.contains("2001:db8::7") && out.contains("x=198.51.100.7"),
        "{out}"
    );
    assert!(
        out.contains("10.0.0.0") && !out.contains("10.0.0.9"),
        "{out}"
    );
}

#[test]
fn an_invalid_network_is_a_usage_error_naming_it() {
    let out = run(
        &["--keep-networks", "10.0.0.0/8,300.1.2.3/8"],
        LINE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"300.1.2.3/8\"") && err.contains("CIDR"),
        "{err}"
    );
}

#[test]
fn check_allows_kept_networks() {
    let scrubbed = scrub(&["--skip-private"]);
    let flagged = run(&["check"], scrubbed.as_bytes());
    assert_eq!(
        flagged.status.code(),
        Some(1),
        "private addresses are findings by default"
    );
    let allowed = run(&["check", "--skip-private"], scrubbed.as_bytes());
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stdout)
    );
}
