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
