//! Reading input as runs of complete lines, in the manner of ripgrep's line buffer: one reused
//! buffer, large reads, the last terminator found with `memrchr`, the partial tail rolled to the
//! front with `copy_within`.

use std::io::{self, Read};

/// Initial buffer size. Long lines grow the buffer (doubling) until one fits; it never shrinks,
/// so a run's memory is bounded by its longest line plus this.
pub const DEFAULT_CAPACITY: usize = 256 * 1024;

/// Yields chunks of complete lines from a reader.
///
/// Invariant: the bytes of all chunks, concatenated, are exactly the bytes read; every chunk but
/// the last ends with `\n`.
pub struct LineReader<R> {
    rdr: R,
    buf: Vec<u8>,
    /// Start of bytes not yet handed out.
    start: usize,
    /// End of bytes read.
    end: usize,
}

impl<R: Read> LineReader<R> {
    /// A reader with the default buffer size.
    pub fn new(rdr: R) -> Self {
        Self::with_capacity(rdr, DEFAULT_CAPACITY)
    }

    /// A reader whose buffer starts at `capacity` bytes (at least 1).
    pub fn with_capacity(rdr: R, capacity: usize) -> Self {
        LineReader {
            rdr,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
        }
    }

    /// Returns the next chunk of complete lines, or `None` at end of input.
    ///
    /// A chunk is returned as soon as one read brings a line terminator, so lines trickling in
    /// through a pipe come out one read at a time rather than waiting for a full buffer. At end
    /// of input an unterminated last line is returned as it is.
    pub fn next_chunk(&mut self) -> io::Result<Option<&[u8]>> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        loop {
            if self.end == self.buf.len() {
                let grown = self.buf.len() * 2;
                self.buf.resize(grown, 0);
            }
            let n = match self.rdr.read(&mut self.buf[self.end..]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if n == 0 {
                if self.end == 0 {
                    return Ok(None);
                }
                let all = self.end;
                self.start = all;
                return Ok(Some(&self.buf[..all]));
            }
            let searched = self.end;
            self.end += n;
            if let Some(nl) = memchr::memrchr(b'\n', &self.buf[searched..self.end]) {
                let stop = searched + nl + 1;
                self.start = stop;
                return Ok(Some(&self.buf[..stop]));
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

    fn chunks(data: &[u8], capacity: usize, step: usize) -> Vec<Vec<u8>> {
        let mut rdr = LineReader::with_capacity(Trickle { data, step }, capacity);
        let mut got = Vec::new();
        while let Some(chunk) = rdr.next_chunk().unwrap() {
            got.push(chunk.to_vec());
        }
        got
    }

    #[test]
    fn chunks_concatenate_to_the_input() {
        let inputs: &[&[u8]] = &[b"", b"a", b"a\n", b"a\nbb\nccc", b"\n\n\n", &[b'x'; 1000]];
        for &data in inputs {
            for capacity in [0, 1, 2, 3, 7, 64, 4096] {
                for step in [1, 2, 5, 4096] {
                    let got = chunks(data, capacity, step);
                    assert_eq!(got.concat(), data, "cap {capacity} step {step}");
                    for chunk in got.iter().rev().skip(1) {
                        assert_eq!(chunk.last(), Some(&b'\n'));
                    }
                    assert!(got.iter().all(|c| !c.is_empty()));
                }
            }
        }
    }

    #[test]
    fn trickled_lines_come_out_per_read() {
        let got = chunks(b"one\ntwo\n", 1024, 4);
        assert_eq!(got, vec![b"one\n".to_vec(), b"two\n".to_vec()]);
    }
}
