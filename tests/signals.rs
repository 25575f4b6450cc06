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

/// Waits (at most 20 s) until the child has `sig` in the signal mask `field` of
/// /proc/PID/status (`SigCgt`: a handler is installed; `SigIgn`: ignored), so that a signal
/// sent next meets the disposition under test, not the default one of a process still
/// starting on a loaded machine.
fn wait_until_mask(child: &Child, field: &str, sig: libc::c_int) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let bit = 1u64 << (sig - 1);
    loop {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let mask = status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .unwrap_or(0);
        if mask & bit != 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{field} never had signal {sig}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn wait_until_handled(child: &Child, sig: libc::c_int) {
    wait_until_mask(child, "SigCgt", sig);
}

/// A FIFO at `path`, so that a FILE argument can be held open and fed line by line: the
/// run is then interrupted part-way for certain, however loaded the machine.
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Opens the FIFO for writing once logscrub has opened it for reading (at most 20 s).
fn open_writer(path: &Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // O_NONBLOCK: fails with ENXIO instead of blocking while there is no reader yet.
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Ok(file) => {
                // SAFETY: clears O_NONBLOCK on a descriptor owned here.
                unsafe {
                    use std::os::fd::AsRawFd;
                    let fd = file.as_raw_fd();
                    let flags = libc::fcntl(fd, libc::F_GETFL);
                    libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
                }
                return file;
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Err(err) => panic!("logscrub never opened the FIFO: {err}"),
        }
    }
}

/// Collects a child's stream on a thread.
fn collect(mut stream: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut data = Vec::new();
        let _ = stream.read_to_end(&mut data);
        data
    })
}

/// The issue: `logscrub "$f" > "$f.clean" && mv "$f.clean" "$f"` replaced an archive with its
/// first part, because SIGTERM during a FILE exited 0. Now it is 128 + the signal, with one
/// line saying that the output is incomplete; what was read is still written.
#[test]
fn a_signal_during_a_file_exits_128_plus_the_signal_and_says_the_output_is_incomplete() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        for threads in ["1", "2"] {
            let dir = tempfile::tempdir().unwrap();
            let fifo = dir.path().join("access.log");
            mkfifo(&fifo);
            let out = dir.path().join("out.log");
            let mut child = logscrub()
                .args(["--threads", threads, "-o", out.to_str().unwrap()])
                .arg(&fifo)
                .stdin(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = collect(child.stderr.take().unwrap());
            let mut writer = open_writer(&fifo);
            writer
                .write_all(b"198.51.100.7 - - [t] \"GET / HTTP/1.1\" 200 1\n")
                .unwrap();
            let want = b"198.51.100.0 - - [t] \"GET / HTTP/1.1\" 200 1\n";
            assert_eq!(wait_for(&out, want), want, "threads {threads}");
            signal(&child, sig);
            let status = exit_code(&mut child);
            drop(writer);
            let stderr = String::from_utf8(stderr.join().unwrap()).unwrap();
            assert_eq!(status, Some(code), "threads {threads}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains("the output is incomplete")
                    && stderr.contains(&*fifo.to_string_lossy()),
                "{stderr}"
            );
            assert_eq!(
                std::fs::read(&out).unwrap(),
                want,
                "what was read is written"
            );
        }
    }
}

/// Standard input stopped is a piped logger's normal end only when it is the last input: a
/// FILE after it was never read.
#[test]
fn a_signal_during_standard_input_before_a_file_is_incomplete_too() {
    let mut child = logscrub()
        .args(["--threads", "1", "-", "fixtures/common.log"])
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"10.1.2.3 x\n").unwrap();
    stdin.flush().unwrap();
    wait_until_handled(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, libc::SIGTERM);
    assert_eq!(exit_code(&mut child), Some(143));
    drop(stdin);
    let stderr = String::from_utf8(stderr.join().unwrap()).unwrap();
    assert!(
        stderr.contains("before the end of standard input: the output is incomplete"),
        "{stderr}"
    );
    assert_eq!(stdout.join().unwrap(), b"10.1.2.0 x\n");
}

