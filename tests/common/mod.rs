//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus/<sub>`, or `None` (with the reason printed) where it is absent, as in a
/// user's clone. CI checks that it is present, so there these tests always run.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/corpus").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is not present", dir.display());
        None
    }
}

/// Sorted files of a directory.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

/// The built binary.
pub fn logscrub() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logscrub"))
}

/// Runs the binary with `args` and `stdin`, capturing everything.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = logscrub()
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// Every IP address in `text`, found independently of logscrub's own scanner: split the text
/// into runs of `[0-9A-Za-z.:]` and parse each run (and its `a.b.c.d:port` and trailing-dot
/// variants) with the standard library. A run right after a product name and its `/`
/// (`Firefox/2.0.0.4`, `zlib/1.2.3.4`) is a version, as logscrub reads user agents.
pub fn addresses(text: &[u8]) -> HashSet<IpAddr> {
    let mut found = HashSet::new();
    let mut offset = 0;
    for token in text.split(|&b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b':')) {
        let start = offset;
        offset += token.len() + 1;
        if start >= 2 && text[start - 1] == b'/' && is_product(&text[..start - 1]) {
            continue;
        }
        let Ok(token) = std::str::from_utf8(token) else {
            continue;
        };
        let token = token.trim_end_matches('.');
        if let Ok(addr) = token.parse::<IpAddr>() {
            found.insert(addr);
        } else if let Some((host, _port)) = token.rsplit_once(':') {
            // `a.b.c.d:port`; an IPv6 address is never split at a colon.
            if let Ok(v4) = host.parse::<std::net::Ipv4Addr>() {
                found.insert(IpAddr::V4(v4));
            }
        }
    }
    found
}

/// Whether `before` ends with a product name of a user agent: a word of letters, digits, `-`
/// and `_` standing after a space, `(`, `;`, `"` or `+` (not a URL's path segment or host).
fn is_product(before: &[u8]) -> bool {
    let word = before
        .iter()
        .rev()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .count();
    let rest = &before[..before.len() - word];
    word > 0
        && before[before.len() - word..]
            .iter()
            .any(u8::is_ascii_alphabetic)
        && rest
            .last()
            .map_or(true, |b| matches!(b, b' ' | b'(' | b';' | b'"' | b'+'))
}

/// Whether `addr` keeps bits that the default masks (/24, /48) zero.
pub fn has_host_bits(addr: &IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => u32::from(*v4) & 0xff != 0,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => u32::from(v4) & 0xff != 0,
            None => u128::from(*v6) & ((1u128 << 80) - 1) != 0,
        },
    }
}

/// Input addresses with host bits that appear in the output.
pub fn surviving(input: &[u8], output: &[u8]) -> Vec<IpAddr> {
    let out = addresses(output);
    let mut left: Vec<_> = addresses(input)
        .into_iter()
        .filter(|a| has_host_bits(a) && out.contains(a))
        .collect();
    left.sort();
    left
}

/// Number of lines as `wc -l` counts them, plus one for an unterminated last line.
pub fn line_count(data: &[u8]) -> usize {
    let newlines = memchr_count(data);
    newlines + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

fn memchr_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count()
}
