//! The `-o PATH` output: appended to, reopened on SIGHUP so that logrotate can move it away,
//! watched so that a file deleted or moved without SIGHUP is replaced, and patient with a
//! full disk.
//!
//! What happens under each fault is described in `docs/operations.md` ("Faults").

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::signals;
use crate::error::Error;
use crate::lines;

/// What to do when the output's file system is full (`ENOSPC`) or the quota is used up
/// (`EDQUOT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFull {
    /// Hold the lines, say so once, retry with backoff until space returns. Reading pauses
    /// meanwhile (the pipeline's buffers fill up), so the writer upstream is slowed down
    /// instead of losing lines.
    Wait,
    /// Fail the write: logscrub reports the error and exits 2.
    Exit,
}

/// An output that can be made durable, so that a position saved after it (`--state`) never
/// runs ahead of what is on disk.
pub trait Output: Write {
    /// Flushes and makes what was written durable where that means anything (a file); pipes
    /// and terminals have nothing to sync.
    fn sync(&mut self) -> io::Result<()>;
}

impl Output for Vec<u8> {
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Output for io::StdoutLock<'_> {
    fn sync(&mut self) -> io::Result<()> {
        self.flush()?;
        sync_fd(libc::STDOUT_FILENO)
    }
}

/// `fdatasync`, where the descriptor supports it (not a pipe, a terminal or /dev/null).
fn sync_fd(fd: libc::c_int) -> io::Result<()> {
    // SAFETY: fdatasync has no memory-safety preconditions; a bad descriptor is an error.
    if unsafe { libc::fdatasync(fd) } == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::EROFS) | Some(libc::ENOTSUP) => Ok(()),
        _ => Err(err),
    }
}

/// How often the path is compared with the open file, and a failed reopen retried.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// First and longest wait between retries on a full disk.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A file opened for appending (or standard output) that
///
/// - reopens itself by path after SIGHUP, before the next write; if that fails it keeps
///   writing to the file it has, says so once, and retries on the next SIGHUP and every
///   [`CHECK_EVERY`];
/// - checks, at most every [`CHECK_EVERY`] and before a write, that its path still names the
///   open file (device and inode), and reopens it when the file was deleted or moved away
///   without a SIGHUP;
/// - on a full disk either waits ([`OnFull::Wait`]) or fails ([`OnFull::Exit`]); either way a
///   line cut short by the full disk is taken back out of the file (`ftruncate`), so the file
///   only ever holds whole lines.
///
/// Writes must be whole lines (the pipeline writes whole chunks of lines), so that neither a
/// rotation nor a full disk splits a line.
pub struct ReopeningFile {
    /// `None`: standard output, never reopened.
    path: Option<PathBuf>,
    file: File,
    /// Device and inode of the open file.
    id: (u64, u64),
    on_full: OnFull,
    /// A reopen failed and has not succeeded since (reported once).
    reopen_failing: bool,
    last_check: Instant,
    notify: Box<dyn FnMut(&str) + Send>,
    /// The file opened last ends in an incomplete line (a writer killed mid-write): the next
    /// write starts with a newline, so that the torn line does not swallow the next one.
    torn: bool,
    /// Torn last lines ended that way.
    torn_lines: u64,
}

