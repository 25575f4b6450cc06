//! JSON's tokens over a line's bytes, without allocating.

use std::ops::Range;

use memchr::memchr2;

/// A cursor over a line. Every method leaves `pos` within the line or returns `None`.
pub(super) struct Scanner<'l> {
    line: &'l [u8],
    pub(super) pos: usize,
}

impl<'l> Scanner<'l> {
    pub(super) fn new(line: &'l [u8]) -> Self {
        Scanner { line, pos: 0 }
    }

    pub(super) fn skip_ws(&mut self) {
        while matches!(self.line.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.line.get(self.pos).copied()
    }

    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        self.pos += usize::from(hit);
        hit
    }

    pub(super) fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    pub(super) fn word(&mut self, word: &[u8]) -> Option<()> {
        self.line[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
        })
    }

    /// A string: the range of its content and whether that has a backslash. An escape is any
    /// backslash and the byte after it.
    pub(super) fn string(&mut self) -> Option<(Range<usize>, bool)> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let at = self.pos + memchr2(b'"', b'\\', self.line.get(self.pos..)?)?;
            if self.line[at] == b'"' {
                self.pos = at + 1;
                return Some((start..at, escaped));
            }
            escaped = true;
            self.pos = at + 2;
        }
    }

    /// A number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    pub(super) fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        if !self.eat(b'0') {
            self.digits()?;
        }
        if self.eat(b'.') {
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
        }
        Some(())
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        // What `number` eats from the start of the input; `None` where it fails. A leading zero
        // ends the number: the byte after it is the caller's to reject.
        let cases: &[(&[u8], Option<usize>)] = &[
            (b"0", Some(1)),
            (b"-12.5e+3,", Some(8)),
            (b"7E-1", Some(4)),
            (b"01", Some(1)),
            (b"-", None),
            (b"1.", None),
            (b".5", None),
            (b"1e", None),
            (b"+1", None),
        ];
        for (input, want) in cases {
            let mut s = Scanner::new(input);
            assert_eq!(
                s.number().map(|()| s.pos),
                *want,
                "{}",
                input.escape_ascii()
            );
        }
    }

    #[test]
    fn strings() {
        // The content's range and whether it has a backslash; `None` where `string` fails.
        type Case = (&'static [u8], Option<(Range<usize>, bool)>);
        let cases: &[Case] = &[
            (b"\"\"", Some((1..1, false))),
            (b"\"ab\" x", Some((1..3, false))),
            (br#""a\"b""#, Some((1..5, true))),
            (br#""\\""#, Some((1..3, true))),
            (br#""a\""#, None),
            (b"\"a\\", None),
            (b"x", None),
        ];
        for (input, want) in cases {
            let mut s = Scanner::new(input);
            assert_eq!(s.string(), *want, "{}", input.escape_ascii());
        }
    }
}
