//! gzip input (one member or several concatenated, as `cat a.gz b.gz` makes), decoded so that
//! every byte decompressed before a corrupt spot is handed out before the error.
//!
//! flate2's `MultiGzDecoder` returns the error of a read instead of the bytes that same read
//! decoded before it met the corruption, so up to a whole read's worth of complete lines was
//! lost (more than `zcat` loses, which is up to its 32 KiB window). Here each call to the
//! inflater may produce at most what is left of its 32 KiB window, which it can always hand
//! over in full, so nothing decoded is ever dropped: the bytes come out, then the error.

use std::io::{self, BufRead, Read};

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::compression::GZIP_MAGIC;

/// The deflate window; the inflater never holds more decoded bytes than this.
const WINDOW: usize = 32 << 10;

enum Stage {
    /// Before a member's header (the first, or after a trailer).
    Header { first: bool },
    /// Inside a member's deflate data.
    Body,
    /// After the deflate data: CRC-32 and size.
    Trailer,
    /// Every member read.
    End,
}

/// Decodes gzip members one after another.
pub struct Gunzip<R> {
    inner: R,
    inflate: Decompress,
    crc: Crc,
    stage: Stage,
    /// Decoded bytes for a caller whose buffer was smaller than a window: `buf[start..end]`.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// An error met after some decoded bytes, returned once they are handed out.
    failed: Option<io::Error>,
}

impl<R: BufRead> Gunzip<R> {
    /// A decoder reading gzip data from `inner`.
    pub fn new(inner: R) -> Self {
        Gunzip {
            inner,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            stage: Stage::Header { first: true },
            buf: Box::new([]),
            start: 0,
            end: 0,
            failed: None,
        }
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        let got = loop {
            match self.inner.fill_buf() {
                Ok(buf) => break buf.first().copied(),
                Err(err) if interrupted_only(&err) => {}
                Err(err) => return Err(err),
            }
        };
        if got.is_some() {
            self.inner.consume(1);
        }
        Ok(got)
    }

    fn need(&mut self) -> io::Result<u8> {
        self.byte()?.ok_or_else(truncated)
    }

    fn skip_zero_terminated(&mut self) -> io::Result<()> {
        while self.need()? != 0 {}
        Ok(())
    }

    /// Reads a member header. `Ok(false)` at a clean end of input between members.
    fn header(&mut self, first: bool) -> io::Result<bool> {
        let id1 = match self.byte()? {
            Some(b) => b,
            None if !first => return Ok(false),
            None => return Err(truncated()),
        };
        let id2 = self.need()?;
        let method = self.need()?;
        if [id1, id2] != GZIP_MAGIC || method != 8 {
            return Err(corrupt("invalid gzip header"));
        }
        let flags = self.need()?;
        for _ in 0..6 {
            self.need()?; // MTIME, XFL, OS
        }
        if flags & 0x04 != 0 {
            let len = u16::from_le_bytes([self.need()?, self.need()?]);
            for _ in 0..len {
                self.need()?;
            }
        }
        if flags & 0x08 != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & 0x10 != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & 0x02 != 0 {
            self.need()?;
            self.need()?;
        }
        self.inflate = Decompress::new(false);
        self.crc = Crc::new();
        Ok(true)
    }

    fn trailer(&mut self) -> io::Result<()> {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.need()?;
        }
        let crc = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if crc != self.crc.sum() || size != self.crc.amount() {
            return Err(corrupt("corrupt gzip stream: checksum mismatch"));
        }
        Ok(())
    }

    /// Inflates into `out` (at most what is left of the current window). Returns the bytes
    /// produced; an error after some bytes is kept for the next call.
    fn inflate_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            // The inflater decodes into its window and copies out what fits; asking for no
            // more than the rest of the window means it always fits, also when the decoding
            // stops at a corrupt spot.
            let room = WINDOW - (self.inflate.total_out() % WINDOW as u64) as usize;
            let len = room.min(out.len());
            let out = &mut out[..len];
            let input = loop {
                match self.inner.fill_buf() {
                    Ok(buf) => break buf,
                    Err(err) if interrupted_only(&err) => {}
                    Err(err) => return Err(err),
                }
            };
            let eof = input.is_empty();
            let flush = if eof {
                FlushDecompress::Finish
            } else {
                FlushDecompress::None
            };
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self.inflate.decompress(input, out, flush);
            let consumed = (self.inflate.total_in() - before_in) as usize;
            let produced = (self.inflate.total_out() - before_out) as usize;
            self.inner.consume(consumed);
            self.crc.update(&out[..produced]);
            let stop = match status {
                Ok(Status::StreamEnd) => {
                    self.stage = Stage::Trailer;
                    None
                }
                Ok(_) if produced == 0 && consumed == 0 && eof => Some(truncated()),
                Ok(_) => None,
                Err(_) => Some(corrupt("corrupt deflate stream")),
            };
            if let Some(err) = stop {
                self.stage = Stage::End;
                if produced == 0 {
                    return Err(err);
                }
                self.failed = Some(err);
            }
            if produced > 0 || !matches!(self.stage, Stage::Body) {
                return Ok(produced);
            }
        }
    }
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "truncated gzip input")
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        loop {
            if self.start < self.end {
                let n = (self.end - self.start).min(dst.len());
                dst[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                self.start += n;
                return Ok(n);
            }
            if let Some(err) = self.failed.take() {
                return Err(err);
            }
            match self.stage {
                Stage::End => return Ok(0),
                Stage::Header { first } => {
                    if !self.header(first)? {
                        self.stage = Stage::End;
                        return Ok(0);
                    }
                    self.stage = Stage::Body;
                }
                Stage::Trailer => {
                    self.trailer()?;
                    self.stage = Stage::Header { first: false };
                }
                Stage::Body if dst.len() >= WINDOW => {
                    let n = self.inflate_into(dst)?;
                    if n > 0 {
                        return Ok(n);
                    }
                }
                Stage::Body => {
                    let mut buf = std::mem::take(&mut self.buf);
                    if buf.len() < WINDOW {
                        buf = vec![0; WINDOW].into_boxed_slice();
                    }
                    let got = self.inflate_into(&mut buf);
                    self.buf = buf;
                    self.start = 0;
                    self.end = got?;
                }
            }
        }
    }
}