impl ReopeningFile {
    /// Opens (creating if missing) `path` for appending. On a full disk it waits.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let file = append(path)?;
        Ok(ReopeningFile {
            path: Some(path.to_path_buf()),
            id: identity(&file),
            torn: ends_torn(path, &file),
            file,
            on_full: OnFull::Wait,
            reopen_failing: false,
            last_check: Instant::now(),
            notify: Box::new(|msg| eprintln!("logscrub: {msg}")),
            torn_lines: 0,
        })
    }

    /// How many times the file opened ended in an incomplete line, which was ended with a
    /// newline before the first line written to it.
    pub fn torn_lines(&self) -> u64 {
        self.torn_lines
    }

    /// Standard output, with the full-disk handling (which matters where it is a file).
    pub fn stdout() -> Result<Self, Error> {
        use std::os::fd::AsFd;
        let fd = io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|source| Error::Write { source })?;
        let file = File::from(fd);
        Ok(ReopeningFile {
            path: None,
            id: identity(&file),
            file,
            on_full: OnFull::Wait,
            reopen_failing: false,
            last_check: Instant::now(),
            notify: Box::new(|msg| eprintln!("logscrub: {msg}")),
            torn: false,
            torn_lines: 0,
        })
    }

    /// Sets what happens on a full disk.
    pub fn on_full(mut self, on_full: OnFull) -> Self {
        self.on_full = on_full;
        self
    }

    /// Where notices go (`logscrub: …` on stderr by default). They name the file and the
    /// cause, never log content.
    pub fn notify(mut self, notify: impl FnMut(&str) + Send + 'static) -> Self {
        self.notify = Box::new(notify);
        self
    }

    fn name(&self) -> String {
        match &self.path {
            Some(path) => format!("output {}", path.display()),
            None => "standard output".to_string(),
        }
    }

    /// Reopens after SIGHUP, retries a failed reopen, and replaces a file that its path no
    /// longer names.
    fn maintain(&mut self) {
        let Some(path) = self.path.clone() else {
            return;
        };
        let hup = signals::take_reopen();
        if !hup && self.last_check.elapsed() < CHECK_EVERY {
            return;
        }
        self.last_check = Instant::now();
        if hup || self.reopen_failing {
            self.reopen(&path, false);
            return;
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta_id(&meta) == self.id => {}
            Ok(_) => self.reopen(&path, true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => self.reopen(&path, true),
            // Cannot tell (a directory without search permission): keep the file.
            Err(_) => {}
        }
    }

    fn reopen(&mut self, path: &Path, replaced: bool) {
        match append(path) {
            Ok(file) => {
                let name = self.name();
                if self.reopen_failing {
                    let msg = format!("reopened {name}; writing to it again");
                    (self.notify)(&msg);
                } else if replaced {
                    let msg = format!(
                        "{name} no longer named the file being written (deleted or moved \
                         without SIGHUP); reopened it"
                    );
                    (self.notify)(&msg);
                }
                // What went to the old file is on disk before a saved position says so.
                let _ = self.file.sync_data();
                self.id = identity(&file);
                self.torn = ends_torn(path, &file);
                self.file = file;
                self.reopen_failing = false;
            }
            Err(err) => {
                if !self.reopen_failing {
                    let cause = match &err {
                        Error::OpenOutput { source, .. } => source.to_string(),
                        other => other.to_string(),
                    };
                    let msg = format!(
                        "cannot reopen {} ({cause}); still writing to the file opened before, \
                         retrying on the next SIGHUP and every {} s",
                        self.name(),
                        CHECK_EVERY.as_secs()
                    );
                    (self.notify)(&msg);
                }
                self.reopen_failing = true;
            }
        }
    }

    /// After a full disk cut a write short: takes the incomplete last line of `written` (the
    /// bytes of this write that reached the file) back out of the file, if nobody else wrote
    /// after it. Returns how many bytes of `written` stay in the file.
    fn take_back_torn_line(&mut self, written: &[u8]) -> usize {
        let keep = lines::whole_len(written).unwrap_or(0);
        let torn = (written.len() - keep) as u64;
        if torn == 0 {
            return keep;
        }
        let Ok(end) = self.file.stream_position() else {
            return written.len();
        };
        match self.file.metadata() {
            Ok(meta) if meta.is_file() && meta.len() == end && end >= torn => {
                if self.file.set_len(end - torn).is_ok() {
                    let _ = self.file.seek(SeekFrom::Start(end - torn));
                    return keep;
                }
                written.len()
            }
            _ => written.len(),
        }
    }
}

/// Whether `file`, just opened for appending at `path`, is a regular file whose last byte is
/// not a newline. (It is read through a second descriptor: the first one is write-only.)
fn ends_torn(path: &Path, file: &File) -> bool {
    use std::os::unix::fs::FileExt;
    let Ok(meta) = file.metadata() else {
        return false;
    };
    if !meta.is_file() || meta.len() == 0 {
        return false;
    }
    let Ok(reader) = File::open(path) else {
        return false;
    };
    let same = reader
        .metadata()
        .is_ok_and(|m| meta_id(&m) == meta_id(&meta));
    let mut last = [0u8; 1];
    same && matches!(reader.read_at(&mut last, meta.len() - 1), Ok(1) if last[0] != b'\n')
}

