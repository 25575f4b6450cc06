//! SIGTERM, SIGINT and SIGHUP for a long-running filter (piped logger, `tail -F` consumer).
//!
//! SIGTERM and SIGINT stop the reading: what has been read is scrubbed and written, the output
//! flushed, and logscrub exits 0. SIGHUP asks for the `-o` file to be reopened (logrotate's
//! `postrotate`). The handlers only set flags; they are installed without `SA_RESTART`, so a
//! read blocked on an idle pipe returns `EINTR` and the reader sees the flag at once.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);

/// Whether SIGTERM or SIGINT has arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Whether SIGHUP has arrived since the last call.
pub fn take_reopen() -> bool {
    REOPEN.swap(false, Ordering::Relaxed)
}

#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int) {
    // Only atomic operations and _exit: async-signal-safe.
    match signal {
        libc::SIGHUP => REOPEN.store(true, Ordering::Relaxed),
        // The watchdog's wake-up call: interrupting the blocked read was the point.
        libc::SIGUSR1 => {}
        // A second SIGTERM or SIGINT (Ctrl-C twice) ends the process at once.
        _ if STOP.swap(true, Ordering::Relaxed) => unsafe { libc::_exit(EXIT_FORCED) },
        _ => {}
    }
}

/// Exit status after a second SIGTERM or SIGINT: lines in flight may be lost.
#[cfg(unix)]
const EXIT_FORCED: libc::c_int = 2;

/// Installs the handlers. Called once by the binary; a library user keeps its own.
///
/// A signal that lands just before the reader enters `read` interrupts nothing, and the reader
/// would then wait for input that may never come. So a watchdog thread (which never receives
/// these signals itself) sends SIGUSR1, a no-op wake-up, to the process every 50 ms once a stop
/// was asked for, until the process has exited. A second SIGTERM or SIGINT exits at once.
pub fn install() {
    #[cfg(unix)]
    {
        block_in_this_thread();
        std::thread::spawn(|| loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if stop_requested() {
                // SAFETY: kill and getpid have no memory-safety preconditions.
                unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
            }
        });
        unblock_in_this_thread();
    }
    #[cfg(unix)]
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGUSR1] {
        // SAFETY: the handler only performs atomic operations and _exit, which are async-signal-safe; the
        // sigaction struct is fully initialised (zeroed, then the handler and an empty mask).
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
    set_mask(libc_how::BLOCK);
}

/// Lets the handled signals reach the calling thread again.
pub fn unblock_in_this_thread() {
    set_mask(libc_how::UNBLOCK);
}

mod libc_how {
    #[cfg(unix)]
    pub const BLOCK: libc::c_int = libc::SIG_BLOCK;
    #[cfg(unix)]
    pub const UNBLOCK: libc::c_int = libc::SIG_UNBLOCK;
    #[cfg(not(unix))]
    pub const BLOCK: i32 = 0;
    #[cfg(not(unix))]
    pub const UNBLOCK: i32 = 1;
}

#[cfg(unix)]
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

#[cfg(not(unix))]
fn set_mask(_how: i32) {}
