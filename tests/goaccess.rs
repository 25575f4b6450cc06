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

/// A browser or OS family: its name, hits, and hits per major version.
type Family = (String, u64, Vec<(String, u64)>);

/// GoAccess's browser or OS panel: hits per family, and per version cut to its major number
/// (`Chrome/32.0.1700.107` → `Chrome/32`, `CentOS/3.6-2.el5` → `CentOS/3`).
fn panel(report: &Path, name: &str) -> Vec<Family> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let major = |s: &str| -> String {
        let cut = s
            .char_indices()
            .skip_while(|(_, c)| !c.is_ascii_digit())
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        s[..cut].to_string()
    };
    let mut families: Vec<_> = json[name]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|family| {
            let mut versions = std::collections::BTreeMap::new();
            for item in family["items"].as_array().into_iter().flatten() {
                *versions
                    .entry(major(item["data"].as_str().unwrap()))
                    .or_insert(0) += item["hits"]["count"].as_u64().unwrap();
            }
            (
                family["data"].as_str().unwrap().to_string(),
                family["hits"]["count"].as_u64().unwrap(),
                versions.into_iter().collect(),
            )
        })
        .collect();
    families.sort();
    families
}

/// `--agent reduce` keeps what user-agent statistics are made of: GoAccess shows the same
/// browser families and operating systems, with the same hits per major version.
#[test]
fn goaccess_sees_the_same_browsers_and_systems_in_reduced_agents() {
    if Command::new("goaccess").arg("--version").output().is_err() {
        eprintln!("skipping: goaccess is not installed");
        return;
    }
    let Some(real) = corpus("real") else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("elastic-apache-combined.log", "COMBINED"),
        ("logparser-hackers-combined.log", "COMBINED"),
        ("lnav-shop-nginx-xff.log", "COMBINED"),
        ("lnav-iis-w3c.log", "W3C"),
    ] {
        let path = real.join(name);
        let scrubbed = dir.path().join(format!("{name}.scrubbed"));
        let reduced = dir.path().join(format!("{name}.reduced"));
        std::fs::write(&scrubbed, run(&[path.to_str().unwrap()], b"").stdout).unwrap();
        let out = run(&["--agent", "reduce", path.to_str().unwrap()], b"");
        assert!(out.status.success());
        std::fs::write(&reduced, out.stdout).unwrap();
        let reports: Vec<_> = [&scrubbed, &reduced]
            .iter()
            .map(|log| {
                let report = log.with_extension("json");
                let status = Command::new("goaccess")
                    .arg(log)
                    .args(["--log-format", format, "-o"])
                    .arg(&report)
                    .output()
                    .unwrap();
                assert!(status.status.success(), "goaccess on {}", log.display());
                report
            })
            .collect();
        for name_of_panel in ["browsers", "os"] {
            let before = panel(&reports[0], name_of_panel);
            assert!(!before.is_empty(), "{name}: no {name_of_panel}");
            assert_eq!(
                before,
                panel(&reports[1], name_of_panel),
                "{name}: {name_of_panel}"
            );
        }
    }
}
