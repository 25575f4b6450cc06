//! `--follow`: reading a live log across rotations, and `--state`: where to go on after a
//! restart.
//!
//! The file is tracked by path and by identity (device and inode). When the path comes to name
//! another file (logrotate's rename and create), the old file stays open and is read to its
//! end first, and for [`LINGER`] after it last grew, since a writer that has not reopened yet
//! (Apache until its graceful restart is done) still writes into it. When the file shrinks
//! below the position read, or the bytes before that position change, it was truncated in
//! place (copytruncate) and is read again from its start.
//!
//! Positions are whole lines: a partial last line waits until its terminator arrives. The
//! writing side records the position after the last line it wrote for every open file
//! ([`Mark`]) and saves them in the state file (written atomically and synced, after the output
//! was synced), so a restart neither skips nor repeats lines. A state file names each file by
//! device, inode and a fingerprint (SHA-256, not content) of the bytes before the position, so
//! that a reused inode is not mistaken for the file it once was; a file rotated while
//! logscrub was stopped is found again under its new name in the same directory.

use std::collections::{BTreeMap, VecDeque};
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::output::Output;
use super::reader::READ_WINDOW;
use super::signals;
use crate::error::Error;
use crate::lines;
use crate::vocab::hex;

/// How long a rotated file is still read after it last grew.
pub const LINGER: Duration = Duration::from_secs(300);
/// How often an idle follower looks for new lines, rotation and truncation.
pub const POLL: Duration = Duration::from_millis(200);
/// At most this many rotated files are read at once; older ones are closed first.
const MAX_ROTATED: usize = 8;
/// Bytes before a position that its fingerprint covers.
const FINGERPRINT: usize = 64;
/// How often the state is saved while lines are being written (and at the end).
pub const SAVE_EVERY: Duration = Duration::from_secs(1);

const STATE_HEADER: &str = "logscrub follow state 1";

/// How a run follows its file.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Where the position is kept across restarts, if anywhere.
    pub state: Option<PathBuf>,
    /// How often an idle follower looks again.
    pub poll: Duration,
    /// How long a rotated file is still read after it last grew.
    pub linger: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            state: None,
            poll: POLL,
            linger: LINGER,
        }
    }
}

/// Where the reading of one file stands: the next unread line starts at `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The file's number in this run.
    pub key: u64,
    pub dev: u64,
    pub ino: u64,
    pub offset: u64,
    /// How many bytes before `offset` the fingerprint covers.
    pub fp_len: usize,
    pub fp: [u8; 16],
}

fn fingerprint(bytes: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(bytes);
    let mut fp = [0; 16];
    fp.copy_from_slice(&digest[..16]);
    fp
}

/// What the follower has to say next.
pub enum Event {
    /// The caller's buffer holds whole lines of a file; the mark says where they end.
    Chunk(Mark),
    /// A file is read from here on (opened, restored, or truncated and read again).
    Position(Mark),
    /// A rotated file is done with.
    Forget(u64),
    /// Nothing to read for now (said when reading stops, and every second while idle).
    Idle,
    /// SIGTERM or SIGINT: stop.
    Stopped,
}

struct Source {
    key: u64,
    file: File,
    dev: u64,
    ino: u64,
    /// Read up to here; the bytes after the last line handed out are `carry`.
    pos: u64,
    carry: Vec<u8>,
    /// The last bytes (at most [`FINGERPRINT`]) before the lines handed out end.
    tail: Vec<u8>,
    /// When the path stopped naming this file; `None` for the file it names.
    rotated: Option<Instant>,
    last_data: Instant,
    /// Rotated, idle past the linger time: hand out a partial last line, then forget it.
    finishing: bool,
}

impl Source {
    fn open(key: u64, file: File, pos: u64, tail: Vec<u8>) -> io::Result<Self> {
        let meta = file.metadata()?;
        Ok(Source {
            key,
            file,
            dev: meta.dev(),
            ino: meta.ino(),
            pos,
            carry: Vec::new(),
            tail,
            rotated: None,
            last_data: Instant::now(),
            finishing: false,
        })
    }

    fn handed(&self) -> u64 {
        self.pos - self.carry.len() as u64
    }

