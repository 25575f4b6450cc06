//! SIGTERM, SIGINT and SIGHUP for a long-running filter (piped logger, `tail -F` consumer) and
//! for batch runs that must never look finished when they were not.
//!
//! SIGTERM and SIGINT stop the reading: what has been read is scrubbed and written, the output
//! flushed. Whether that is a normal end (standard input, `--follow`: exit 0) or an interrupted
//! run (a file not read to its end: exit 128 + the signal, as a shell reports a killed
//! command) is decided by the caller from [`stop_signal`] and the run's summary. SIGHUP asks
//! for the `-o` file to be reopened (logrotate's `postrotate`), or stops like SIGTERM where
//! there is nothing to reopen ([`hangup_stops`], for `--in-place`).
//!
//! signal-hook catches the signals and hands them to one thread of ours ([`install`]), which
//! sets the flags the pipeline reads. Its handlers restart interrupted system calls
//! (`SA_RESTART`), so a stop cannot rely on interrupting a blocked `read`: instead every read of
//! an input that may block first waits in `poll` for data or for the stop, which makes
//! [`wake_fd`] readable for good ([`super::Input::open`]).
//!
//! A second SIGTERM or SIGINT (Ctrl-C twice) ends the process at once with 128 + the signal,
//! after removing the files registered with [`remove_on_forced_exit`] (temporary files, the
//! pid file).

use std::io;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);
/// The first signal that asked for the stop (0: none yet).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// SIGHUP stops instead of asking for a reopen.
static HUP_STOPS: AtomicBool = AtomicBool::new(false);
/// The read end of a pipe that becomes readable, and stays so, when a stop is asked for (-1:
/// no handlers installed, nothing to wait for).
static WAKE: AtomicI32 = AtomicI32::new(-1);

/// Temporary files of `--in-place` that may be registered at once: one per file being
/// rewritten concurrently.
pub const TEMP_FILES: usize = 64;

/// Paths (NUL-terminated, leaked on purpose: the signal thread may read them at any time) removed
/// before a forced exit: the pid file in slot 0, temporary files in the others.
static CLEANUP: [AtomicPtr<libc::c_char>; 1 + TEMP_FILES] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; 1 + TEMP_FILES];

/// What a registered path is.
#[derive(Clone, Copy, Debug)]
pub enum Cleanup {
    /// The temporary file of an `--in-place` rewrite; up to [`TEMP_FILES`] at once.
    TempFile,
    /// The `--pid-file`; one.
    PidFile,
}

/// A path that a forced exit removes until this is dropped. Normal ends remove their files
/// themselves.
#[derive(Debug)]
pub struct Registered(Option<usize>);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(slot) = self.0 {
            // The path stays leaked: the signal thread may be reading it right now.
            CLEANUP[slot].store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

/// Whether SIGTERM or SIGINT (or SIGHUP under [`hangup_stops`]) has arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The signal that asked for the stop, if one did.
pub fn stop_signal() -> Option<i32> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        signal => Some(signal),
    }
}

/// The exit status of a run that a stop signal cut short: 128 + the signal (SIGTERM if none
/// was recorded), as a shell reports a command killed by it.
pub fn interrupted_status() -> u8 {
    u8::try_from(128 + stop_signal().unwrap_or(libc::SIGTERM)).unwrap_or(u8::MAX)
}

/// The name of a stop signal, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// Whether SIGHUP has arrived since the last call.
pub fn take_reopen() -> bool {
    REOPEN.swap(false, Ordering::Relaxed)
}

/// Makes SIGHUP stop the run like SIGTERM, for runs with nothing to reopen (`--in-place`): a
/// hangup of the terminal or session they were started from ends them cleanly.
pub fn hangup_stops() {
    HUP_STOPS.store(true, Ordering::Relaxed);
}

/// Ignores SIGHUP, for commands that neither reopen nor stop on it (`check`, `keygen`): a
/// `kill -HUP` meant for a piped logger, or a closed terminal, does not end them.
pub fn ignore_hangup() {
    // SAFETY: setting a disposition to SIG_IGN has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
}

/// Registers `path` to be removed if a second signal forces an exit, until the returned
/// value is dropped. A path that cannot be registered (a NUL in it, more than [`TEMP_FILES`]
/// temporary files at once) is left where it is by a forced exit.
pub fn remove_on_forced_exit(kind: Cleanup, path: &std::path::Path) -> Registered {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Registered(None);
    };
    // Leaked: the signal thread may read it until the process ends; a few bytes per file.
    let path = path.into_raw();
    let slots = match kind {
        Cleanup::PidFile => 0..1,
        Cleanup::TempFile => 1..CLEANUP.len(),
    };
    let null = std::ptr::null_mut();
    let taken = slots.into_iter().find(|&slot| {
        CLEANUP[slot]
            .compare_exchange(null, path, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    });
    Registered(taken)
}

/// A descriptor that becomes readable once a stop has been asked for, for reads to wait on
/// beside their input; `None` without [`install`] (a library user, `check`).
pub fn wake_fd() -> Option<std::os::fd::RawFd> {
    match WAKE.load(Ordering::Relaxed) {
        -1 => None,
        fd => Some(fd),
    }
}

/// Installs the handlers (signal-hook's) and the thread that acts on the signals. Called once
/// by the binary; a library user keeps its own.
pub fn install() -> io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let [wake_read, wake_write] = fds;
    WAKE.store(wake_read, Ordering::Relaxed);
    std::thread::Builder::new()
        .name("logscrub-signals".to_string())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal, wake_write);
            }
        })?;
    Ok(())
}

fn on_signal(signal: libc::c_int, wake_write: libc::c_int) {
    if signal == SIGHUP && !HUP_STOPS.load(Ordering::Relaxed) {
        REOPEN.store(true, Ordering::Relaxed);
        return;
    }
    let _ = SIGNAL.compare_exchange(0, signal, Ordering::Relaxed, Ordering::Relaxed);
    if STOP.swap(true, Ordering::SeqCst) {
        // A second stop signal (Ctrl-C twice) ends the process at once.
        for slot in &CLEANUP {
            let path = slot.load(Ordering::SeqCst);
            if !path.is_null() {
                // SAFETY: the pointer came from CString::into_raw and is never freed.
                unsafe { libc::unlink(path) };
            }
        }
        // SAFETY: _exit ends the process without unwinding or running destructors, which
        // is the point: the work in flight is abandoned.
        unsafe { libc::_exit(128 + signal) }
    }
    // Never drained: every reader waiting now or later sees it.
    // SAFETY: one valid byte from a live buffer.
    unsafe { libc::write(wake_write, b"x".as_ptr().cast(), 1) };
}
