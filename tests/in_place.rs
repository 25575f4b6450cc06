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
