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
//!
//! With a key directory ([`KeyDir`], `--key-dir`) there is no master key: each period has a
//! random key of its own in `DIR/<label>.key`, made on first need, and that file's key is the
//! period key. Deleting the file destroys the period's key for good.

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;

use crate::vocab::hex;

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;

/// The environment variable that may hold the key (never a command-line value: `ps` shows
/// those).
pub const KEY_ENV: &str = "LOGSCRUB_KEY";

/// The keys a run was given; at most one of `key` and `dir` is set, and with neither the run
/// draws a random key.
#[derive(Debug, Default)]
pub struct Keys {
    /// The master key, from a key file or [`KEY_ENV`].
    pub key: Option<Key>,
    /// The directory of per-period keys.
    pub dir: Option<KeyDir>,
    /// What the caller should tell the user (keys readable by others, an ignored variable).
    pub warnings: Vec<String>,
}

/// Loads the keys: the directory `dir` if given (then [`KEY_ENV`] is ignored, with a warning),
/// else the key in `file`, else the one in [`KEY_ENV`], else none.
pub fn load(file: Option<&Path>, dir: Option<&Path>) -> Result<Keys, KeyError> {
    let mut keys = Keys::default();
    if let Some(path) = dir {
        let (dir, warning) = KeyDir::open(path)?;
        keys.warnings.extend(warning);
        if std::env::var_os(KEY_ENV).is_some() {
            keys.warnings
                .push(format!("{KEY_ENV} is ignored: --key-dir gives the keys"));
        }
        keys.dir = Some(dir);
    } else if let Some(path) = file {
        let (key, exposed) = Key::from_file(path)?;
        if exposed {
            keys.warnings.push(format!(
                "key file {} is readable by group or others; restrict it with `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        keys.key = Some(key);
    } else if let Some(value) = std::env::var_os(KEY_ENV) {
        let origin = format!("the {KEY_ENV} variable");
        keys.key = Some(Key::decode(value.as_encoded_bytes(), &origin)?);
    }
    Ok(keys)
}

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
    /// The key directory cannot be used: not a directory, or writable by group or others.
    Dir { path: PathBuf, why: String },
    /// A key file in the key directory is writable by group or others.
    Exposed { path: PathBuf },
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
            KeyError::Dir { path, why } => write!(f, "key directory {}: {why}", path.display()),
            KeyError::Exposed { path } => write!(
                f,
                "key file {} is writable by group or others, so its key cannot be trusted; \
                 restrict it with `chmod 600 {}`",
                path.display(),
                path.display()
            ),
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
        if hex::decode_into(text, &mut key) {
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
        key.write_new(path).map_err(|source| KeyError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes the key as 64 hex digits and a newline to a new file with mode 0600 and syncs
    /// it; fails if `path` exists.
    fn write_new(&self, path: &Path) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        let mut text = String::with_capacity(2 * KEY_LEN + 1);
        for byte in self.0 {
            text.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            text.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
        }
        text.push('\n');
        file.write_all(text.as_bytes())?;
        file.sync_all()
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

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Where a run's period keys come from.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    /// One master key: the period key is the master itself, or derived from it by HKDF.
    Master(Key),
    /// A directory with one random key file per period (`--key-dir`).
    Dir(std::sync::Arc<KeyDir>),
}

/// A directory of per-period keys (`--key-dir`): `2024-05-17.key` (daily), `2024-W20.key`
/// (ISO week) or `2024-05.key` (monthly), each 32 random bytes as 64 hex digits, mode 0600.
///
/// A period's file is made on first need and never overwritten: the key is written to a
/// private temporary file (`O_EXCL`), synced, and hard-linked to its name, which fails if the
/// name exists. So processes (and hosts sharing the directory) racing on a new period end with
/// one key: the loser removes its own file and reads the winner's. Temporary files are named
/// `.tmp-<label>-<pid>-<random>.key`, so a cleanup by `*.key` also removes any left by a crash.
///
/// Keys are read once per process and period and shared by all workers.
pub struct KeyDir {
    path: PathBuf,
    /// Per period label: its key, or why it could not be had (then not tried again).
    loaded: Mutex<HashMap<String, Result<Key, String>>>,
    /// Warnings about key files (readable by group or others), each once.
    warnings: Mutex<Vec<String>>,
}

impl fmt::Debug for KeyDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyDir").field("path", &self.path).finish()
    }
}

/// A period key from a [`KeyDir`].
pub struct PeriodKey {
    /// The key.
    pub key: Key,
    /// Whether this process created the key's file.
    pub created: bool,
}

impl KeyDir {
    /// Opens the key directory, creating it (mode 0700) if it does not exist. Refuses a path
    /// that is not a directory, or a directory writable by group or others (anyone who can
    /// write it could plant a key they know, or delete keys). Returns a warning where the
    /// directory is readable by group or others.
    pub fn open(path: &Path) -> Result<(KeyDir, Option<String>), KeyError> {
        let dir_err = |why: String| KeyError::Dir {
            path: path.to_path_buf(),
            why,
        };
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        match builder.create(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(dir_err(format!("cannot create it: {e}"))),
        }
        let meta = fs::metadata(path).map_err(|e| dir_err(e.to_string()))?;
        if !meta.is_dir() {
            return Err(dir_err("not a directory".to_string()));
        }
        let mut warning = None;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o022 != 0 {
                return Err(dir_err(format!(
                    "writable by group or others (mode {mode:04o}): anyone who can write it \
                     could plant or delete keys; restrict it with `chmod 700 {}`",
                    path.display()
                )));
            }
            if mode & 0o044 != 0 {
                warning = Some(format!(
                    "key directory {} is readable by group or others (mode {mode:04o}); \
                     restrict it with `chmod 700 {}`",
                    path.display(),
                    path.display()
                ));
            }
        }
        let dir = KeyDir {
            path: path.to_path_buf(),
            loaded: Mutex::new(HashMap::new()),
            warnings: Mutex::new(Vec::new()),
        };
        Ok((dir, warning))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file that holds the key of the period `label`.
    pub fn file(&self, label: &str) -> PathBuf {
        self.path.join(format!("{label}.key"))
    }

    /// The key of the period `label`: read from its file, or made and written there if the
    /// file does not exist. Each label is looked up once per process; a failure is kept (and
    /// listed by [`KeyDir::failures`]) rather than tried again for every line.
    pub fn period_key(&self, label: &str) -> Result<PeriodKey, String> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = loaded.get(label) {
            return known.clone().map(|key| PeriodKey {
                key,
                created: false,
            });
        }
        let result = self.load_or_create(label).map_err(|e| e.to_string());
        loaded.insert(
            label.to_string(),
            result.as_ref().map(|p| p.key.clone()).map_err(Clone::clone),
        );
        result
    }

    /// Why period keys could not be had, one message per period, sorted.
    pub fn failures(&self) -> Vec<String> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let mut failures: Vec<String> = loaded
            .values()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect();
        failures.sort();
        failures
    }

    /// Warnings about key files read (readable by group or others).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What to tell the user at the end of a run: the [`warnings`](KeyDir::warnings), then
    /// one message per period whose key could not be had (its lines were masked). The flag
    /// says whether there was any of the latter, which makes the run a failure.
    pub fn closing_messages(&self) -> (Vec<String>, bool) {
        let mut messages: Vec<String> = self
            .warnings()
            .into_iter()
            .map(|warning| format!("warning: {warning}"))
            .collect();
        let failures = self.failures();
        let failed = !failures.is_empty();
        messages.extend(
            failures.into_iter().map(|failure| {
                format!("{failure}; the addresses of that period's lines were masked")
            }),
        );
        (messages, failed)
    }

    fn load_or_create(&self, label: &str) -> Result<PeriodKey, KeyError> {
        let path = self.file(label);
        if let Some(key) = self.read(&path)? {
            return Ok(PeriodKey {
                key,
                created: false,
            });
        }
        let key = Key::random()?;
        let mut nonce = [0u8; 8];
        getrandom::getrandom(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let temp = self.path.join(format!(
            ".tmp-{label}-{}-{:016x}.key",
            std::process::id(),
            u64::from_le_bytes(nonce)
        ));
        let write_err = |source| KeyError::Write {
            path: path.clone(),
            source,
        };
        if let Err(e) = key.write_new(&temp) {
            let _ = fs::remove_file(&temp);
            return Err(write_err(e));
        }
        // `link` never replaces an existing name: exactly one racer's key gets the name.
        let linked = fs::hard_link(&temp, &path);
        // The temporary name must go, or a copy of the key would outlive the period's file.
        let removed = fs::remove_file(&temp);
        match linked {
            Ok(()) => {
                removed.map_err(|e| KeyError::Write {
                    path: temp.clone(),
                    source: e,
                })?;
                // The new name must survive a crash, or a rerun would make another key.
                if let Ok(dir) = fs::File::open(&self.path) {
                    let _ = dir.sync_all();
                }
                Ok(PeriodKey { key, created: true })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match self.read(&path)? {
                Some(key) => Ok(PeriodKey {
                    key,
                    created: false,
                }),
                None => Err(write_err(e)),
            },
            Err(e) => Err(write_err(e)),
        }
    }

    /// The key in `path`, or `None` if there is no such file.
    fn read(&self, path: &Path) -> Result<Option<Key>, KeyError> {
        let read_err = |source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut file = match fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read_err(e)),
        };
        let mut data = Vec::with_capacity(2 * KEY_LEN + 1);
        io::Read::read_to_end(&mut file, &mut data).map_err(read_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().map_err(read_err)?.permissions().mode();
            if mode & 0o022 != 0 {
                return Err(KeyError::Exposed {
                    path: path.to_path_buf(),
                });
            }
            if mode & 0o044 != 0 {
                self.warnings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!(
                        "key file {} is readable by group or others; restrict it with \
                         `chmod 600 {}`",
                        path.display(),
                        path.display()
                    ));
            }
        }
        let origin = format!("key file {}", path.display());
        let key = Key::decode(&data, &origin)?;
        if !key.halves_differ() {
            return Err(KeyError::EqualHalves { origin });
        }
        Ok(Some(key))
    }
}

