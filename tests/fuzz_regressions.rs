//! Replays the inputs on which the `check_scrub` fuzz target once found a disagreement
//! (`fuzz/regressions/check_scrub/`) through the same oracle, so that `cargo test` keeps them
//! fixed without a fuzzing toolchain.

use std::path::Path;

#[test]
fn check_scrub_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/check_scrub");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the regression inputs are part of the repository")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.is_file() && p.extension().is_none())
        .collect();
    files.sort();
    assert!(
        files.len() >= 26,
        "{} inputs in {}",
        files.len(),
        dir.display()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let data = std::fs::read(path).expect("a readable input");
            logscrub::differential::check_scrub(&data)
                .err()
                .map(|why| format!("{}: {why}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
