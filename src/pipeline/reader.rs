//! Reading input as chunks of complete lines into caller-owned, recycled buffers.
//!
//! As in ripgrep's line buffer: large reads, the last terminator found with `memrchr`
//! (`lines::whole_len`), and the partial last line carried over to the next chunk. A chunk is
//! handed out early when a read comes back short — the source had nothing more ready — so lines
//! trickling through a pipe (a piped logger, `tail -F`) are scrubbed and written at once
//! instead of waiting for a full buffer.

use std::io::{self, Read};

use crate::lines;

/// Chunk size aimed for: large enough that per-chunk costs (a channel send, a write syscall)
/// vanish, small enough that a few chunks per thread keep memory low.
pub const CHUNK_SIZE: usize = 1 << 20;

/// Most bytes asked of one read. Memory a buffer has not held before is zeroed up to what a
/// read may fill (std's `read` takes initialised memory), so asking for a whole chunk would
/// zero a mebibyte for a short read from a pipe; asking for this much bounds the zeroing by the
/// bytes read plus one window. A recycled buffer's memory is read into as it is.
pub(crate) const READ_WINDOW: usize = 128 << 10;

/// Cuts a reader into chunks of complete lines.
///
/// Invariant: the chunks, concatenated, are exactly the bytes read; every chunk but the last
/// ends with `\n`; no chunk is empty.
pub struct ChunkReader<R> {
    rdr: R,
    /// The partial line after the last chunk's final terminator.
    carry: Vec<u8>,
    eof: bool,
    /// The end came from a stop request (SIGTERM, SIGINT), not from the input.
    stopped: bool,
    target: usize,
    /// A read error that came after complete lines: those lines are handed out first, and the
    /// error on the following call, so that a failing disk or a corrupt gzip member loses
    /// nothing that was read whole.
    failed: Option<io::Error>,
    /// Longest line held whole; a longer one is replaced (see [`ChunkReader::max_line`]).
    max_line: usize,
    /// Discarding the rest of a line found too long, up to its terminator.
    skipping: bool,
    /// The last byte discarded was a `\r`, which may start a `\r\n` terminator.
    skipped_cr: bool,
    /// Lines found too long so far.
    overlong: u64,
}

/// The default of `--max-line-length`: far beyond any real log line, low enough that a runaway
/// writer (a binary file piped in, a logger that lost its newlines) cannot exhaust memory.
pub const MAX_LINE_DEFAULT: usize = 256 << 20;

/// Parses a byte count: digits, then nothing or `K`, `M`, `G` (binary: 1024, 1024², 1024³).
pub fn parse_size(text: &str) -> Option<usize> {
    use nom::character::complete::{one_of, u64 as number};
    use nom::combinator::{all_consuming, opt};
    use nom::Parser;

    let (_, (n, unit)) = all_consuming((number::<&str, ()>, opt(one_of("KMGkmg"))))
        .parse(text.trim())
        .ok()?;
    let shift = match unit.map(|u| u.to_ascii_uppercase()) {
        None => 0,
        Some('K') => 10,
        Some('M') => 20,
        _ => 30,
    };
    let bytes = n.checked_mul(1 << shift)?;
    usize::try_from(bytes).ok()
}

/// What a line longer than the cap becomes: a line of its own that holds nothing of it. The
/// reader cannot scrub what it does not keep, and a cut line could hold half an address.
pub const OVERLONG_LINE: &[u8] = b"REDACTED";

impl<R: Read> ChunkReader<R> {
    /// A reader aiming at `target`-byte chunks (at least 1). A line longer than that makes its
    /// chunk as long as the line.
    pub fn new(rdr: R, target: usize) -> Self {
        ChunkReader {
            rdr,
            carry: Vec::new(),
            eof: false,
            stopped: false,
            target: target.max(1),
            failed: None,
            max_line: usize::MAX,
            skipping: false,
            skipped_cr: false,
            overlong: 0,
        }
    }

    /// Caps the length of a line (terminator excluded) at `max` bytes (at least
    /// [`OVERLONG_LINE`]'s length): a longer line comes out as [`OVERLONG_LINE`] with the line's
    /// terminator, or without one if it was the unterminated last line, so that line counts
    /// stay, and memory stays bounded by the cap plus a chunk, however long the line.
    pub fn max_line(mut self, max: usize) -> Self {
        self.max_line = max.max(OVERLONG_LINE.len());
        self
    }

    /// How many lines were longer than the cap.
    pub fn overlong(&self) -> u64 {
        self.overlong
    }

    /// Replaces every line in `buf[from..]` longer than the cap by [`OVERLONG_LINE`]; if the
    /// last, unfinished one is, the rest of it is skipped as it is read.
    fn replace_overlong(&mut self, buf: &mut Vec<u8>, from: usize) {
        let mut kept = buf[..from].to_vec();
        for line in crate::lines::lines(&buf[from..]) {
            let (body, terminator) = crate::lines::split_terminator(line);
            if body.len() > self.max_line {
                kept.extend_from_slice(OVERLONG_LINE);
                kept.extend_from_slice(terminator);
                self.skipping = terminator.is_empty();
                self.skipped_cr = body.last() == Some(&b'\r');
                self.overlong += 1;
            } else {
                kept.extend_from_slice(line);
            }
        }
        *buf = kept;
    }