/// Waits until `fd` can be written to (an output left non-blocking by whoever made it).
fn wait_writable(fd: libc::c_int) {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call. EINTR (a signal) and errors only
    // end the wait: the write that follows reports what is wrong.
    unsafe { libc::poll(&mut pollfd, 1, -1) };
}

fn is_full(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

fn append(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|source| Error::OpenOutput {
            path: path.to_path_buf(),
            source,
        })
}

fn identity(file: &File) -> (u64, u64) {
    file.metadata().map_or((0, 0), |meta| meta_id(&meta))
}

fn meta_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

impl Write for ReopeningFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.maintain();
        if self.torn && !buf.is_empty() {
            let msg = format!(
                "{} ended in an incomplete line (a writer stopped mid-line); starting on a new line",
                self.name()
            );
            (self.notify)(&msg);
            self.write_whole(b"\n")?;
            self.torn = false;
            self.torn_lines += 1;
        }
        self.write_whole(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl ReopeningFile {
    /// Writes all of `buf`, waiting on a full disk (under [`OnFull::Wait`]) and on an output
    /// that would block.
    fn write_whole(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut done = 0;
        let mut waiting: Option<Instant> = None;
        let mut backoff = FIRST_BACKOFF;
        while done < buf.len() {
            // A write that stops short is the point here: what reached the file is known.
            #[allow(clippy::disallowed_methods)]
            let result = self.file.write(&buf[done..]);
            match result {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // Standard output left non-blocking (O_NONBLOCK) by a supervisor or runtime
                // that made the pipe: wait until the reader has made room.
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    use std::os::fd::AsRawFd;
                    wait_writable(self.file.as_raw_fd());
                }
                Err(err) if is_full(&err) => {
                    done = self.take_back_torn_line(&buf[..done]);
                    // Only a file system frees space; a device that says it is full
                    // (/dev/full) always will.
                    let file = self.file.metadata().is_ok_and(|meta| meta.is_file());
                    if self.on_full == OnFull::Exit || !file {
                        return Err(err);
                    }
                    if waiting.is_none() {
                        let msg = format!(
                            "{} is full ({err}); holding the lines read and retrying until \
                             there is space, reading is paused meanwhile",
                            self.name()
                        );
                        (self.notify)(&msg);
                        waiting = Some(Instant::now());
                    }
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    // A SIGHUP or a file moved away (logrotate freeing space) while waiting.
                    self.maintain();
                }
                Err(err) => return Err(err),
            }
        }
        if let Some(since) = waiting {
            let msg = format!(
                "{} has space again: resumed after {:.1} s, no line lost",
                self.name(),
                since.elapsed().as_secs_f64()
            );
            (self.notify)(&msg);
        }
        Ok(buf.len())
    }
}

impl Output for ReopeningFile {
    fn sync(&mut self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        sync_fd(self.file.as_raw_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_line_is_taken_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let mut out = ReopeningFile::open(&path).unwrap();
        out.write_all(b"one\n").unwrap();
        // As if a write of "two\nthree\n" had stopped after "two\nth".
        out.file.write_all(b"two\nth").unwrap();
        assert_eq!(out.take_back_torn_line(b"two\nth"), 4);
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\n");
        out.write_all(b"three\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\nthree\n");
    }

    #[test]
    fn a_torn_last_line_left_by_an_earlier_writer_is_ended_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(&path, b"one\ntw").unwrap();
        let mut out = ReopeningFile::open(&path).unwrap().notify(|_| {});
        out.write_all(b"three\n").unwrap();
        out.write_all(b"four\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntw\nthree\nfour\n");
        assert_eq!(out.torn_lines(), 1);
        let mut again = ReopeningFile::open(&path).unwrap();
        again.write_all(b"five\n").unwrap();
        assert_eq!(again.torn_lines(), 0);
    }
}
