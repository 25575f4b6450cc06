//! Pseudonymization through the binary: pinned test vectors, key handling, random keys, and
//! prefix preservation as a property.

mod common;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::{Output, Stdio};

use common::{logscrub, root};
use logscrub::{Config, IpPolicy, Key, Scrubber};
use proptest::prelude::*;

const KEY: &str = "0123456789abcdeffedcba98765432101032547698badcfeefcdab8967452301";

/// Runs the binary with `LOGSCRUB_KEY` set (or removed) and `input` on stdin.
fn run_keyed(key: Option<&str>, args: &[&str], input: &[u8]) -> Output {
    let mut cmd = logscrub();
    cmd.args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match key {
        Some(key) => cmd.env("LOGSCRUB_KEY", key),
        None => cmd.env_remove("LOGSCRUB_KEY"),
    };
    let mut child = cmd.spawn().unwrap();
    // The binary may exit (on a key error) before reading its input.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// `fixtures/pseudonym-vectors.tsv` pins the derivation and the mapping documented in README.md
/// (the hash vectors were cross-checked against an independent Python implementation of that
/// text, the prefix ones build on the ipcrypt-pfx draft vectors): pseudonyms must never change
/// silently between versions.
#[test]
fn pinned_vectors() {
    let text = std::fs::read_to_string(root().join("fixtures/pseudonym-vectors.tsv")).unwrap();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [key, args, input, want] = fields[..] else {
            panic!("malformed vector line: {line}");
        };
        let args: Vec<&str> = args.split(' ').collect();
        let out = run_keyed(Some(key), &args, format!("{input}\n").as_bytes());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{want}\n"),
            "{args:?} {input}"
        );
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} vectors");
}

