//! Hex digits as bytes: keys and the `--state` file's fingerprints, which logscrub or a user
//! wrote as hex, and the percent-escapes of URLs and log text.

use nom::bytes::complete::take_while_m_n;
use nom::combinator::{all_consuming, map_opt};
use nom::multi::fill;
use nom::{IResult, Parser};

/// Fills `out` from `text`, which must be exactly two hex digits (either case) per byte of
/// `out`. False for anything else, with `out` unspecified.
pub fn decode_into(text: &[u8], out: &mut [u8]) -> bool {
    all_consuming(fill(byte, out)).parse(text).is_ok()
}

/// The value of the hex digit `b` (either case).
#[inline]
pub fn digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte that the percent-escape at the start of `s` stands for (`%41` is `A`), if `s`
/// starts with one.
#[inline]
pub fn percent_escape(s: &[u8]) -> Option<u8> {
    match s {
        [b'%', hi, lo, ..] => Some(digit(*hi)? << 4 | digit(*lo)?),
        _ => None,
    }
}

/// The byte that the escape at the start of `s` stands for, and the escape's length: a
/// percent-escape (`%41`) or the `\x41` that Apache and nginx write.
#[inline]
pub fn unescape_once(s: &[u8]) -> Option<(u8, usize)> {
    match s {
        [b'%', ..] => Some((percent_escape(s)?, 3)),
        [b'\\', b'x', hi, lo, ..] => Some((digit(*hi)? << 4 | digit(*lo)?, 4)),
        _ => None,
    }
}

/// [`unescape_once`], decoded a second time when the escape stands for a `%` before two more
/// hex digits (`%2541`, `\x2541`), as text escaped twice is read.
#[inline]
pub fn unescape(s: &[u8]) -> Option<(u8, usize)> {
    let (b, len) = unescape_once(s)?;
    if b == b'%' {
        if let [hi, lo, ..] = s[len..] {
            if let (Some(hi), Some(lo)) = (digit(hi), digit(lo)) {
                return Some((hi << 4 | lo, len + 2));
            }
        }
    }
    Some((b, len))
}

/// Two hex digits as a byte.
fn byte(s: &[u8]) -> IResult<&[u8], u8> {
    map_opt(
        take_while_m_n(2, 2, |b: u8| b.is_ascii_hexdigit()),
        |pair: &[u8]| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok(),
    )
    .parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes() {
        let cases: &[(&[u8], Option<u8>)] = &[
            (b"%41", Some(b'A')),
            (b"%2fx", Some(b'/')),
            (b"%2F", Some(b'/')),
            (b"%4", None),
            (b"%g1", None),
            (b"41", None),
            (b"", None),
        ];
        for &(s, want) in cases {
            assert_eq!(percent_escape(s), want, "{}", s.escape_ascii());
        }
    }

    #[test]
    fn escapes_once_or_twice() {
        type Decoded = Option<(u8, usize)>;
        let cases: &[(&[u8], Decoded)] = &[
            (b"%40x", Some((b'@', 3))),
            (b"%2540", Some((b'@', 5))),
            (b"%25", Some((b'%', 3))),
            (b"%25g0", Some((b'%', 3))),
            (b"%252540", Some((b'%', 5))),
            (br"\x40", Some((b'@', 4))),
            (br"\x2540", Some((b'@', 6))),
            (br"\xc3\xa9", Some((0xc3, 4))),
            (br"\X40", None),
            (br"\x4", None),
            (b"%4g", None),
            (b"40", None),
        ];
        for &(s, want) in cases {
            assert_eq!(unescape(s), want, "{}", s.escape_ascii());
            let once = unescape_once(s);
            assert_eq!(once.is_some(), want.is_some(), "{}", s.escape_ascii());
            assert!(
                once.map_or(true, |(_, len)| len <= 4),
                "{}",
                s.escape_ascii()
            );
        }
    }

    #[test]
    fn decodes_exactly_two_digits_a_byte() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"", Some(b"")),
            (b"00ff7A", Some(b"\x00\xff\x7a")),
            (b"DEADbeef", Some(b"\xde\xad\xbe\xef")),
            (b"00ff7", None),
            (b"00ff7a0", None),
            (b"00ff7a00", None),
            (b"+f00ff7", None),
            (b"0g00ff", None),
            (b" 00ff7a", None),
            (b"00ff7a\n", None),
        ];
        for (text, want) in cases {
            let mut out = [0u8; 4];
            let out = &mut out[..want.map_or(3, <[u8]>::len)];
            let ok = decode_into(text, out);
            assert_eq!(ok.then_some(&out[..]), *want, "{}", text.escape_ascii());
        }
    }
}