    fn mark(&self) -> Mark {
        Mark {
            key: self.key,
            dev: self.dev,
            ino: self.ino,
            offset: self.handed(),
            fp_len: self.tail.len(),
            fp: fingerprint(&self.tail),
        }
    }

    /// Whether the bytes before the handed-out position are still the ones that were read.
    fn tail_intact(&self) -> bool {
        let mut now = vec![0; self.tail.len()];
        let at = self.handed() - self.tail.len() as u64;
        read_exact_at(&self.file, &mut now, at).is_ok() && now == self.tail
    }

    fn note_handed(&mut self, chunk: &[u8]) {
        if chunk.len() >= FINGERPRINT {
            self.tail.clear();
            self.tail
                .extend_from_slice(&chunk[chunk.len() - FINGERPRINT..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let excess = self.tail.len().saturating_sub(FINGERPRINT);
            self.tail.drain(..excess);
        }
    }

    /// Reads what is new into `buf` (after the carried partial line) and hands out its whole
    /// lines. `Ok(false)`: nothing to hand out.
    fn read(&mut self, buf: &mut Vec<u8>, target: usize) -> io::Result<bool> {
        buf.clear();
        buf.extend_from_slice(&self.carry);
        let mut want = target.max(buf.len() * 2);
        let mut got = false;
        loop {
            let start = buf.len();
            if start >= want {
                want = start * 2;
            }
            let window = (want - start).min(READ_WINDOW);
            buf.resize(start + window, 0);
            let n = loop {
                match self.file.read_at(&mut buf[start..], self.pos) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    other => break other,
                }
            };
            let n = match n {
                Ok(n) => n,
                Err(err) => {
                    buf.truncate(start);
                    return Err(err);
                }
            };
            buf.truncate(start + n);
            self.pos += n as u64;
            got |= n > 0;
            if n < window || (buf.len() >= want && lines::whole_len(buf).is_some()) {
                break;
            }
        }
        if !got {
            if self.finishing && !self.carry.is_empty() {
                // A rotated file that ended without a terminator and will not get one: its
                // last line is ended here, so that it does not run into the next file's first.
                buf.push(b'\n');
                self.carry.clear();
                self.note_handed(buf);
                return Ok(true);
            }
            buf.clear();
            return Ok(false);
        }
        self.last_data = Instant::now();
        match lines::whole_len(buf) {
            Some(len) => {
                self.carry.clear();
                self.carry.extend_from_slice(&buf[len..]);
                buf.truncate(len);
                if self.carry.capacity() > super::KEEP_CAPACITY {
                    self.carry.shrink_to_fit();
                }
                self.note_handed(buf);
                Ok(true)
            }
            None => {
                std::mem::swap(&mut self.carry, buf);
                buf.clear();
                Ok(false)
            }
        }
    }
}

fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    file.read_exact_at(buf, at)
}

/// Follows one path; see the module documentation.
pub struct Follower {
    path: PathBuf,
    options: FollowOptions,
    /// Rotated files, oldest first; read before the current one.
    rotated: Vec<Source>,
    current: Option<Source>,
    next_key: u64,
    pending: VecDeque<Event>,
    idle_since: Option<Instant>,
    last_idle_told: Option<Instant>,
    /// Opening the path failed for another reason than its absence (said once).
    open_failing: bool,
    notify: Box<dyn FnMut(&str) + Send>,
}