/// An interrupted read to retry: not one that a stop signal ended, which is handed on to the
/// reader as the end of the input.
fn interrupted_only(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Interrupted && !super::signals::stop_requested()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(from: u32, to: u32) -> Vec<u8> {
        (from..to)
            .flat_map(|n| format!("192.0.2.{} line {n:08}\n", n % 250).into_bytes())
            .collect()
    }

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for part in parts {
            enc.write_all(part).unwrap();
        }
        enc.finish().unwrap()
    }

    /// Reads everything, with reads of `step` bytes; returns the data and the error.
    fn decode(data: &[u8], step: usize) -> (Vec<u8>, Option<io::Error>) {
        let mut gz = Gunzip::new(io::BufReader::with_capacity(4096, data));
        let mut got = Vec::new();
        let mut buf = vec![0; step];
        loop {
            match gz.read(&mut buf) {
                Ok(0) => return (got, None),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(err) => return (got, Some(err)),
            }
        }
    }

    #[test]
    fn members_decode_like_multigzdecoder() {
        let (a, b) = (lines(0, 3000), lines(3000, 3100));
        let data = [gzip(&[&a]), gzip(&[&b]), gzip(&[b""])].concat();
        for step in [1, 100, 4096, WINDOW, 128 << 10] {
            let (got, err) = decode(&data, step);
            assert!(err.is_none(), "step {step}: {err:?}");
            assert_eq!(got, [a.clone(), b.clone()].concat(), "step {step}");
        }
    }

    #[test]
    fn truncated_and_bad_checksums_are_errors_after_the_data() {
        let a = lines(0, 2000);
        let data = gzip(&[&a]);
        let (got, err) = decode(&data[..data.len() / 2], 128 << 10);
        assert_eq!(err.unwrap().kind(), io::ErrorKind::UnexpectedEof);
        assert!(a.starts_with(&got) && !got.is_empty());
        let mut bad = data.clone();
        let at = bad.len() - 8;
        bad[at] ^= 1;
        let (got, err) = decode(&bad, 128 << 10);
        assert_eq!(err.unwrap().kind(), io::ErrorKind::InvalidData);
        assert_eq!(got, a);
    }

    /// A member corrupt after a flush point: every byte before it comes out, whatever the
    /// read size, where flate2's decoder loses the bytes of the failing read.
    #[test]
    fn everything_decoded_before_a_corrupt_block_comes_out() {
        let (a, b) = (lines(0, 5000), lines(5000, 10000));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&a).unwrap();
        enc.flush().unwrap(); // a sync flush: the next block starts on a byte boundary
        let at = enc.get_ref().len();
        enc.write_all(&b).unwrap();
        let mut data = enc.finish().unwrap();
        data[at] = 0xff; // final block of the reserved type 3
        for step in [1, 1000, 4096, WINDOW, 128 << 10, 1 << 20] {
            let (got, err) = decode(&data, step);
            assert_eq!(
                err.unwrap().kind(),
                io::ErrorKind::InvalidData,
                "step {step}"
            );
            assert!(got == a, "step {step}: {} of {} bytes", got.len(), a.len());
        }
        let mut flate = flate2::bufread::MultiGzDecoder::new(data.as_slice());
        let mut lost = Vec::new();
        assert!(flate.read_to_end(&mut lost).is_err());
        assert!(lost.len() <= a.len());
    }
}
