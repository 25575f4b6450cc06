//! Lines of a buffer: the one place that knows what ends a line.
//!
//! A line ends after `\n`; its terminator is that `\n`, or `\r\n` where a `\r` comes before
//! it. The last line of a buffer may have no terminator, and then keeps any `\r` it ends
//! with: the scrubber copies a terminator unchanged, and a torn line has none to copy. Every
//! reader of lines (the scrubber, format recognition, W3C headers across chunks, the audit)
//! goes through [`lines`] and [`split_terminator`], so that they all see the same bodies, and
//! whatever cuts input into whole lines (the chunk reader, `--follow`, a torn write taken back)
//! through [`whole_len`].

use memchr::{memchr, memrchr};

/// The lines of `buf`, each with its terminator; no empty line after a final `\n`.
pub fn lines(buf: &[u8]) -> Lines<'_> {
    Lines { rest: buf }
}

/// The bodies of the lines of `buf`: [`lines`] without their terminators.
pub fn bodies(buf: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    lines(buf).map(|line| split_terminator(line).0)
}

/// The length of the whole lines at the start of `buf`, up to and with its last `\n`; `None`
/// where `buf` ends no line. What follows is the start of a line still to come.
pub fn whole_len(buf: &[u8]) -> Option<usize> {
    memrchr(b'\n', buf).map(|nl| nl + 1)
}

/// `line` (with or without its terminator) split into its body and its terminator (`\n`,
/// `\r\n` or empty).
pub fn split_terminator(line: &[u8]) -> (&[u8], &[u8]) {
    let body_end = if line.ends_with(b"\r\n") {
        line.len() - 2
    } else if line.ends_with(b"\n") {
        line.len() - 1
    } else {
        line.len()
    };
    line.split_at(body_end)
}

/// The iterator of [`lines`].
#[derive(Clone, Debug)]
pub struct Lines<'b> {
    rest: &'b [u8],
}

impl<'b> Iterator for Lines<'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr(b'\n', self.rest).map_or(self.rest.len(), |n| n + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_terminators() {
        type Case = (&'static [u8], &'static [(&'static [u8], &'static [u8])]);
        let cases: &[Case] = &[
            (b"", &[]),
            (b"\n", &[(b"", b"\n")]),
            (b"a\nb", &[(b"a", b"\n"), (b"b", b"")]),
            (
                b"a\r\n\r\nb\n",
                &[(b"a", b"\r\n"), (b"", b"\r\n"), (b"b", b"\n")],
            ),
            // A `\r` alone ends no line, and a torn last line keeps it.
            (b"a\rb\r", &[(b"a\rb\r", b"")]),
            (b"\r\r\n", &[(b"\r", b"\r\n")]),
        ];
        for (buf, want) in cases {
            let got: Vec<_> = lines(buf).map(split_terminator).collect();
            assert_eq!(got, want.to_vec(), "{}", buf.escape_ascii());
            let bodies: Vec<_> = bodies(buf).collect();
            let want_bodies: Vec<_> = want.iter().map(|(body, _)| *body).collect();
            assert_eq!(bodies, want_bodies);
            assert_eq!(lines(buf).collect::<Vec<_>>().concat(), *buf);
            let whole: usize = want
                .iter()
                .filter(|(_, terminator)| !terminator.is_empty())
                .map(|(body, terminator)| body.len() + terminator.len())
                .sum();
            assert_eq!(whole_len(buf), (whole > 0).then_some(whole));
        }
    }
}
