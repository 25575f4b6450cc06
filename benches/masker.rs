//! The minimal masker that `benches/compare.py` measures logscrub against: the least a tool
//! can do and still call itself an access-log anonymizer.
//!
//! It reads standard input in large chunks, splits lines with `memchr`, replaces the last
//! octet of an IPv4 address at the start of a line by `0`, copies every other byte as it is,
//! and writes standard output in large chunks. Nothing else is parsed or scrubbed.
//!
//! Built by `cargo bench --no-run --bench masker` (a `[[bench]]` target with `harness = false`,
//! so that it is compiled like the other benchmarks); run as a plain filter:
//! `masker < in.log > out.log`. Run by `cargo bench` itself (which passes `--bench`), it does
//! nothing.

use std::io::{self, Read, Write};

use memchr::memchr_iter;

/// Bytes asked of each `read`.
const CHUNK: usize = 1 << 20;
/// Output is written once this much has piled up.
const FLUSH: usize = 1 << 20;

fn main() -> io::Result<()> {
    if std::env::args().skip(1).any(|arg| arg == "--bench") {
        eprintln!("masker: a filter for benches/compare.py, not a benchmark; nothing to run");
        return Ok(());
    }
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut buf = vec![0u8; CHUNK];
    // `buf[..filled]` holds what was read and not yet processed: at most one partial line.
    let mut filled = 0;
    let mut out = Vec::with_capacity(FLUSH + CHUNK);
    loop {
        if buf.len() - filled < CHUNK / 2 {
            buf.resize(buf.len() + CHUNK, 0);
        }
        let n = match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let data = &buf[..filled + n];
        let mut start = 0;
        for end in memchr_iter(b'\n', &data[filled..]) {
            let end = filled + end + 1;
            mask_line(&data[start..end], &mut out);
            start = end;
        }
        if out.len() >= FLUSH {
            output.write_all(&out)?;
            out.clear();
        }
        buf.copy_within(start..filled + n, 0);
        filled = filled + n - start;
    }
    // An unterminated last line.
    mask_line(&buf[..filled], &mut out);
    output.write_all(&out)?;
    output.flush()
}

/// Appends `line` to `out`, the last octet of a leading IPv4 address replaced by `0`.
#[inline]
fn mask_line(line: &[u8], out: &mut Vec<u8>) {
    match last_octet(line) {
        Some((start, end)) => {
            out.extend_from_slice(&line[..start]);
            out.push(b'0');
            out.extend_from_slice(&line[end..]);
        }
        None => out.extend_from_slice(line),
    }
}

/// Where the fourth octet of a dotted-quad IPv4 address at the start of `line` lies.
#[inline]
fn last_octet(line: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    for octet in 0..4 {
        let start = i;
        while i < line.len() && i - start < 3 && line[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        if octet < 3 {
            if line.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        } else if line.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        } else {
            return Some((start, i));
        }
    }
    None
}