/// A 32-byte file of printable ASCII is far likelier text (a short passphrase) than random bytes;
/// it is then rejected unless it decodes as hex or base64.
fn looks_like_text(raw: &[u8]) -> bool {
    raw.iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
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

    /// Threads with a `KeyDir` each (no shared cache), released together on a new directory:
    /// one file per period, every thread with the same key, exactly one of them its creator,
    /// and no temporary file left.
    #[test]
    fn racing_creators_end_with_one_key() {
        let dir = std::env::temp_dir().join(format!("logscrub-race-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for label in ["2024-05-17", "2024-W20", "2024-05"] {
            let barrier = std::sync::Barrier::new(8);
            let results: Vec<PeriodKey> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| {
                            let (key_dir, _) = KeyDir::open(&dir).unwrap();
                            barrier.wait();
                            key_dir.period_key(label).unwrap()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|p| p.created).count(), 1, "{label}");
            assert!(results.iter().all(|p| p.key == results[0].key), "{label}");
            let (on_disk, exposed) = Key::from_file(&dir.join(format!("{label}.key"))).unwrap();
            assert_eq!(on_disk, results[0].key);
            assert!(!exposed);
        }
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["2024-05-17.key", "2024-05.key", "2024-W20.key"]);
        // Never overwritten: a second process reads what is there.
        let (again, _) = KeyDir::open(&dir).unwrap();
        let read = again.period_key("2024-05").unwrap();
        assert!(!read.created);
        fs::remove_dir_all(&dir).unwrap();
    }
}
