//! `--key-dir`: one random key file per period, made once even by racing processes, never
//! overwritten, destroyable one period at a time, and refused in a directory others can write.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use common::{logscrub, root};

/// A fresh, absent directory path under the system's temporary directory.
fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("logscrub-keys-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spawn(args: &[&str]) -> Child {
    logscrub()
        .args(args)
        .current_dir(root())
        .env_remove("LOGSCRUB_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(mut child: Child, input: &[u8]) -> Output {
    // The binary may exit (on a refused directory) before reading its input.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn run(args: &[&str], input: &[u8]) -> Output {
    finish(spawn(args), input)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Combined lines from `203.0.113.<n>` with user `u<n>` on each of `days` of May 2024, in UTC
/// (`+0000`, so that they fall in the same periods however offsets are read).
fn lines(days: &[u32]) -> String {
    let mut text = String::new();
    for &day in days {
        for n in [7, 8, 9] {
            text.push_str(&format!(
                "203.0.113.{n} - u{n} [{day:02}/May/2024:12:00:0{n} +0000] \"GET /{day} HTTP/1.1\" 200 1 \"-\" \"ua\"\n"
            ));
        }
    }
    text
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Several processes start at once on a directory that does not exist yet, each with lines of
/// the same periods: all write the same pseudonyms, and each period has exactly one key file,
/// mode 0600, 64 hex digits; no temporary file is left.
#[test]
fn racing_processes_end_with_one_key_per_period() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "daily",
            &["2024-05-16.key", "2024-05-17.key", "2024-05-18.key"],
        ),
        ("weekly", &["2024-W20.key"]),
        ("monthly", &["2024-05.key"]),
    ];
    let input = lines(&[16, 17, 18]);
    for (rotation, want) in cases {
        for round in 0..3 {
            let dir = fresh(&format!("race-{rotation}-{round}"));
            let dir_arg = dir.to_str().unwrap();
            let args = [
                "--ip",
                "hash",
                "--user",
                "hash",
                "--key-rotation",
                rotation,
                "--key-dir",
                dir_arg,
            ];
            // All started, then all given their input (it fits a pipe's buffer) before any is
            // waited for, so they meet the new periods together.
            let mut children: Vec<Child> = (0..6).map(|_| spawn(&args)).collect();
            for child in &mut children {
                let mut stdin = child.stdin.take().unwrap();
                stdin.write_all(input.as_bytes()).unwrap();
            }
            let outputs: Vec<Output> = children
                .into_iter()
                .map(|child| child.wait_with_output().unwrap())
                .collect();
            for out in &outputs {
                assert!(out.status.success(), "{rotation}: {}", stderr(out));
                assert_eq!(
                    out.stdout, outputs[0].stdout,
                    "{rotation} round {round}: outputs differ"
                );
            }
            let text = String::from_utf8(outputs[0].stdout.clone()).unwrap();
            assert!(!text.contains("203.0.113."), "{text}");
            assert_eq!(names(&dir), set(want), "{rotation} round {round}");
            assert_eq!(mode(&dir), 0o700);
            for name in want {
                let path = dir.join(name);
                assert_eq!(mode(&path), 0o600, "{name}");
                let content = std::fs::read_to_string(&path).unwrap();
                assert_eq!(content.len(), 65, "{name}");
                assert!(content.trim_end().bytes().all(|b| b.is_ascii_hexdigit()));
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}

/// Deleting one period's key file changes that period's pseudonyms and no other; the next run
/// makes a new key for it (said by `--stats`) and then keeps it.
#[test]
fn a_deleted_key_changes_its_period_only() {
    let dir = fresh("deleted");
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "--ip",
        "prefix",
        "--user",
        "hash",
        "--key-rotation",
        "daily",
        "--key-dir",
        dir_arg,
        "--stats",
    ];
    let input = lines(&[16, 17, 18]);
    let first = run(&args, input.as_bytes());
    assert!(first.status.success(), "{}", stderr(&first));
    let err = stderr(&first);
    assert!(
        err.contains("period keys created: 2024-05-16, 2024-05-17, 2024-05-18"),
        "{err}"
    );
    assert!(
        err.contains("period keys used: 2024-05-16, 2024-05-17, 2024-05-18"),
        "{err}"
    );
    std::fs::remove_file(dir.join("2024-05-17.key")).unwrap();
    let second = run(&args, input.as_bytes());
    assert!(second.status.success(), "{}", stderr(&second));
    let err = stderr(&second);
    assert!(err.contains("period keys created: 2024-05-17\n"), "{err}");
    let (a, b) = (
        String::from_utf8(first.stdout).unwrap(),
        String::from_utf8(second.stdout).unwrap(),
    );
    let mut changed = 0;
    for (x, y) in a.lines().zip(b.lines()) {
        if x.contains("/May/2024:") && x.contains("[17/May") {
            // Address and user token both change.
            assert_ne!(x.split(' ').next(), y.split(' ').next(), "{x}\n{y}");
            assert_ne!(x.split(' ').nth(2), y.split(' ').nth(2), "{x}\n{y}");
            changed += 1;
        } else {
            assert_eq!(x, y);
        }
    }
    assert_eq!(changed, 3);
    assert_eq!(a.lines().count(), 9);
    let third = run(&args, input.as_bytes());
    assert_eq!(third.stdout, b.as_bytes());
    assert!(
        stderr(&third).contains("period keys created: none"),
        "{}",
        stderr(&third)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A directory writable by group or others is refused before anything is written; one
/// readable by them gets a warning, as does a readable key file; a key file others can write
/// is not used (its period's lines are masked, exit 2).
#[test]
fn permissions_are_refused_or_warned() {
    let input = lines(&[17]);
    let dir = fresh("perms");
    std::fs::create_dir(&dir).unwrap();
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "--ip",
        "hash",
        "--key-rotation",
        "daily",
        "--key-dir",
        dir_arg,
    ];
    for refused in [0o770, 0o702, 0o777, 0o1777, 0o720] {
        chmod(&dir, refused);
        let out = run(&args, input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{refused:o}");
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(
            err.contains("writable by group or others") && err.contains("chmod 700"),
            "{refused:o}: {err}"
        );
        assert!(names(&dir).is_empty(), "{refused:o}");
    }
    for (readable, warned) in [(0o750, true), (0o704, true), (0o711, false), (0o700, false)] {
        chmod(&dir, readable);
        let out = run(&args, input.as_bytes());
        assert!(out.status.success(), "{readable:o}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(
            err.contains("key directory") && err.contains("readable by group or others"),
            warned,
            "{readable:o}: {err}"
        );
        if !warned {
            assert!(err.is_empty(), "{readable:o}: {err}");
        }
    }
    chmod(&dir, 0o700);
    let key = dir.join("2024-05-17.key");
    let before = run(&args, input.as_bytes());
    chmod(&key, 0o640);
    let out = run(&args, input.as_bytes());
    assert!(out.status.success());
    assert_eq!(out.stdout, before.stdout);
    assert!(
        stderr(&out).contains("key file") && stderr(&out).contains("chmod 600"),
        "{}",
        stderr(&out)
    );
    chmod(&key, 0o622);
    let out = run(&args, input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("writable by group or others"), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(
        text.lines().all(|l| l.starts_with("203.0.113.0 ")),
        "{text}"
    );
    // The key itself is never printed.
    let secret = std::fs::read_to_string(&key).unwrap();
    assert!(!err.contains(&secret.trim()[..16]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--key-dir` without a rotation period is a usage error (exit 2) that creates nothing, and
/// it excludes `--key-file`.
#[test]
fn key_dir_needs_a_rotation_period() {
    let dir = fresh("usage");
    let dir_arg = dir.to_str().unwrap();
    let cases: [&[&str]; 3] = [
        &["--ip", "hash", "--key-dir", dir_arg],
        &[
            "--ip",
            "hash",
            "--key-rotation",
            "none",
            "--key-dir",
            dir_arg,
        ],
        &[
            "--ip",
            "hash",
            "--key-rotation",
            "daily",
            "--key-dir",
            dir_arg,
            "--key-file",
            "fixtures/combined.log",
        ],
    ];
    for args in cases {
        let out = run(args, b"1.2.3.4\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("--key-"), "{args:?}: {err}");
        assert!(!dir.exists(), "{args:?}");
    }
}

/// `--stats-json` lists the periods whose keys were created and used.
#[test]
fn stats_json_lists_period_keys() {
    let dir = fresh("json");
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "--ip",
        "hash",
        "--key-rotation",
        "weekly",
        "--key-dir",
        dir_arg,
        "--stats-json",
    ];
    // 19 May 2024 is the Sunday of ISO week 20, the 20th the Monday of week 21.
    let input = format!("{}{}", lines(&[19, 20]), "no timestamp 198.51.100.7\n");
    let out = run(&args, input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(
        json["period_keys_created"],
        serde_json::json!(["2024-W20", "2024-W21"])
    );
    assert_eq!(
        json["period_keys_used"],
        serde_json::json!(["2024-W20", "2024-W21"])
    );
    assert_eq!(json["unkeyed_lines"], 1);
    assert_eq!(json["key_failed_lines"], 0);
    assert_eq!(names(&dir), set(&["2024-W20.key", "2024-W21.key"]));
    std::fs::remove_dir_all(&dir).unwrap();
}
