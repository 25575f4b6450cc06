//! SIGTERM, SIGINT and SIGHUP for a long-running filter (piped logger, `tail -F` consumer) and
//! for batch runs that must never look finished when they were not.
//!
//! SIGTERM and SIGINT stop the reading: what has been read is scrubbed and written, the output
//! flushed. Whether that is a normal end (standard input, `--follow`: exit 0) or an interrupted
//! run (a file not read to its end: exit 128 + the signal, as a shell reports a killed
//! command) is decided by the caller from [`stop_signal`] and the run's summary. SIGHUP asks
//! for the `-o` file to be reopened (logrotate's `postrotate`), or stops like SIGTERM where
//! there is nothing to reopen ([`hangup_stops`], for `--in-place`). The handlers only set
//! flags; they are installed without `SA_RESTART`, so a read blocked on an idle pipe returns
//! `EINTR` and the reader sees the flag at once.
//!
//! A second SIGTERM or SIGINT (Ctrl-C twice) ends the process at once with 128 + the signal,
//! after removing the files registered with [`remove_on_forced_exit`] (a temporary file, the
//! pid file).

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);
/// The first signal that asked for the stop (0: none yet).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// SIGHUP stops instead of asking for a reopen.
static HUP_STOPS: AtomicBool = AtomicBool::new(false);

/// Temporary files of `--in-place` that may be registered at once: one per file being
/// rewritten concurrently.
pub const TEMP_FILES: usize = 64;

/// Paths (NUL-terminated, leaked on purpose: the handler may read them at any time) removed
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
            // The path stays leaked: the handler may be reading it right now.
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
    // Leaked: the handler may read it until the process ends; a few bytes per file.
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

extern "C" fn on_signal(signal: libc::c_int) {
    // Only atomic operations, unlink and _exit: async-signal-safe.
    let stops = match signal {
        libc::SIGHUP => HUP_STOPS.load(Ordering::Relaxed),
        // The watchdog's wake-up call: interrupting the blocked read was the point.
        libc::SIGUSR1 => return,
        _ => true,
    };
    if !stops {
        REOPEN.store(true, Ordering::Relaxed);
        return;
    }
    let _ = SIGNAL.compare_exchange(0, signal, Ordering::Relaxed, Ordering::Relaxed);
    if STOP.swap(true, Ordering::Relaxed) {
        // A second stop signal (Ctrl-C twice) ends the process at once.
        for slot in &CLEANUP {
            let path = slot.load(Ordering::SeqCst);
            if !path.is_null() {
                // SAFETY: the pointer came from CString::into_raw and is never freed.
                unsafe { libc::unlink(path) };
            }
        }
        // SAFETY: _exit is async-signal-safe and ends the process without unwinding.
        unsafe { libc::_exit(128 + signal) }
    }
}

/// Installs the handlers. Called once by the binary; a library user keeps its own.
///
/// A signal that lands just before the reader enters `read` interrupts nothing, and the reader
/// would then wait for input that may never come. So a watchdog thread (which never receives
/// these signals itself) sends SIGUSR1, a no-op wake-up, to the process every 50 ms once a stop
/// was asked for, until the process has exited.
pub fn install() {
    block_in_this_thread();
    std::thread::spawn(|| loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        if stop_requested() {
            // SAFETY: kill and getpid have no memory-safety preconditions.
            unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
        }
    });
    unblock_in_this_thread();
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGUSR1] {
        // SAFETY: the handler only performs atomic operations, unlink and _exit, which are
        // async-signal-safe; the sigaction struct is fully initialised (zeroed, then the
        // handler and an empty mask).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Blocks the handled signals in the calling thread (and the threads it spawns afterwards), so
/// that they are delivered to the one thread that reads and can be woken from its `read`.
pub fn block_in_this_thread() {
    set_mask(libc::SIG_BLOCK);
}

/// Lets the handled signals reach the calling thread again.
pub fn unblock_in_this_thread() {
    set_mask(libc::SIG_UNBLOCK);
}

fn set_mask(how: libc::c_int) {
    // SAFETY: the signal set is initialised by sigemptyset before use; pthread_sigmask only
    // changes the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGUSR1] {
            libc::sigaddset(&mut set, signal);
        }
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}