impl Follower {
    /// Starts following `path`: where the state file says, or at the start of the file. A
    /// missing file is waited for.
    pub fn open(
        path: &Path,
        options: &FollowOptions,
        mut notify: Box<dyn FnMut(&str) + Send>,
    ) -> Result<Self, Error> {
        let saved = match &options.state {
            Some(state) => load_state(state)?,
            None => Vec::new(),
        };
        let mut follower = Follower {
            path: path.to_path_buf(),
            options: options.clone(),
            rotated: Vec::new(),
            current: None,
            next_key: 0,
            pending: VecDeque::new(),
            idle_since: None,
            last_idle_told: None,
            open_failing: false,
            notify: Box::new(|_| {}),
        };
        let path_id = fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
        for entry in saved {
            let gone = |notify: &mut Box<dyn FnMut(&str) + Send>| {
                notify(&format!(
                    "{}: a file followed before (device {}, inode {}) is no longer there; \
                     lines written to it after the saved position were not read",
                    path.display(),
                    entry.dev,
                    entry.ino
                ))
            };
            let Some(file) = find_file(path, path_id, entry.dev, entry.ino) else {
                gone(&mut notify);
                continue;
            };
            let is_current = path_id == Some((entry.dev, entry.ino));
            let mut tail = vec![0; entry.fp_len];
            let intact = entry.offset >= entry.fp_len as u64
                && read_exact_at(&file, &mut tail, entry.offset - entry.fp_len as u64).is_ok()
                && fingerprint(&tail) == entry.fp;
            let key = follower.take_key();
            let source = if intact {
                Source::open(key, file, entry.offset, tail)
            } else if is_current {
                notify(&format!(
                    "{} was truncated or replaced while logscrub was stopped; reading it from \
                     its start",
                    path.display()
                ));
                Source::open(key, file, 0, Vec::new())
            } else {
                // Its inode now belongs to another file.
                gone(&mut notify);
                continue;
            };
            let mut source = source.map_err(|source| Error::Read {
                name: path.display().to_string(),
                source,
            })?;
            follower.pending.push_back(Event::Position(source.mark()));
            if is_current && follower.current.is_none() {
                follower.current = Some(source);
            } else {
                source.rotated = Some(Instant::now());
                follower.rotated.push(source);
            }
        }
        if path_id.is_none() && follower.current.is_none() {
            notify(&format!("waiting for {} to appear", path.display()));
        }
        follower.notify = notify;
        if follower.current.is_none() {
            follower.open_current();
        }
        Ok(follower)
    }

    fn take_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    /// Opens the file the path names, from its start. Returns whether it did.
    fn open_current(&mut self) -> bool {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(err) => {
                // Not there yet is expected (between rename and create); anything else is
                // said once, and retried.
                if err.kind() != io::ErrorKind::NotFound && !self.open_failing {
                    let msg = format!("cannot open {} ({err}); retrying", self.path.display());
                    (self.notify)(&msg);
                }
                self.open_failing = err.kind() != io::ErrorKind::NotFound;
                return false;
            }
        };
        self.open_failing = false;
        let key = self.take_key();
        match Source::open(key, file, 0, Vec::new()) {
            Ok(source) => {
                self.pending.push_back(Event::Position(source.mark()));
                self.current = Some(source);
                true
            }
            Err(_) => false,
        }
    }

    /// How the followed file is named in messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The next event; for [`Event::Chunk`], `buf` holds the lines (about `target` bytes, or
    /// more for a longer line).
    pub fn next(&mut self, buf: &mut Vec<u8>, target: usize) -> Result<Event, Error> {
        let target = target.max(1);
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            if signals::stop_requested() {
                return Ok(Event::Stopped);
            }
            // Truncated and written again past the position since the last look: the bytes
            // before the position tell, before anything is read from the new content.
            if changed_truncated(self) {
                continue;
            }
            let read_err = |path: &Path, source| Error::Read {
                name: path.display().to_string(),
                source,
            };
            for source in self.rotated.iter_mut().chain(self.current.as_mut()) {
                if source
                    .read(buf, target)
                    .map_err(|e| read_err(&self.path, e))?
                {
                    self.idle_since = None;
                    return Ok(Event::Chunk(source.mark()));
                }
            }
            if self.look_around() {
                continue;
            }
            // Idle: said at once, then every SAVE_EVERY, so that the position is saved.
            let now = Instant::now();
            let due = self
                .last_idle_told
                .map_or(true, |told| now.duration_since(told) >= SAVE_EVERY);
            if self.idle_since.is_none() || due {
                self.idle_since.get_or_insert(now);
                self.last_idle_told = Some(now);
                return Ok(Event::Idle);
            }
            std::thread::sleep(self.options.poll);
        }
    }

    /// Checks for rotation, truncation, a file that appeared, and rotated files done with.
    /// Returns whether anything changed (so that reading is tried again at once).
    fn look_around(&mut self) -> bool {
        let mut changed = false;
        // Rotated files idle past the linger time: a partial last line first, then closed.
        let linger = self.options.linger;
        let too_many = self.rotated.len().saturating_sub(MAX_ROTATED);
        for (n, source) in self.rotated.iter_mut().enumerate() {
            let idle = source.last_data.elapsed() >= linger
                && source.rotated.is_some_and(|at| at.elapsed() >= linger);
            if (idle || n < too_many) && !source.finishing {
                source.finishing = true;
                changed = true;
            }
        }
        let before = self.rotated.len();
        let pending = &mut self.pending;
        self.rotated.retain(|source| {
            let done = source.finishing && source.carry.is_empty();
            if done {
                pending.push_back(Event::Forget(source.key));
            }
            !done
        });
        changed |= self.rotated.len() != before;

        // Missing: moved away and not created again yet; the old file is read on meanwhile.
        if let Ok(meta) = fs::metadata(&self.path) {
            match &mut self.current {
                None => changed |= self.open_current(),
                Some(cur) if (cur.dev, cur.ino) != (meta.dev(), meta.ino()) => {
                    // Rotated: the old file is read on (first) while the new one is read too.
                    let mut old = self.current.take().expect("just matched");
                    old.rotated = Some(Instant::now());
                    self.rotated.push(old);
                    self.open_current();
                    changed = true;
                }
                Some(_) => changed |= changed_truncated(self),
            }
        }
        changed
    }
}

