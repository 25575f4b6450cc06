//! `--in-place` and `--older-than`: atomic rewrites that keep compression, mode and dates, and
//! leave the original untouched on failure.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{root, run};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn age(path: &Path, days: u64) {
    let when = SystemTime::now() - Duration::from_secs(days * 86_400);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn rewrites_keep_compression_mode_and_dates() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let want = run(&["fixtures/combined.log"], b"").stdout;
    let dir = std::env::temp_dir().join(format!("logscrub-inplace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("access.log", plain.clone()),
        ("access.log.2.gz", gzip(&plain)),
        (
            "access.log.3.zst",
            zstd::encode_all(plain.as_slice(), 3).unwrap(),
        ),
        ("recent.log", plain.clone()),
    ];
    for (name, data) in &files {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        if *name != "recent.log" {
            age(&path, 10);
        }
    }
    let paths: Vec<String> = files
        .iter()
        .map(|(n, _)| dir.join(n).display().to_string())
        .collect();
    let mut args = vec!["--in-place", "--older-than", "7d"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(read("access.log"), want);
    let gz = read("access.log.2.gz");
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "still gzip");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(gz.as_slice()),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, want);
    let zst = read("access.log.3.zst");
    assert_eq!(
        zstd::decode_all(zst.as_slice()).unwrap(),
        want,
        "still zstd"
    );
    assert_eq!(read("recent.log"), plain, "newer than 7 days: untouched");
    for name in ["access.log", "access.log.2.gz", "access.log.3.zst"] {
        let meta = std::fs::metadata(dir.join(name)).unwrap();
        let age = SystemTime::now()
            .duration_since(meta.modified().unwrap())
            .unwrap();
        assert!(
            age > Duration::from_secs(9 * 86_400),
            "{name} lost its date"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o640, "{name}");
        }
    }
    assert_eq!(
        entries(&dir).len(),
        4,
        "no temporary file left: {:?}",
        entries(&dir)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_rewrite_leaves_the_original_untouched() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let dir = std::env::temp_dir().join(format!("logscrub-inplace-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truncated = &gzip(&plain)[..300];
    let path = dir.join("broken.log.gz");
    std::fs::write(&path, truncated).unwrap();
    let good = dir.join("good.log");
    std::fs::write(&good, &plain).unwrap();
    let out = run(
        &["--in-place", path.to_str().unwrap(), good.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the original is unchanged"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), truncated);
    assert_ne!(
        std::fs::read(&good).unwrap(),
        plain,
        "the other file is still rewritten"
    );
    assert_eq!(entries(&dir), vec!["broken.log.gz", "good.log"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["--in-place"], "<FILE>"),
        (&["--older-than", "7d", "x.log"], "--in-place"),
        (
            &["--in-place", "--older-than", "7 days", "x.log"],
            "e.g. 7d",
        ),
        (
            &["--in-place", "-o", "out.log", "x.log"],
            "cannot be used with",
        ),
    ];
    for &(args, needle) in cases {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// A symbolic link is refused by name (rewriting it would replace the link with a scrubbed
/// file and leave the file it points to raw); `--follow-symlinks` rewrites that file and keeps
/// the link. The other files are still processed, and the exit status is 2.
#[test]
fn symbolic_links_are_refused_or_followed() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let want = run(&["fixtures/combined.log"], b"").stdout;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.log");
    let link = dir.path().join("link.log");
    let other = dir.path().join("other.log");
    std::fs::write(&real, &plain).unwrap();
    std::fs::write(&other, &plain).unwrap();
    std::os::unix::fs::symlink("real.log", &link).unwrap();

    let out = run(
        &[
            "--in-place",
            link.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("will not rewrite {} in place", link.display()))
            && err.contains("symbolic link")
            && err.contains("--follow-symlinks"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read(&real).unwrap(),
        plain,
        "the target is untouched"
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read(&other).unwrap(),
        want,
        "the other file is rewritten"
    );

    let out = run(
        &["--in-place", "--follow-symlinks", link.to_str().unwrap()],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&real).unwrap(),
        want,
        "the target is scrubbed"
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.log"));
    assert_eq!(entries(dir.path()), ["link.log", "other.log", "real.log"]);
}

/// A file with other hard links is refused: its raw data would stay under the other names.
#[test]
fn files_with_other_hard_links_are_refused() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("access.log.1");
    let b = dir.path().join("backup.log");
    std::fs::write(&a, &plain).unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    let out = run(&["--in-place", a.to_str().unwrap()], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("will not rewrite {} in place", a.display()))
            && err.contains("1 other hard link"),
        "{err}"
    );
    assert_eq!(std::fs::read(&a).unwrap(), plain);
    assert_eq!(std::fs::read(&b).unwrap(), plain);
}

/// The error for a corrupt archive names the file once and gives the cause.
#[test]
fn a_corrupt_archive_is_named_once_with_its_cause() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.log.gz");
    std::fs::write(&path, &gzip(&plain)[..300]).unwrap();
    let out = run(&["--in-place", path.to_str().unwrap()], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("broken.log.gz").count(), 1, "{err}");
    assert!(
        err.contains("truncated") || err.contains("unexpected end of file"),
        "the cause: {err}"
    );
}

/// SIGTERM, SIGINT or SIGHUP while files are rewritten (two at once under `--threads 2`): the
/// originals stay as they were, the temporary files are removed, the files not started are
/// not touched, and the exit status is 128 + the signal. Two signals in a row (the second
/// exits at once) clean up both temporary files too.
#[test]
fn a_signal_leaves_the_original_and_no_temporary_file() {
    use std::process::Stdio;
    // Large enough that the rewrite is still running when the temporary file appears.
    let line = b"198.51.100.23 - frank [10/Oct/2023:13:55:37 +0200] \"GET /login?user=frank&password=hunter2 HTTP/1.1\" 302 0 \"https://www.example.com/search?q=frank\" \"Mozilla/5.0\"\n";
    let plain = line.repeat(200_000);
    let cases = [
        (libc::SIGTERM, 143, 1),
        (libc::SIGINT, 130, 1),
        (libc::SIGHUP, 129, 1),
        (libc::SIGTERM, 143, 2),
    ];
    for (sig, code, times) in cases {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("access.log.1");
        let second = dir.path().join("access.log.2");
        let third = dir.path().join("access.log.3");
        std::fs::write(&first, &plain).unwrap();
        std::fs::write(&second, &plain).unwrap();
        std::fs::write(&third, line).unwrap();
        let mut child = common::logscrub()
            .args(["--in-place", "--threads", "2"])
            .args([&first, &second, &third])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !entries(dir.path())
            .iter()
            .any(|n| n.starts_with(".logscrub-"))
        {
            assert!(
                child.try_wait().unwrap().is_none(),
                "finished before the signal"
            );
            assert!(std::time::Instant::now() < deadline, "no temporary file");
            std::thread::sleep(Duration::from_millis(2));
        }
        for _ in 0..times {
            // SAFETY: kill has no memory-safety preconditions.
            assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("did not exit after the signal");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(code), "signal {sig} ×{times}: {err}");
        assert_eq!(
            entries(dir.path()),
            ["access.log.1", "access.log.2", "access.log.3"],
            "signal {sig} ×{times}: no temporary file left"
        );
        for original in [&first, &second] {
            assert!(
                std::fs::read(original).unwrap() == plain,
                "the original stays"
            );
        }
        assert_eq!(std::fs::read(&third).unwrap(), line, "not touched");
        if times == 1 {
            // The second file is being rewritten too, unless the signal came before its
            // worker took it.
            assert!(
                err.contains("while rewriting")
                    && (err.contains("1 more file not rewritten")
                        || err.contains("2 more files not rewritten")),
                "{err}"
            );
        }
    }
}

/// Many files rewritten one at a time or four at once: the same files, the same messages in
/// the same (command-line) order, the same exit status.
#[test]
fn any_thread_count_rewrites_the_same_files_and_reports_in_order() {
    let plain = std::fs::read(root().join("fixtures/combined.log")).unwrap();
    let mut results = Vec::new();
    for threads in ["1", "4"] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--in-place".to_string(),
            "--threads".to_string(),
            threads.to_string(),
        ];
        for n in 0..16 {
            let path = dir.path().join(format!("access.log.{n}"));
            match n % 5 {
                // Refused (another hard link) and missing files, between the others.
                1 => {
                    std::fs::write(&path, &plain).unwrap();
                    std::fs::hard_link(&path, dir.path().join(format!("link.{n}"))).unwrap();
                }
                3 => {}
                4 => std::fs::write(&path, gzip(&plain.repeat(n))).unwrap(),
                _ => std::fs::write(&path, plain.repeat(n + 1)).unwrap(),
            }
            args.push(path.to_str().unwrap().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, b"");
        let prefix = format!("{}/", dir.path().display());
        let err = String::from_utf8_lossy(&out.stderr).replace(&prefix, "");
        let files: Vec<(String, Vec<u8>)> = entries(dir.path())
            .into_iter()
            .map(|name| {
                let bytes = std::fs::read(dir.path().join(&name)).unwrap();
                (name, bytes)
            })
            .collect();
        results.push((out.status.code(), err, files));
    }
    let (code, err, files) = &results[0];
    assert_eq!(*code, Some(2));
    assert_eq!(err.matches("other hard link").count(), 3, "{err}");
    assert_eq!(err.matches("cannot open").count(), 3, "{err}");
    assert_eq!(files.len(), 16 - 3 + 3);
    assert_eq!(results[0], results[1], "--threads 1 and --threads 4 differ");
}
