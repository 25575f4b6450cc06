//! GoAccess still reads the scrubbed logs: as many valid and as many failed requests as in the
//! original, for combined, vhost and W3C logs. Skips where `goaccess` is not installed
//! (`.ci/run` installs it, so in CI it always runs).

mod common;

use std::path::Path;
use std::process::Command;

use common::{corpus, run};

/// `goaccess`'s (total, valid, failed) request counts for `log`.
fn counts(log: &Path, format: &[&str]) -> (u64, u64, u64) {
    let report = log.with_extension("goaccess.json");
    let status = Command::new("goaccess")
        .arg(log)
        .args(format)
        .arg("-o")
        .arg(&report)
        .output()
        .expect("goaccess runs");
    assert!(
        status.status.success(),
        "goaccess failed on {}: {}",
        log.display(),
        String::from_utf8_lossy(&status.stderr)
    );
    let json = std::fs::read_to_string(&report).unwrap();
    let number = |key: &str| -> u64 {
        let at = json
            .find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} in report"));
        json[at + key.len() + 3..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    (
        number("total_requests"),
        number("valid_requests"),
        number("failed_requests"),
    )
}

#[test]
fn goaccess_reads_scrubbed_logs_as_it_read_the_originals() {
    if Command::new("goaccess").arg("--version").output().is_err() {
        eprintln!("skipping: goaccess is not installed");
        return;
    }
    let (Some(real), Some(formats)) = (corpus("real"), corpus("formats")) else {
        return;
    };
    let vhost = [
        "--log-format",
        r#"%v %h %^[%d:%t %^] "%r" %s %b "%R" "%u""#,
        "--date-format",
        "%d/%b/%Y",
        "--time-format",
        "%T",
    ];
    let cases: Vec<(std::path::PathBuf, Vec<&str>)> = vec![
        (
            real.join("elastic-apache-combined.log"),
            vec!["--log-format", "COMBINED"],
        ),
        (
            real.join("logparser-hackers-combined.log"),
            vec!["--log-format", "COMBINED"],
        ),
        (
            real.join("lnav-shop-nginx-xff.log"),
            vec!["--log-format", "COMBINED"],
        ),
        (real.join("lnav-iis-w3c.log"), vec!["--log-format", "W3C"]),
        (
            formats.join("beats-apache_access_test-vhost.log"),
            vhost.to_vec(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, format) in cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let original = dir.path().join(format!("{name}.orig"));
        std::fs::copy(&path, &original).unwrap();
        let scrubbed = dir.path().join(format!("{name}.scrubbed"));
        std::fs::write(&scrubbed, run(&[path.to_str().unwrap()], b"").stdout).unwrap();
        let before = counts(&original, &format);
        let after = counts(&scrubbed, &format);
        assert!(
            before.1 > 0,
            "{name}: goaccess read no request of the original"
        );
        assert_eq!(before, after, "{name}: (total, valid, failed) requests");
    }
}