#[test]
fn key_file_and_environment_give_the_same_pseudonyms() {
    let dir = std::env::temp_dir().join(format!("logscrub-pseudo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key");
    std::fs::write(&path, format!("{KEY}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let line = b"203.0.113.195 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1\n";
    let from_env = run_keyed(Some(KEY), &["--ip", "hash"], line);
    let from_file = run_keyed(
        None,
        &["--ip", "hash", "--key-file", path.to_str().unwrap()],
        line,
    );
    assert_eq!(from_env.stdout, from_file.stdout);
    assert!(
        from_file.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let exposed = run_keyed(
            None,
            &["--ip", "hash", "--key-file", path.to_str().unwrap()],
            line,
        );
        assert!(exposed.status.success());
        let err = String::from_utf8_lossy(&exposed.stderr);
        assert!(
            err.contains("readable by group or others") && err.contains("chmod 600"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn key_errors_are_clear_and_never_echo_the_key() {
    let dir = std::env::temp_dir().join(format!("logscrub-badkey-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short");
    std::fs::write(&short, &KEY[..40]).unwrap();
    let garbled = dir.join("garbled");
    std::fs::write(
        &garbled,
        "zz23456789abcdeffedcba98765432101032547698badcfeefcdab89674523zz",
    )
    .unwrap();
    let equal_halves = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let cases: Vec<(Option<&str>, Vec<String>, &str)> = vec![
        (
            None,
            vec![
                "--key-file".into(),
                dir.join("missing").display().to_string(),
            ],
            "cannot read key file",
        ),
        (
            None,
            vec!["--key-file".into(), short.display().to_string()],
            "must be 32 bytes",
        ),
        (
            None,
            vec!["--key-file".into(), garbled.display().to_string()],
            "must be 32 bytes",
        ),
        (
            Some(&KEY[..10]),
            vec![],
            "LOGSCRUB_KEY variable must be 32 bytes",
        ),
        (Some(equal_halves), vec![], "halves differ"),
    ];
    for (env, extra, needle) in cases {
        let mut args = vec!["--ip".to_string(), "prefix".to_string()];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_keyed(env, &args, b"1.2.3.4\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        for secret in [&KEY[..16], "zz23456789", "0011223344"] {
            assert!(!err.contains(secret), "key material in: {err}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_key_pseudonyms_hold_within_a_run_only() {
    let line = "198.51.100.7 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1\n";
    let twice = line.repeat(2);
    let first = run_keyed(None, &["--ip", "hash", "--stats"], twice.as_bytes());
    let second = run_keyed(None, &["--ip", "hash"], twice.as_bytes());
    let lines: Vec<&[u8]> = first.stdout.split(|&b| b == b'\n').collect();
    assert_eq!(lines[0], lines[1]);
    assert_ne!(first.stdout, second.stdout);
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(err.contains("drawn at random for this run"), "{err}");
}

#[test]
fn keygen_writes_a_usable_private_key() {
    let dir = std::env::temp_dir().join(format!("logscrub-keygen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("new.key");
    let out = run_keyed(None, &["keygen", path.to_str().unwrap()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let again = run_keyed(None, &["keygen", path.to_str().unwrap()], b"");
    assert_eq!(again.status.code(), Some(2));
    let used = run_keyed(
        None,
        &["--ip", "prefix", "--key-file", path.to_str().unwrap()],
        b"1.2.3.4\n",
    );
    assert!(used.status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The pseudonym the library writes for `addr` in the client field.
fn prefix_pseudonym(scrubber: &mut Scrubber, addr: IpAddr) -> IpAddr {
    let mut out = Vec::new();
    let line = format!("{addr} - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1\n");
    scrubber.scrub(line.as_bytes(), &mut out);
    let text = String::from_utf8(out).unwrap();
    text.split(' ').next().unwrap().parse().unwrap()
}

fn common_prefix(a: IpAddr, b: IpAddr) -> u32 {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) ^ u32::from(b)).leading_zeros(),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a) ^ u128::from(b)).leading_zeros(),
        _ => panic!("family changed"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Two addresses sharing exactly k leading bits have pseudonyms sharing exactly k bits.
    #[test]
    fn prefix_preservation(a in any::<u128>(), b in any::<u128>(), shared in 0u32..=128, v4 in any::<bool>()) {
        let key = Key::decode(KEY.as_bytes(), "test").unwrap();
        let cfg = Config::builder().ip(IpPolicy::Prefix).key(key).build().unwrap();
        let mut scrubber = Scrubber::new(&cfg);
        let (x, y) = if v4 {
            let shared = shared % 33;
            let keep = u32::MAX.checked_shl(32 - shared).unwrap_or(0);
            let (a, b) = (a as u32, (a as u32 & keep) | (b as u32 & !keep));
            (IpAddr::V4(Ipv4Addr::from(a)), IpAddr::V4(Ipv4Addr::from(b)))
        } else {
            let keep = u128::MAX.checked_shl(128 - shared).unwrap_or(0);
            // Keep clear of ::ffff:0:0/96, which ipcrypt-pfx treats as IPv4.
            let a = a | (1 << 127);
            (IpAddr::V6(Ipv6Addr::from(a)), IpAddr::V6(Ipv6Addr::from((a & keep) | (b & !keep) | (1 << 127))))
        };
        let (px, py) = (prefix_pseudonym(&mut scrubber, x), prefix_pseudonym(&mut scrubber, y));
        prop_assert_eq!(common_prefix(px, py), common_prefix(x, y), "{} {} -> {} {}", x, y, px, py);
    }
}

/// The key of a line follows the UTC instant of its timestamp: the last second of a UTC day and
/// the first of the next get different pseudonyms, two ends of one UTC day the same ones.
#[test]
fn rotation_follows_the_utc_instant_of_each_line() {
    let line = |time: &str| format!("198.51.100.7 - - [{time}] \"GET / HTTP/1.1\" 200 1\n");
    let first = |out: Output| {
        String::from_utf8(out.stdout)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    let pseudonym = |rotation: &str, time: &str| {
        first(run_keyed(
            Some(KEY),
            &["--ip", "hash", "--key-rotation", rotation],
            line(time).as_bytes(),
        ))
    };
    let cases = [
        // 2024-01-01 11:59:59 UTC and 2023-12-31 10:00:00 UTC.
        (
            "daily",
            "31/Dec/2023:23:59:59 -1200",
            "01/Jan/2024:00:00:00 +1400",
            false,
        ),
        // 2023-12-31 10:00:00 UTC and 2023-12-31 23:59:59 UTC.
        (
            "daily",
            "01/Jan/2024:00:00:00 +1400",
            "31/Dec/2023:23:59:59 +0000",
            true,
        ),
        // 2024-01-02 11:59:59 UTC and 2024-01-01 00:00:00 UTC.
        (
            "daily",
            "01/Jan/2024:23:59:59 -1200",
            "01/Jan/2024:00:00:00 +0000",
            false,
        ),
        (
            "weekly",
            "07/Jan/2024:23:59:59 +0000",
            "08/Jan/2024:00:00:00 +0000",
            false,
        ),
        // Monday 00:30 at +01:00 is still Sunday in UTC, in the week before.
        (
            "weekly",
            "08/Jan/2024:00:30:00 +0100",
            "07/Jan/2024:23:59:59 +0000",
            true,
        ),
        (
            "monthly",
            "01/Feb/2024:00:00:00 +0100",
            "31/Jan/2024:23:00:00 +0000",
            true,
        ),
        (
            "monthly",
            "31/Jan/2024:23:59:59 -0100",
            "01/Feb/2024:00:59:59 +0000",
            true,
        ),
        (
            "none",
            "31/Dec/2023:23:59:59 -1200",
            "01/Jan/2024:00:00:00 +1400",
            true,
        ),
    ];
    for (rotation, a, b, same) in cases {
        let (pa, pb) = (pseudonym(rotation, a), pseudonym(rotation, b));
        assert!(pa.starts_with("24") || pa.starts_with("25"), "{pa}");
        assert_eq!(pa == pb, same, "{rotation}: {a} -> {pa}, {b} -> {pb}");
    }
}

/// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `instant` (Unix seconds) as written at `offset` seconds east of UTC: CLF `%t` and ISO 8601.
fn written(instant: i64, offset: i64) -> (String, String) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = instant + offset;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let (hh, mm, ss) = (s / 3600, s / 60 % 60, s % 60);
    let sign = if offset < 0 { '-' } else { '+' };
    let (oh, om) = (offset.abs() / 3600, offset.abs() / 60 % 60);
    (
        format!(
            "{d:02}/{}/{y}:{hh:02}:{mm:02}:{ss:02} {sign}{oh:02}{om:02}",
            MONTHS[m as usize - 1]
        ),
        format!("{y}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}{sign}{oh:02}:{om:02}"),
    )
}

/// The UTC boundary table: each instant, written in every offset from -12:00 to +14:00 (quarter
/// hours), as CLF, as JSON `time_iso8601` and as JSON `msec` (epoch), gets one pseudonym per
/// rotation; instants on the two sides of a UTC boundary get two. With `--key-dir`, all those
/// lines make one key file per UTC period.
#[test]
fn utc_boundary_table_through_the_binary() {
    let at = |y, m, d, s| days_from_civil(y, m, d) * 86_400 + s;
    // (instant, its UTC day, ISO week and month labels)
    let instants = [
        (
            at(2023, 12, 31, 86_399),
            ["2023-12-31", "2023-W52", "2023-12"],
        ),
        (at(2024, 1, 1, 0), ["2024-01-01", "2024-W01", "2024-01"]),
        (
            at(2024, 5, 19, 84_600),
            ["2024-05-19", "2024-W20", "2024-05"],
        ),
        (
            at(2024, 5, 20, 1_800),
            ["2024-05-20", "2024-W21", "2024-05"],
        ),
        (
            at(2024, 5, 31, 86_399),
            ["2024-05-31", "2024-W22", "2024-05"],
        ),
        (at(2024, 6, 1, 0), ["2024-06-01", "2024-W22", "2024-06"]),
    ];
    let offsets: Vec<i64> = (-48..=56).map(|q| q * 900).collect();
    let (mut clf, mut iso, mut msec) = (String::new(), String::new(), String::new());
    for &(instant, _) in &instants {
        for &offset in &offsets {
            let (c, i) = written(instant, offset);
            clf.push_str(&format!(
                "198.51.100.7 - - [{c}] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n"
            ));
            iso.push_str(&format!(
                "{{\"remote_addr\":\"198.51.100.7\",\"time_iso8601\":\"{i}\"}}\n"
            ));
        }
        msec.push_str(&format!(
            "{{\"remote_addr\":\"198.51.100.7\",\"msec\":{instant}.000}}\n"
        ));
    }
    let pseudonyms = |args: &[&str], input: &str, json: bool| -> Vec<String> {
        let out = run_keyed(Some(KEY), args, input.as_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| match json {
                true => l.split('"').nth(3).unwrap().to_string(),
                false => l.split(' ').next().unwrap().to_string(),
            })
            .collect()
    };
    for (r, rotation) in ["daily", "weekly", "monthly"].into_iter().enumerate() {
        let args = ["--ip", "hash", "--key-rotation", rotation];
        let (c, i, e) = (
            pseudonyms(&args, &clf, false),
            pseudonyms(&args, &iso, true),
            pseudonyms(&args, &msec, true),
        );
        assert_eq!(c.len(), instants.len() * offsets.len());
        for (n, (_, labels)) in instants.iter().enumerate() {
            let want = &e[n];
            let row = n * offsets.len()..(n + 1) * offsets.len();
            for (k, offset) in offsets.iter().enumerate() {
                assert_eq!(
                    &c[row.start + k],
                    want,
                    "{rotation} {labels:?} CLF at {offset}s"
                );
                assert_eq!(
                    &i[row.start + k],
                    want,
                    "{rotation} {labels:?} ISO at {offset}s"
                );
            }
            // Another period, another pseudonym; the same period, the same one.
            for (m, (_, other)) in instants.iter().enumerate() {
                assert_eq!(
                    e[m] == e[n],
                    other[r] == labels[r],
                    "{rotation}: {labels:?} {other:?}"
                );
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("logscrub-utc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = [
        "--ip",
        "hash",
        "--key-rotation",
        "daily",
        "--key-dir",
        dir.to_str().unwrap(),
    ];
    let (c, i) = (
        pseudonyms(&args, &clf, false),
        pseudonyms(&args, &iso, true),
    );
    assert_eq!(c, i);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut want: Vec<String> = instants
        .iter()
        .map(|(_, l)| format!("{}.key", l[0]))
        .collect();
    want.dedup();
    assert_eq!(files, want);
    std::fs::remove_dir_all(&dir).unwrap();
}