    /// Whether the input ended because a stop was requested rather than at its end: the
    /// output of such an input is incomplete.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Replaces the contents of `buf` with the next chunk. Returns `false` at end of input.
    ///
    /// After SIGTERM or SIGINT (see [`super::signals`]) the input counts as ended: what has
    /// been read, an unterminated last line included, comes out as the last chunk.
    ///
    /// A read error is returned once every complete line read before it has been handed out;
    /// the incomplete line it cut off is dropped (it would come out torn).
    pub fn next_chunk(&mut self, buf: &mut Vec<u8>) -> io::Result<bool> {
        // The chunk is `buf[..end]`. What lies beyond is memory written before (a recycled
        // buffer holds its last chunk), which reads overwrite without zeroing it first; `buf`
        // is cut to `end` before it is handed out. Rare paths that edit the chunk (a line to
        // skip, an over-long line, a failing read) cut it first and go on from its new length.
        if let Some(err) = self.failed.take() {
            buf.clear();
            self.carry.clear();
            self.eof = true;
            return Err(err);
        }
        let mut end = self.carry.len();
        if buf.len() >= end {
            buf[..end].copy_from_slice(&self.carry);
        } else {
            buf.clear();
            buf.extend_from_slice(&self.carry);
        }
        self.carry.clear();
        if self.carry.capacity() > super::KEEP_CAPACITY {
            // It held the start of a huge line: give the memory back.
            self.carry = Vec::new();
        }
        if super::signals::stop_requested() && !self.eof {
            self.eof = true;
            self.stopped = true;
        }
        let mut want = self.target.max(end * 2);
        // Where the last line in the chunk starts: the carried part is one line's start.
        let mut line_start = 0;
        loop {
            if self.eof {
                buf.truncate(end);
                return Ok(end > 0);
            }
            let start = end;
            if start >= want {
                // A line longer than the chunk size: keep reading until it ends.
                want = start * 2;
            }
            let window = (want - start).min(READ_WINDOW);
            if buf.len() < start + window {
                buf.resize(start + window, 0);
            }
            let n = match self.rdr.read(&mut buf[start..start + window]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    if super::signals::stop_requested() {
                        self.eof = true;
                        self.stopped = true;
                    }
                    continue;
                }
                Err(err) => {
                    buf.truncate(start);
                    self.eof = true;
                    match lines::whole_len(buf) {
                        Some(len) => {
                            buf.truncate(len);
                            self.failed = Some(err);
                            return Ok(true);
                        }
                        None => return Err(err),
                    }
                }
            };
            end = start + n;
            if n == 0 {
                self.eof = true;
                continue;
            }
            let mut fresh = start;
            if self.skipping {
                buf.truncate(end);
                match memchr::memchr(b'\n', &buf[start..]) {
                    // The terminator stays, with its `\r`, which may have come in a read of
                    // its own.
                    Some(0) => {
                        if self.skipped_cr {
                            buf.insert(start, b'\r');
                        }
                        self.skipping = false;
                    }
                    Some(k) => {
                        let cr = usize::from(buf[start + k - 1] == b'\r');
                        buf.drain(start..start + k - cr);
                        self.skipping = false;
                    }
                    None => {
                        self.skipped_cr = buf.last() == Some(&b'\r');
                        buf.truncate(start);
                    }
                }
                end = buf.len();
            }
            // Only where the bytes since the last line's start exceed the cap can a line; the
            // new bytes alone are searched for where the last line starts, which keeps a long
            // line read in many pieces linear.
            if !self.skipping && end - line_start > self.max_line {
                buf.truncate(end);
                self.replace_overlong(buf, line_start);
                end = buf.len();
                fresh = line_start;
            }
            if let Some(k) = memchr::memrchr(b'\n', &buf[fresh..end]) {
                line_start = fresh + k + 1;
            }
            let short = n < window;
            if short || end >= want {
                // While a line is skipped, the lines before its marker are whole.
                let whole = if self.skipping {
                    (line_start > 0).then_some(line_start)
                } else {
                    lines::whole_len(&buf[fresh..end]).map(|len| fresh + len)
                };
                if let Some(cut) = whole {
                    self.carry.extend_from_slice(&buf[cut..end]);
                    buf.truncate(cut);
                    return Ok(true);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, like a pipe fed slowly.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// The chunks of `data`, read into one buffer that starts out holding `stale` bytes of
    /// an earlier use, which must never show.
    fn chunks(data: &[u8], target: usize, step: usize, stale: usize) -> Vec<Vec<u8>> {
        let mut rdr = ChunkReader::new(Trickle { data, step }, target);
        let mut got = Vec::new();
        let mut buf = b"#\n".repeat(stale / 2);
        while rdr.next_chunk(&mut buf).unwrap() {
            got.push(buf.clone());
        }
        got
    }

    #[test]
    fn sizes() {
        let cases = [
            ("1000", Some(1000)),
            ("64K", Some(65_536)),
            ("256M", Some(256 << 20)),
            ("1g", Some(1 << 30)),
            ("", None),
            ("M", None),
            ("1.5M", None),
            ("-1", None),
            ("10 M", None),
            ("99999999999999999999", None),
            ("20000000000G", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text), want, "{text}");
        }
    }

    #[test]
    fn lines_over_the_cap_become_one_marker_line_each() {
        let long = "x".repeat(100);
        let cases: Vec<(String, &str, u64)> = vec![
            (format!("a\n{long}\nb\n"), "a\nREDACTED\nb\n", 1),
            (format!("a\n{long}"), "a\nREDACTED", 1),
            (format!("{long}\r\n{long}\n"), "REDACTED\r\nREDACTED\n", 2),
            (format!("{}\r\nz\n", "x".repeat(63)), "REDACTED\r\nz\n", 1),
            (format!("{}\nc\n", "y".repeat(10)), "yyyyyyyyyy\nc\n", 0),
            (format!("{}\n", "y".repeat(11)), "REDACTED\n", 1),
            (String::new(), "", 0),
        ];
        for (input, want, overlong) in &cases {
            for step in [1, 3, 7, 64, 4096] {
                for target in [1, 16, 1 << 20] {
                    let data = input.as_bytes();
                    let mut rdr = ChunkReader::new(Trickle { data, step }, target).max_line(10);
                    let mut got = Vec::new();
                    let mut buf = b"stale\n".repeat(step);
                    while rdr.next_chunk(&mut buf).unwrap() {
                        assert!(!buf.is_empty());
                        got.extend_from_slice(&buf);
                    }
                    let got = String::from_utf8(got).unwrap();
                    assert_eq!(got, *want, "{input:?} step {step} target {target}");
                    assert_eq!(rdr.overlong(), *overlong, "{input:?} step {step}");
                }
            }
        }
    }

    #[test]
    fn chunks_concatenate_to_the_input() {
        let inputs: &[&[u8]] = &[b"", b"a", b"a\n", b"a\nbb\nccc", b"\n\n\n", &[b'x'; 1000]];
        for &data in inputs {
            for target in [0, 1, 2, 3, 7, 64, 4096] {
                for (step, stale) in [1, 2, 5, 4096]
                    .into_iter()
                    .flat_map(|s| [(s, 0), (s, 6000)])
                {
                    let got = chunks(data, target, step, stale);
                    let case = format!("target {target} step {step} stale {stale}");
                    assert_eq!(got.concat(), data, "{case}");
                    for chunk in got.iter().rev().skip(1) {
                        assert_eq!(chunk.last(), Some(&b'\n'), "{case}");
                    }
                    assert!(got.iter().all(|c| !c.is_empty()), "{case}");
                }
            }
        }
    }

    /// Hands out `data` in `step`-byte reads, then fails.
    struct FailAfter<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for FailAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return Err(io::Error::other("injected"));
            }
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn complete_lines_read_before_an_error_come_out_before_it() {
        // (data, chunk target, read size, lines expected before the error)
        let cases: &[(&[u8], usize, usize, &[u8])] = &[
            (b"a\nb\nc", 1 << 20, 4096, b"a\nb\n"),
            (b"a\nb\nc", 1 << 20, 1, b"a\nb\n"),
            (b"a\nb\n", 1 << 20, 4096, b"a\nb\n"),
            (b"a\nb\n", 2, 1, b"a\nb\n"),
            (b"partial", 1 << 20, 4096, b""),
            (b"", 1 << 20, 4096, b""),
        ];
        for &(data, target, step, want) in cases {
            let mut rdr = ChunkReader::new(FailAfter { data, step }, target);
            let mut got = Vec::new();
            let mut buf = b"stale\n".repeat(step.min(100));
            let err = loop {
                match rdr.next_chunk(&mut buf) {
                    Ok(true) => got.extend_from_slice(&buf),
                    Ok(false) => panic!("no error reported for {data:?}"),
                    Err(err) => break err,
                }
            };
            assert_eq!(got, want, "{data:?} target {target} step {step}");
            assert_eq!(err.to_string(), "injected");
            assert!(!rdr.next_chunk(&mut buf).unwrap(), "ended after the error");
        }
    }

    #[test]
    fn trickled_lines_come_out_per_read() {
        let got = chunks(b"one\ntwo\n", 1024, 4, 0);
        assert_eq!(got, vec![b"one\n".to_vec(), b"two\n".to_vec()]);
    }

    #[test]
    fn full_reads_fill_chunks() {
        let data = b"aaa\n".repeat(100);
        let got = chunks(&data, 64, 4096, 0);
        let sizes: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(sizes, [64, 64, 64, 64, 64, 64, 16]);
    }
}