/// Whether the current file was truncated in place (copytruncate): it is shorter than the
/// position read, or the bytes before the position are not the ones read. If so it is read
/// again from its start.
fn changed_truncated(follower: &mut Follower) -> bool {
    let Some(cur) = &mut follower.current else {
        return false;
    };
    let shorter = cur.file.metadata().is_ok_and(|meta| meta.len() < cur.pos);
    if !shorter && cur.tail_intact() {
        return false;
    }
    let dropped = if cur.carry.is_empty() {
        ""
    } else {
        " (a partial line it ended with was dropped)"
    };
    let msg = format!(
        "{} was truncated (copytruncate?); reading it again from its start{dropped}",
        follower.path.display()
    );
    cur.pos = 0;
    cur.carry.clear();
    cur.tail.clear();
    follower.pending.push_back(Event::Position(cur.mark()));
    (follower.notify)(&msg);
    true
}

/// The file with this identity: the one the path names, or one beside it (a file rotated
/// while logscrub was stopped, `access.log.1`).
fn find_file(path: &Path, path_id: Option<(u64, u64)>, dev: u64, ino: u64) -> Option<File> {
    if path_id == Some((dev, ino)) {
        return File::open(path).ok();
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_file() && meta.dev() == dev && meta.ino() == ino {
            let file = File::open(entry.path()).ok()?;
            // Opened by name: make sure it is still that file.
            let now = file.metadata().ok()?;
            return (now.dev() == dev && now.ino() == ino).then_some(file);
        }
    }
    None
}

fn state_error(path: &Path, why: impl Into<String>) -> Error {
    Error::State {
        path: path.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidData, why.into()),
    }
}

/// Reads a state file; a missing or empty one is no state.
fn load_state(path: &Path) -> Result<Vec<Mark>, Error> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::State {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut lines = text.lines();
    if lines.next() != Some(STATE_HEADER) {
        return Err(state_error(path, "not a logscrub state file"));
    }
    let mut marks = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        let mark = (|| {
            let [dev, ino, offset, fp_len, fp] = fields.as_slice() else {
                return None;
            };
            let fp_len: usize = fp_len.parse().ok()?;
            let mut bytes = [0u8; 16];
            if fp_len > FINGERPRINT || !hex::decode_into(fp.as_bytes(), &mut bytes) {
                return None;
            }
            Some(Mark {
                key: 0,
                dev: dev.parse().ok()?,
                ino: ino.parse().ok()?,
                offset: offset.parse().ok()?,
                fp_len,
                fp: bytes,
            })
        })();
        marks.push(mark.ok_or_else(|| state_error(path, "a line is not understood"))?);
    }
    Ok(marks)
}

/// The writing side's record of where each followed file stands, saved to the state file.
pub struct StateFile {
    path: PathBuf,
    marks: BTreeMap<u64, Mark>,
    dirty: bool,
    last_save: Instant,
    /// A save failed and has not succeeded since (reported once).
    failing: bool,
}

impl StateFile {
    pub fn new(path: &Path) -> Self {
        StateFile {
            path: path.to_path_buf(),
            marks: BTreeMap::new(),
            dirty: false,
            last_save: Instant::now(),
            failing: false,
        }
    }

