//! Which compression a stream uses, told by its first bytes: the one place that knows the magic
//! numbers, for reading any input and for `--in-place`, which writes a file back compressed as
//! it was.

/// gzip's two magic bytes (RFC 1952), which also open every further member of a
/// concatenated file.
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// A zstd frame's four magic bytes (RFC 8878).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// How many bytes [`Compression::sniff`] needs to tell every kind apart.
pub(crate) const SNIFF_LEN: usize = ZSTD_MAGIC.len();

/// How a stream is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression of a stream that starts with `head`; shorter than [`SNIFF_LEN`] only
    /// where the stream is.
    pub(crate) fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        let cases: &[(&[u8], Compression)] = &[
            (b"", Compression::None),
            (b"\x1f", Compression::None),
            (b"\x1f\x8b", Compression::Gzip),
            (b"\x1f\x8b\x08\x00", Compression::Gzip),
            (b"\x28\xb5\x2f", Compression::None),
            (b"\x28\xb5\x2f\xfd\x00", Compression::Zstd),
            (b"203.0.113.9 - -", Compression::None),
        ];
        for (head, want) in cases {
            assert_eq!(Compression::sniff(head), *want, "{}", head.escape_ascii());
        }
    }
}
