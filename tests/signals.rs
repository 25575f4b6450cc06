//! Running as a long-lived filter: SIGHUP reopens `-o`, SIGTERM and SIGINT flush and exit 0.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::logscrub;

/// Waits (generously: this checks behaviour, not speed) until `path` holds `want`.
fn wait_for(path: &Path, want: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = std::fs::read(path).unwrap_or_default();
        if got == want || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

/// Waits for the child to exit, killing it (and failing) if it has not after 30 s, so that a
/// regression cannot hang CI.
fn exit_code(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("logscrub did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn spawn(out: &Path, threads: &str) -> Child {
    logscrub()
        .args(["--threads", threads, "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn sighup_reopens_the_output_and_sigterm_flushes_and_exits_zero() {
    for threads in ["1", "2"] {
        let dir =
            std::env::temp_dir().join(format!("logscrub-sig-{}-{threads}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("access.log");
        let rotated = dir.join("access.log.1");
        let mut child = spawn(&log, threads);
        let mut stdin = child.stdin.take().unwrap();

        stdin
            .write_all(b"198.51.100.1 - - [t] \"GET / HTTP/1.1\" 200 1\n")
            .unwrap();
        stdin.flush().unwrap();
        let first = b"198.51.100.0 - - [t] \"GET / HTTP/1.1\" 200 1\n".to_vec();
        assert_eq!(wait_for(&log, &first), first);

        // logrotate: move the file away, then SIGHUP.
        std::fs::rename(&log, &rotated).unwrap();
        signal(&child, libc::SIGHUP);
        std::thread::sleep(Duration::from_millis(50));
        stdin
            .write_all(b"198.51.100.2 - - [t] \"GET / HTTP/1.1\" 200 1\n")
            .unwrap();
        stdin.flush().unwrap();
        let second = b"198.51.100.0 - - [t] \"GET / HTTP/1.1\" 200 1\n".to_vec();
        assert_eq!(wait_for(&log, &second), second, "threads {threads}");
        assert_eq!(std::fs::read(&rotated).unwrap(), first);

        // An unterminated line is read but not yet written; SIGTERM flushes it and exits 0,
        // while the writer (like Apache) still holds the pipe open.
        stdin.write_all(b"partial 203.0.113.9").unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        signal(&child, libc::SIGTERM);
        assert_eq!(exit_code(&mut child), Some(0), "threads {threads}");
        let all = std::fs::read(&log).unwrap();
        assert_eq!(
            all,
            [second, b"partial 203.0.113.0".to_vec()].concat(),
            "threads {threads}"
        );
        drop(stdin);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn sigint_also_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("logscrub-int-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("out.log");
    let mut child = spawn(&log, "2");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"10.1.2.3 x\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(wait_for(&log, b"10.1.2.0 x\n"), b"10.1.2.0 x\n");
    signal(&child, libc::SIGINT);
    assert_eq!(exit_code(&mut child), Some(0));
    drop(stdin);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A logscrub that has read nothing yet (an idle piped logger, a service stopped before its
/// first line) stops cleanly too; found by stopping an idle systemd service.
#[test]
fn sigterm_before_any_input_exits_zero() {
    for threads in ["1", "2"] {
        let dir =
            std::env::temp_dir().join(format!("logscrub-idle-{}-{threads}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("out.log");
        let mut child = spawn(&log, threads);
        let stdin = child.stdin.take().unwrap();
        // Time to install the handlers and block in the first read.
        std::thread::sleep(Duration::from_millis(300));
        signal(&child, libc::SIGTERM);
        assert_eq!(exit_code(&mut child), Some(0), "threads {threads}");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(stderr, "", "threads {threads}");
        drop(stdin);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Standard input handed over non-blocking (`O_NONBLOCK` set by whoever made the pipe) is
/// waited on, not an error.
#[test]
fn non_blocking_stdin_is_waited_on() {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array; fcntl has no memory preconditions.
    // Close-on-exec, so that the child holds only the read end and sees the end of input.
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        let flags = libc::fcntl(fds[0], libc::F_GETFL);
        assert_eq!(
            libc::fcntl(fds[0], libc::F_SETFL, flags | libc::O_NONBLOCK),
            0
        );
    }
    use std::os::fd::FromRawFd;
    // SAFETY: both descriptors are fresh and owned here alone.
    let (read_end, write_end) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    let child = logscrub()
        .args(["--threads", "1"])
        .stdin(Stdio::from(read_end))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut writer = write_end;
    writer.write_all(b"192.0.2.77 x\n").unwrap();
    drop(writer);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"192.0.2.0 x\n");
}
