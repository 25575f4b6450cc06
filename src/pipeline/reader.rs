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

/// Most bytes asked of one read. The buffer is zeroed up to what a read may fill (std's `read`
/// takes initialised memory), so asking for a whole chunk would zero a mebibyte for every short
/// read from a pipe; asking for this much bounds the zeroing by the bytes read plus one window.
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
}

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
        }
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
        buf.clear();
        if let Some(err) = self.failed.take() {
            self.carry.clear();
            self.eof = true;
            return Err(err);
        }
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        if self.carry.capacity() > super::KEEP_CAPACITY {
            // It held the start of a huge line: give the memory back.
            self.carry = Vec::new();
        }
        if super::signals::stop_requested() && !self.eof {
            self.eof = true;
            self.stopped = true;
        }
        let mut want = self.target.max(buf.len() * 2);
        loop {
            if self.eof {
                return Ok(!buf.is_empty());
            }
            let start = buf.len();
            if start >= want {
                // A line longer than the chunk size: keep reading until it ends.
                want = start * 2;
            }
            let window = (want - start).min(READ_WINDOW);
            buf.resize(start + window, 0);
            let n = match self.rdr.read(&mut buf[start..]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    buf.truncate(start);
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
            buf.truncate(start + n);
            if n == 0 {
                self.eof = true;
                continue;
            }
            let short = n < window;
            if short || buf.len() >= want {
                if let Some(len) = lines::whole_len(&buf[start..]) {
                    let cut = start + len;
                    self.carry.extend_from_slice(&buf[cut..]);
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

    fn chunks(data: &[u8], target: usize, step: usize) -> Vec<Vec<u8>> {
        let mut rdr = ChunkReader::new(Trickle { data, step }, target);
        let mut got = Vec::new();
        let mut buf = Vec::new();
        while rdr.next_chunk(&mut buf).unwrap() {
            got.push(buf.clone());
        }
        got
    }

    #[test]
    fn chunks_concatenate_to_the_input() {
        let inputs: &[&[u8]] = &[b"", b"a", b"a\n", b"a\nbb\nccc", b"\n\n\n", &[b'x'; 1000]];
        for &data in inputs {
            for target in [0, 1, 2, 3, 7, 64, 4096] {
                for step in [1, 2, 5, 4096] {
                    let got = chunks(data, target, step);
                    assert_eq!(got.concat(), data, "target {target} step {step}");
                    for chunk in got.iter().rev().skip(1) {
                        assert_eq!(chunk.last(), Some(&b'\n'));
                    }
                    assert!(got.iter().all(|c| !c.is_empty()));
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
            let mut buf = Vec::new();
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
        let got = chunks(b"one\ntwo\n", 1024, 4);
        assert_eq!(got, vec![b"one\n".to_vec(), b"two\n".to_vec()]);
    }

    #[test]
    fn full_reads_fill_chunks() {
        let data = b"aaa\n".repeat(100);
        let got = chunks(&data, 64, 4096);
        let sizes: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(sizes, [64, 64, 64, 64, 64, 64, 16]);
    }
}
