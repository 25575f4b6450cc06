//! String content: decoding escapes when a value is redacted, encoding the rewritten value.

use memchr::memchr;

/// Decodes the content of a JSON string (between the quotes) into `out` (cleared first): `\"`
/// `\\` `\/` `\b` `\f` `\n` `\r` `\t` and `\uXXXX`, surrogate pairs included, to UTF-8; other
/// bytes are copied as they are. Returns false on a malformed escape or a lone surrogate, with
/// `out` in an unspecified state; the caller then treats the value fail-safe.
pub fn decode(raw: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut rest = raw;
    while let Some(at) = memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        let Some((&kind, after)) = rest[at + 1..].split_first() else {
            return false;
        };
        rest = after;
        let byte = match kind {
            b'"' | b'\\' | b'/' => kind,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let Some((c, after)) = escaped_char(rest) else {
                    return false;
                };
                rest = after;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => return false,
        };
        out.push(byte);
    }
    out.extend_from_slice(rest);
    true
}

/// The character of a `\u` escape whose hex digits start `s` (a surrogate pair takes two
/// escapes), and what follows it.
fn escaped_char(s: &[u8]) -> Option<(char, &[u8])> {
    let high = hex4(s)?;
    let rest = &s[4..];
    if !(0xd800..0xdc00).contains(&high) {
        // A lone low surrogate is no char.
        return Some((char::from_u32(high)?, rest));
    }
    let low = rest.strip_prefix(b"\\u").and_then(hex4)?;
    if !(0xdc00..0xe000).contains(&low) {
        return None;
    }
    let c = char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?;
    Some((c, &rest[6..]))
}

fn hex4(s: &[u8]) -> Option<u32> {
    s.get(..4)?
        .iter()
        .try_fold(0, |n, &b| Some(n << 4 | char::from(b).to_digit(16)?))
}

/// Appends `s` encoded as JSON string content: `"` as `\"`, `\` as `\\`, control bytes below
/// 0x20 as `\n`, `\r`, `\t` or `\u00XX`; every other byte (non-ASCII and invalid UTF-8 included)
/// as it is, and `/` unescaped. [`decode`] gives `s` back.
pub fn encode(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut copied = 0;
    for (i, &b) in s.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&s[copied..i]);
        copied = i + 1;
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&s[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::json::{parse, Keys};
    use proptest::prelude::*;

    #[test]
    fn decode_cases() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"", Some(b"")),
            (b"plain", Some(b"plain")),
            (br#"a\"b"#, Some(b"a\"b")),
            (br"\\", Some(b"\\")),
            (br"\/", Some(b"/")),
            (br"\b\f\n\r\t", Some(b"\x08\x0c\n\r\t")),
            (br"\u0040", Some(b"@")),
            (br"\u0000", Some(b"\x00")),
            (br"\u00e9\u00C9", Some("éÉ".as_bytes())),
            (br"\u20AC", Some("€".as_bytes())),
            (br"\ud83d\ude00", Some("😀".as_bytes())),
            (br"x\uD83D\uDE00y", Some("x😀y".as_bytes())),
            (b"\xff\\n\xc3", Some(b"\xff\n\xc3")),
            (br"\", None),
            (br"a\x22", None),
            (br"\u12", None),
            (br"\u12g4", None),
            (br"\u+123", None),
            (br"\ud83d", None),
            (br"\ud83dx", None),
            (br"\ud83d\u0041", None),
            (br"\ud83d\ud83d", None),
            (br"\ud83d\n", None),
            (br"\ude00", None),
        ];
        let mut out = b"stale".to_vec();
        for (raw, want) in cases {
            let ok = decode(raw, &mut out);
            assert_eq!(ok.then_some(&out[..]), *want, "{}", raw.escape_ascii());
        }
    }

    #[test]
    fn encode_cases() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"/plain/path?a=b", b"/plain/path?a=b"),
            (b"a\"b\\c", br#"a\"b\\c"#),
            (b"\n\r\t", br"\n\r\t"),
            (b"\x00\x08\x1f\x7f", b"\\u0000\\u0008\\u001f\x7f"),
            ("é😀".as_bytes(), "é😀".as_bytes()),
            (b"\xff\xc3", b"\xff\xc3"),
        ];
        for (s, want) in cases {
            // Appends: what is in `out` stays.
            let mut out = b">".to_vec();
            encode(s, &mut out);
            assert_eq!(&out[1..], *want, "{}", s.escape_ascii());
            assert_eq!(out[0], b'>');
        }
    }

    proptest! {
        #[test]
        fn encoded_values_round_trip(s in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut encoded = Vec::new();
            encode(&s, &mut encoded);
            let mut decoded = Vec::new();
            prop_assert!(decode(&encoded, &mut decoded));
            prop_assert_eq!(&decoded, &s);
            // And it fits back into a line as one string value.
            let mut line = b"{\"uri\":\"".to_vec();
            line.extend_from_slice(&encoded);
            line.extend_from_slice(b"\"}");
            let mut fields = Vec::new();
            prop_assert!(parse(&line, &Keys::default(), &mut fields));
            prop_assert_eq!(fields.len(), 1);
            prop_assert_eq!(&line[fields[0].range.clone()], &encoded[..]);
        }
    }
}
