//! The secret key behind pseudonyms: loading, generating, deriving.
//!
//! A key is 32 bytes. On disk or in `LOGSCRUB_KEY` it is the raw 32 bytes, 64 hex digits, or
//! base64 of 32 bytes. Messages never contain key material, only the file name and what is wrong.
//!
//! Derivation (also in README.md, pinned by `fixtures/pseudonym-vectors.tsv`):
//!
//! - the *period key* is the master key itself without rotation, and otherwise
//!   `HKDF-SHA256(salt = "", ikm = master, info = "logscrub period v1 " || label, L = 32)` where
//!   the label is `YYYY-MM-DD`, ISO `YYYY-Www` or `YYYY-MM` of the line's own date;
//! - the ipcrypt-pfx key is the period key, as is;
//! - the HMAC key is `HKDF-SHA256(salt = "", ikm = period key, info = "logscrub hmac-sha256 v1",
//!   L = 32)`.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;

/// A 32-byte secret. Its `Debug` output hides the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_LEN]);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

/// Why a key could not be had. Never carries key material.
#[derive(Debug)]
pub enum KeyError {
    /// The key file could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The key (from `origin`) is not 32 bytes in any accepted encoding.
    Format { origin: String },
    /// The two halves of the key are equal, which ipcrypt-pfx forbids.
    EqualHalves { origin: String },
    /// The system's random number generator failed.
    Random(String),
    /// A new key file could not be written.
    Write { path: PathBuf, source: io::Error },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Read { path, source } => {
                write!(f, "cannot read key file {}: {source}", path.display())
            }
            KeyError::Format { origin } => write!(
                f,
                "the key in {origin} must be 32 bytes: raw, 64 hex digits, or base64 \
                 (make one with `logscrub keygen PATH`)"
            ),
            KeyError::EqualHalves { origin } => write!(
                f,
                "the key in {origin} has two equal halves, which ipcrypt-pfx forbids; \
                 make a new one with `logscrub keygen PATH`"
            ),
            KeyError::Random(why) => write!(f, "cannot draw a random key: {why}"),
            KeyError::Write { path, source } => {
                write!(f, "cannot write key file {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for KeyError {}

impl Key {
    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Key(bytes)
    }

    /// Decodes raw, hex or base64 key material; `origin` names where it came from in errors.
    pub fn decode(data: &[u8], origin: &str) -> Result<Self, KeyError> {
        let format_err = || KeyError::Format {
            origin: origin.to_string(),
        };
        if let Ok(raw) = <[u8; KEY_LEN]>::try_from(data) {
            if !looks_like_text(&raw) {
                return Ok(Key(raw));
            }
        }
        let text = data.trim_ascii();
        let mut key = [0u8; KEY_LEN];
        if text.len() == 2 * KEY_LEN && text.iter().all(u8::is_ascii_hexdigit) {
            for (byte, pair) in key.iter_mut().zip(text.chunks(2)) {
                *byte = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
            }
            return Ok(Key(key));
        }
        let engines = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        for engine in engines {
            if let Ok(decoded) = engine.decode(text) {
                return <[u8; KEY_LEN]>::try_from(decoded.as_slice())
                    .map(Key)
                    .map_err(|_| format_err());
            }
        }
        Err(format_err())
    }

    /// Reads a key file. Returns the key and whether the file is readable by group or others.
    pub fn from_file(path: &Path) -> Result<(Self, bool), KeyError> {
        let data = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let key = Key::decode(&data, &format!("key file {}", path.display()))?;
        Ok((key, readable_by_others(path)))
    }

    /// A fresh key from the operating system's random number generator.
    pub fn random() -> Result<Self, KeyError> {
        loop {
            let mut bytes = [0u8; KEY_LEN];
            getrandom::getrandom(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
            // Equal halves happen with probability 2^-128; drawing again costs nothing.
            if bytes[..16] != bytes[16..] {
                return Ok(Key(bytes));
            }
        }
    }

    /// Writes a new random key to `path` as 64 hex digits and a newline, with mode 0600.
    /// An existing file is never overwritten.
    pub fn generate_file(path: &Path) -> Result<(), KeyError> {
        let key = Key::random()?;
        let write_err = |source| KeyError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(write_err)?;
        let mut text = String::with_capacity(2 * KEY_LEN + 1);
        for byte in key.0 {
            text.push_str(&format!("{byte:02x}"));
        }
        text.push('\n');
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(write_err)
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Whether the halves differ, as ipcrypt-pfx requires.
    pub fn halves_differ(&self) -> bool {
        self.0[..16] != self.0[16..]
    }
}

/// A 32-byte file of printable ASCII is far likelier text (a short passphrase) than random bytes;
/// it is then rejected unless it decodes as hex or base64.
fn looks_like_text(raw: &[u8]) -> bool {
    raw.iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdeffedcba98765432101032547698badcfeefcdab8967452301";

    fn expected() -> [u8; 32] {
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&HEX[2 * i..2 * i + 2], 16).unwrap();
        }
        key
    }

    #[test]
    fn accepted_encodings() {
        let raw = expected();
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        let b64_nopad = base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw);
        let inputs: Vec<Vec<u8>> = vec![
            raw.to_vec(),
            HEX.as_bytes().to_vec(),
            format!("{}\n", HEX.to_uppercase()).into_bytes(),
            format!("  {b64}\n").into_bytes(),
            b64_nopad.into_bytes(),
        ];
        for input in inputs {
            assert_eq!(Key::decode(&input, "test").unwrap().bytes(), &raw);
        }
    }

    #[test]
    fn rejected_encodings_do_not_echo_the_key() {
        let short = &HEX[..62];
        for input in [
            short.as_bytes(),
            b"",
            b"not a key at all",
            &[0u8; 31],
            &[0u8; 33],
        ] {
            let err = Key::decode(input, "LOGSCRUB_KEY").unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("LOGSCRUB_KEY") && text.contains("32 bytes"),
                "{text}"
            );
            assert!(!text.contains("0123456789"), "{text}");
        }
        // 32 printable bytes: a passphrase, not a key.
        assert!(Key::decode(b"correct horse battery staple 123", "x").is_err());
    }

    #[test]
    fn generated_files_are_private_and_loadable() {
        let dir = std::env::temp_dir().join(format!("logscrub-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k");
        Key::generate_file(&path).unwrap();
        let (key, exposed) = Key::from_file(&path).unwrap();
        assert!(!exposed);
        assert!(key.halves_differ());
        assert!(matches!(
            Key::generate_file(&path),
            Err(KeyError::Write { .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(Key::from_file(&path).unwrap().1);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