    /// Lines up to `mark` have been written (or a file is read from there on).
    pub fn update(&mut self, mark: Mark) {
        if self.marks.get(&mark.key) != Some(&mark) {
            self.marks.insert(mark.key, mark);
            self.dirty = true;
        }
    }

    pub fn forget(&mut self, key: u64) {
        self.dirty |= self.marks.remove(&key).is_some();
    }

    /// Saves if something changed and the last save is [`SAVE_EVERY`] old. A failure is
    /// reported once and retried on the next occasion.
    pub fn save_if_due(&mut self, out: &mut dyn Output) {
        if self.dirty && self.last_save.elapsed() >= SAVE_EVERY {
            if let Err(err) = self.save(out) {
                if !self.failing {
                    eprintln!("logscrub: {} (retrying)", crate::error::chain(&err));
                }
                self.failing = true;
            }
        }
    }

    /// Syncs the output, then writes the state atomically (temporary file, fsync, rename,
    /// fsync of the directory): the state never runs ahead of the lines on disk.
    pub fn save(&mut self, out: &mut dyn Output) -> Result<(), Error> {
        self.last_save = Instant::now();
        out.flush().map_err(|source| Error::Write { source })?;
        out.sync().map_err(|source| Error::Write { source })?;
        let mut text = format!("{STATE_HEADER}\n");
        for mark in self.marks.values() {
            let fp: String = mark.fp.iter().map(|b| format!("{b:02x}")).collect();
            text.push_str(&format!(
                "{} {} {} {} {fp}\n",
                mark.dev, mark.ino, mark.offset, mark.fp_len
            ));
        }
        let err = |source| Error::State {
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".logscrub-state-")
            .tempfile_in(dir)
            .map_err(err)?;
        temp.write_all(text.as_bytes()).map_err(err)?;
        temp.as_file().sync_all().map_err(err)?;
        temp.persist(&self.path).map_err(|e| err(e.error))?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        self.dirty = false;
        self.failing = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(follower: &mut Follower) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = Vec::new();
        loop {
            match follower.next(&mut buf, 4).unwrap() {
                Event::Chunk(_) => got.extend_from_slice(&buf),
                Event::Idle => return got,
                _ => {}
            }
        }
    }

    fn options(dir: &Path) -> FollowOptions {
        FollowOptions {
            state: Some(dir.join("state")),
            poll: Duration::from_millis(1),
            linger: Duration::from_millis(50),
        }
    }

    fn quiet() -> Box<dyn FnMut(&str) + Send> {
        Box::new(|_| {})
    }

    #[test]
    fn partial_lines_wait_and_rotation_reads_the_old_file_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, b"1\n2\npart").unwrap();
        let mut f = Follower::open(&path, &options(dir.path()), quiet()).unwrap();
        assert_eq!(all(&mut f), b"1\n2\n");
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"ial\n3\n").unwrap();
        // Rotation: renamed, a new file created; the old one still gets a line.
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        fs::write(&path, b"5\n").unwrap();
        file.write_all(b"4\n").unwrap();
        assert_eq!(all(&mut f), b"partial\n3\n4\n5\n");
        // Truncated in place and written again.
        fs::write(&path, b"6\n").unwrap();
        assert_eq!(all(&mut f), b"6\n");
    }

    #[test]
    fn state_round_trip_and_a_rotation_while_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, b"1\n2\n").unwrap();
        let opts = options(dir.path());
        let mut state = StateFile::new(opts.state.as_ref().unwrap());
        let mut f = Follower::open(&path, &opts, quiet()).unwrap();
        let mut buf = Vec::new();
        loop {
            match f.next(&mut buf, 1 << 20).unwrap() {
                Event::Chunk(mark) | Event::Position(mark) => state.update(mark),
                Event::Idle => break,
                _ => {}
            }
        }
        state.save(&mut Vec::new()).unwrap();
        drop(f);
        // While stopped: more lines, then a rotation and a new file.
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"3\n").unwrap();
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        fs::write(&path, b"4\n").unwrap();
        let mut f = Follower::open(&path, &opts, quiet()).unwrap();
        assert_eq!(all(&mut f), b"3\n4\n");
    }
}