/// A second SIGTERM exits at once, with 128 + the signal, and removes the pid file.
#[test]
fn a_second_signal_exits_at_once_and_removes_the_pid_file() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("logscrub.pid");
    // Standard output is never read: once its pipe is full, logscrub waits to write, and the
    // first SIGTERM cannot end the run.
    let mut child = logscrub()
        .args(["--threads", "1", "--pid-file", pid_file.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let line = b"192.0.2.1 - - [t] \"GET / HTTP/1.1\" 200 1\n".repeat(100_000);
        let _ = stdin.write_all(&line);
        stdin
    });
    let want = format!("{}\n", child.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&pid_file).unwrap_or_default() != want {
        assert!(Instant::now() < deadline, "no pid file");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting to write"
    );
    signal(&child, libc::SIGTERM);
    assert_eq!(exit_code(&mut child), Some(143));
    assert!(!pid_file.exists(), "the pid file is removed");
    drop(child.stdout.take());
    drop(feeder.join().unwrap());
}

/// `--pid-file`: written at start with the process id, removed at a normal exit.
#[test]
fn the_pid_file_lives_as_long_as_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("run/logscrub.pid");
    std::fs::create_dir(dir.path().join("run")).unwrap();
    let out = dir.path().join("out.log");
    let mut child = logscrub()
        .args(["--pid-file", pid_file.to_str().unwrap()])
        .args(["-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let want = format!("{}\n", child.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&pid_file).unwrap_or_default() != want {
        assert!(Instant::now() < deadline, "no pid file");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The rotation recipe: move the file away, signal the process the pid file names.
    std::fs::rename(&out, dir.path().join("out.log.1")).unwrap_or(());
    let pid: i32 = want.trim().parse().unwrap();
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    // The signal reaches logscrub's handler thread asynchronously; a line that arrived before
    // the handler ran would rightly still go to the old file (as right after a real
    // `postrotate`), so give it time first: on a loaded machine this test failed by racing.
    std::thread::sleep(Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"192.0.2.9 x\n").unwrap();
    drop(stdin);
    assert_eq!(exit_code(&mut child), Some(0));
    assert!(!pid_file.exists(), "removed at exit");
    assert_eq!(std::fs::read(&out).unwrap(), b"192.0.2.0 x\n");

    let out = common::run(&["--pid-file", "/nonexistent-dir/x.pid"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write pid file"));
}

/// Standard output handed over non-blocking: logscrub waits until the reader makes room
/// (it used to stop with "Resource temporarily unavailable" after 13,617 of 200,000 lines).
#[test]
fn non_blocking_stdout_is_waited_on() {
    let lines = 200_000;
    let input = b"192.0.2.77 - - [t] \"GET /a HTTP/1.1\" 200 1\n".repeat(lines);
    let want = b"192.0.2.0 - - [t] \"GET /a HTTP/1.1\" 200 1\n".repeat(lines);
    for threads in ["1", "2"] {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array; fcntl has no memory
        // preconditions.
        unsafe {
            assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
            let flags = libc::fcntl(fds[1], libc::F_GETFL);
            assert_eq!(
                libc::fcntl(fds[1], libc::F_SETFL, flags | libc::O_NONBLOCK),
                0
            );
        }
        use std::os::fd::FromRawFd;
        // SAFETY: both descriptors are fresh and owned here alone.
        let (mut read_end, write_end) = unsafe {
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        };
        // The write end moves into the child alone, so the read end sees its exit.
        let mut child = logscrub()
            .args(["--threads", threads])
            .stdin(Stdio::piped())
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.clone();
        let feeder = std::thread::spawn(move || stdin.write_all(&data).unwrap());
        // The reader falls behind: the pipe fills before anything is read.
        std::thread::sleep(Duration::from_millis(300));
        let mut got = Vec::with_capacity(want.len());
        let mut buf = vec![0u8; 1 << 16];
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut reads = 0u64;
        loop {
            assert!(
                Instant::now() < deadline,
                "only {} bytes arrived",
                got.len()
            );
            let n = std::io::Read::read(&mut read_end, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            // Read slowly now and then, so that the writer meets a full pipe again.
            reads += 1;
            if reads % 16 == 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        feeder.join().unwrap();
        let status = exit_code(&mut child);
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status, Some(0), "threads {threads}: {stderr}");
        assert_eq!(
            got.len(),
            want.len(),
            "threads {threads}: every line written"
        );
        assert!(got == want, "threads {threads}");
    }
}

/// `logscrub check` does not die of a SIGHUP meant for a piped logger.
#[test]
fn check_ignores_sighup() {
    let mut child = logscrub()
        .args(["check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"192.0.2.0 - - [t] \"GET / HTTP/1.1\" 200 1\n")
        .unwrap();
    wait_until_mask(&child, "SigIgn", libc::SIGHUP);
    signal(&child, libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(200));
    drop(stdin);
    assert_eq!(
        exit_code(&mut child),
        Some(0),
        "a SIGHUP does not end check"
    );
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(stdout.contains("clean"), "{stdout}");
}
