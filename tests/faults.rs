//! Durability under faults, injected for real into running logscrub processes: a full disk
//! (a small tmpfs filled up and freed), an output directory removed and recreated around
//! SIGHUP, an output deleted or moved without SIGHUP, a read error part-way (strace's fault
//! injection), a corrupt gzip member, rotation and truncation while following, and huge
//! lines. Every test counts sequence-numbered lines: none lost, none duplicated, none torn.
//!
//! Tests that need root (mount) or strace skip with a printed reason where those are missing.
#![cfg(target_os = "linux")]

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::logscrub;

/// How long to wait for anything: generous, since this checks behaviour, not speed, and the
/// machine may be loaded.
const PATIENCE: Duration = Duration::from_secs(20);

fn line(seq: u64) -> String {
    format!(
        "192.0.2.{} - - [10/Oct/2023:13:55:37 +0200] \"GET /item/{seq:08} HTTP/1.1\" 200 5 \"-\" \"ua\"\n",
        seq % 250 + 1
    )
}

fn scrubbed(seq: u64) -> String {
    format!(
        "192.0.2.0 - - [10/Oct/2023:13:55:37 +0200] \"GET /item/{seq:08} HTTP/1.1\" 200 5 \"-\" \"ua\"\n"
    )
}

fn lines(range: Range<u64>) -> Vec<u8> {
    range.flat_map(|seq| line(seq).into_bytes()).collect()
}

/// The sequence numbers of scrubbed lines, in order; fails on a torn or foreign line.
fn seqs(data: &[u8]) -> Vec<u64> {
    if data.is_empty() {
        return Vec::new();
    }
    assert_eq!(data.last(), Some(&b'\n'), "the output ends in a torn line");
    data[..data.len() - 1]
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(n, text)| {
            let text = String::from_utf8_lossy(text);
            let seq = text
                .split("/item/")
                .nth(1)
                .and_then(|rest| rest.get(..8))
                .and_then(|digits| digits.parse().ok())
                .unwrap_or_else(|| panic!("line {n} is torn or foreign: {text:?}"));
            assert_eq!(format!("{text}\n"), scrubbed(seq), "line {n} is torn");
            seq
        })
        .collect()
}

/// Asserts that `got` holds every number of `want` exactly once.
fn assert_exactly(mut got: Vec<u64>, want: Range<u64>, what: &str) {
    got.sort_unstable();
    let before = got.len();
    got.dedup();
    let duplicated = before - got.len();
    let foreign = got.iter().filter(|seq| !want.contains(seq)).count();
    let lost = want
        .clone()
        .filter(|seq| got.binary_search(seq).is_err())
        .count();
    assert!(
        lost == 0 && duplicated == 0 && foreign == 0,
        "{what}: {lost} lost, {duplicated} duplicated, {foreign} unexpected of {} lines",
        want.end - want.start
    );
}

fn count_lines(path: &Path) -> usize {
    fs::read(path).map_or(0, |data| memchr_count(&data))
}

fn memchr_count(data: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', data).count()
}

/// Everything in a file, also one that was deleted meanwhile.
fn read_held(file: &File) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = file.read_at(&mut buf, data.len() as u64).unwrap();
        if n == 0 {
            return data;
        }
        data.extend_from_slice(&buf[..n]);
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// A running logscrub whose stderr goes to a file (read while it runs), killed if a test
/// fails half-way.
struct Proc {
    child: Child,
    stderr: PathBuf,
    stdin: Option<ChildStdin>,
    _dir: tempfile::TempDir,
}

fn spawn(args: &[&str], stdin: Stdio, stdout: Stdio) -> Proc {
    // Not on a tmpfs that a test fills up: the messages must get through.
    let dir = tempfile::tempdir().unwrap();
    let stderr = dir.path().join("stderr");
    let mut child = logscrub()
        .args(args)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    Proc {
        stdin: child.stdin.take(),
        child,
        stderr,
        _dir: dir,
    }
}

impl Proc {
    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, sig) },
            0
        );
        // Time for the handler to run before the next line arrives.
        thread::sleep(Duration::from_millis(50));
    }

    fn send(&mut self, data: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(data).unwrap();
        stdin.flush().unwrap();
    }

    /// The exit status, waiting at most 30 s.
    fn wait(&mut self) -> Option<i32> {
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "logscrub did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn rss_mib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status");
        kib / 1024
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small tmpfs, unmounted when dropped; `None` (with the reason printed) where mounting is
/// not allowed.
struct Tmpfs {
    dir: tempfile::TempDir,
}

fn tmpfs(size: &str) -> Option<Tmpfs> {
    let dir = tempfile::tempdir().unwrap();
    let result = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir.path())
        .output();
    match result {
        Ok(out) if out.status.success() => Some(Tmpfs { dir }),
        Ok(out) => {
            eprintln!(
                "skipping: cannot mount a tmpfs (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            None
        }
        Err(err) => {
            eprintln!("skipping: cannot run mount: {err}");
            None
        }
    }
}

impl Tmpfs {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the file system `path` is on, up to the last page.
fn fill(path: &Path) {
    let mut file = File::create(path).unwrap();
    let block = vec![0u8; 64 << 10];
    loop {
        if let Err(err) = file.write_all(&block) {
            assert_eq!(err.raw_os_error(), Some(libc::ENOSPC), "filling: {err}");
            return;
        }
    }
}

/// Writes `data` to logscrub's stdin on a thread, counting what got through, then closes it.
fn feed(mut stdin: ChildStdin, data: Vec<u8>, sent: Arc<AtomicU64>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for piece in data.chunks(64 << 10) {
            if stdin.write_all(piece).is_err() {
                return;
            }
            sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
        }
    })
}

#[test]
fn a_full_disk_holds_the_lines_and_resumes_without_loss() {
    // -o on one thread; standard output redirected to a file with --on-full wait on two.
    for (threads, to_stdout) in [("1", false), ("2", true)] {
        let Some(fs) = tmpfs("24m") else {
            return;
        };
        let out = fs.path().join("out.log");
        let out_arg = out.to_str().unwrap();
        let (args, stdout) = if to_stdout {
            let file = File::create(&out).unwrap();
            (vec!["--threads", threads, "--on-full", "wait"], file.into())
        } else {
            (vec!["--threads", threads, "-o", out_arg], Stdio::null())
        };
        let mut p = spawn(&args, Stdio::piped(), stdout);
        p.send(&lines(0..1000));
        wait_until("the first lines", || count_lines(&out) == 1000);

        fill(&fs.path().join("filler"));
        let total = 200_000;
        let data = lines(1000..total);
        let size = data.len() as u64;
        let sent = Arc::new(AtomicU64::new(0));
        let feeder = feed(p.stdin.take().unwrap(), data, sent.clone());
        wait_until("the notice that it waits", || {
            p.stderr().contains("is full")
        });
        thread::sleep(Duration::from_millis(500));
        // Backpressure: logscrub stopped reading, so the writer upstream is held back.
        assert!(
            sent.load(Ordering::SeqCst) < size,
            "threads {threads}: all input was taken while the disk was full"
        );
        // Meanwhile the file holds whole lines only.
        let held = seqs(&fs::read(&out).unwrap());
        assert!(held.len() >= 1000, "threads {threads}");

        fs::remove_file(fs.path().join("filler")).unwrap();
        feeder.join().unwrap();
        assert_eq!(p.wait(), Some(0), "threads {threads}: {}", p.stderr());
        let what = format!("full disk, threads {threads}, stdout {to_stdout}");
        assert_exactly(seqs(&fs::read(&out).unwrap()), 0..total, &what);
        let err = p.stderr();
        assert_eq!(err.matches("is full").count(), 1, "{what}: {err}");
        assert_eq!(err.matches("has space again").count(), 1, "{what}: {err}");
    }
}

#[test]
fn a_full_disk_with_on_full_exit_fails_with_whole_lines_only() {
    // --on-full exit on -o; standard output's default is exit too.
    for to_stdout in [false, true] {
        let Some(fs) = tmpfs("4m") else {
            return;
        };
        let out = fs.path().join("out.log");
        let out_arg = out.to_str().unwrap();
        let (args, stdout) = if to_stdout {
            (vec!["--threads", "2"], File::create(&out).unwrap().into())
        } else {
            (
                vec!["--threads", "2", "--on-full", "exit", "-o", out_arg],
                Stdio::null(),
            )
        };
        let mut p = spawn(&args, Stdio::piped(), stdout);
        p.send(&lines(0..1000));
        wait_until("the first lines", || count_lines(&out) == 1000);
        fill(&fs.path().join("filler"));
        let feeder = feed(
            p.stdin.take().unwrap(),
            lines(1000..50_000),
            Arc::new(AtomicU64::new(0)),
        );
        assert_eq!(p.wait(), Some(2), "stdout {to_stdout}");
        feeder.join().unwrap();
        let got = seqs(&fs::read(&out).unwrap());
        let n = got.len() as u64;
        assert_exactly(got, 0..n, "what was written before the full disk");
        assert!(p.stderr().contains("cannot write output"), "{}", p.stderr());
    }
}

#[test]
fn a_failed_reopen_keeps_writing_to_the_old_file_and_retries() {
    for threads in ["1", "2"] {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        let log = dir.join("access.log");
        let mut p = spawn(
            &["--threads", threads, "-o", log.to_str().unwrap()],
            Stdio::piped(),
            Stdio::null(),
        );
        p.send(&lines(0..1000));
        wait_until("the first lines", || count_lines(&log) == 1000);

        // The directory moved away: the reopen fails, lines go on into the old file.
        let moved = root.path().join("logs.old");
        fs::rename(&dir, &moved).unwrap();
        let old = moved.join("access.log");
        p.signal(libc::SIGHUP);
        p.send(&lines(1000..2000));
        wait_until("lines in the old file", || count_lines(&old) == 2000);
        p.signal(libc::SIGHUP);
        p.send(&lines(2000..2100));
        wait_until("lines in the old file", || count_lines(&old) == 2100);
        assert_eq!(p.stderr().matches("cannot reopen").count(), 1, "said once");

        // Recreated: the periodic retry finds it without a SIGHUP.
        fs::create_dir(&dir).unwrap();
        let mut seq = 2100;
        wait_until("the retried reopen", || {
            p.send(&lines(seq..seq + 1));
            seq += 1;
            count_lines(&log) > 0
        });
        p.send(&lines(seq..3000));
        wait_until("all lines", || {
            count_lines(&old) + count_lines(&log) == 3000
        });

        // Removed with its file (kept readable here), SIGHUP fails, recreated, SIGHUP.
        let second = File::open(&log).unwrap();
        let held = |file: &File| memchr_count(&read_held(file));
        // Counted before any more lines go in: all 3,000 so far are written.
        let before = held(&second);
        fs::remove_dir_all(&dir).unwrap();
        p.signal(libc::SIGHUP);
        p.send(&lines(3000..3500));
        wait_until("lines in the removed file", || {
            held(&second) == before + 500
        });
        fs::create_dir(&dir).unwrap();
        p.signal(libc::SIGHUP);
        p.send(&lines(3500..4000));
        wait_until("lines in the new file", || count_lines(&log) == 500);
        assert_eq!(p.wait(), Some(0), "threads {threads}");

        let all = [
            fs::read(&old).unwrap(),
            read_held(&second),
            fs::read(&log).unwrap(),
        ];
        let got = all.iter().flat_map(|data| seqs(data)).collect();
        assert_exactly(got, 0..4000, &format!("failed reopens, threads {threads}"));
        let err = p.stderr();
        assert_eq!(err.matches("cannot reopen").count(), 2, "{err}");
        assert_eq!(err.matches("reopened output").count(), 2, "{err}");
    }
}

#[test]
fn an_output_deleted_or_moved_without_sighup_is_replaced() {
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let mut p = spawn(
            &["--threads", threads, "-o", log.to_str().unwrap()],
            Stdio::piped(),
            Stdio::null(),
        );
        p.send(&lines(0..500));
        wait_until("the first lines", || count_lines(&log) == 500);
        let mut seq = 500;

        // Moved away: lines go on into it until the path check notices.
        let moved = dir.path().join("out.log.1");
        fs::rename(&log, &moved).unwrap();
        wait_until("a new file at the path", || {
            p.send(&lines(seq..seq + 1));
            seq += 1;
            count_lines(&log) > 0
        });
        // Deleted: the test keeps it readable to count what went into it.
        let deleted = File::open(&log).unwrap();
        fs::remove_file(&log).unwrap();
        wait_until("a new file at the path", || {
            p.send(&lines(seq..seq + 1));
            seq += 1;
            count_lines(&log) > 0
        });
        p.send(&lines(seq..seq + 100));
        seq += 100;
        assert_eq!(p.wait(), Some(0), "threads {threads}");
        let all = [
            fs::read(&moved).unwrap(),
            read_held(&deleted),
            fs::read(&log).unwrap(),
        ];
        let got = all.iter().flat_map(|data| seqs(data)).collect();
        assert_exactly(got, 0..seq, &format!("replaced output, threads {threads}"));
        let err = p.stderr();
        assert_eq!(err.matches("no longer named").count(), 2, "{err}");
    }
}

#[test]
fn a_read_error_part_way_keeps_every_complete_line_read_before_it() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("skipping: strace is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.log");
    let data = lines(0..20_000);
    fs::write(&input, &data).unwrap();
    for threads in ["1", "2"] {
        let trace = dir.path().join(format!("trace.{threads}"));
        let out = Command::new("strace")
            .arg("-f")
            .arg("-o")
            .arg(&trace)
            .arg("-P")
            .arg(&input)
            .args(["-e", "trace=read", "-e", "inject=read:error=EIO:when=5"])
            .arg(env!("CARGO_BIN_EXE_logscrub"))
            .args(["--threads", threads])
            .arg(&input)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let Ok(trace) = fs::read_to_string(&trace) else {
            eprintln!("skipping: strace could not trace ({})", err.trim());
            return;
        };
        if !trace.contains("INJECTED") {
            eprintln!("skipping: strace did not inject the error ({})", err.trim());
            return;
        }
        // What the four reads before the failing one returned.
        let mut read = 0usize;
        for line in trace.lines() {
            if line.contains("INJECTED") {
                break;
            }
            if let Some((_, n)) = line.rsplit_once(") = ") {
                read += n.trim().parse::<usize>().unwrap_or(0);
            }
        }
        let complete = memchr_count(&data[..read]) as u64;
        assert!(complete > 5000, "{read} bytes read before the error");
        assert_eq!(out.status.code(), Some(2), "threads {threads}: {err}");
        assert!(err.contains("cannot read"), "{err}");
        let what = format!("read error, threads {threads}");
        assert_exactly(seqs(&out.stdout), 0..complete, &what);
    }
}

#[test]
fn a_corrupt_gzip_member_keeps_every_line_decoded_before_the_damage() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&lines(0..5000)).unwrap();
    enc.flush().unwrap(); // a sync flush: the next deflate block starts on a byte boundary
    let at = enc.get_ref().len();
    enc.write_all(&lines(5000..10_000)).unwrap();
    let mut gz = enc.finish().unwrap();
    gz[at] = 0xff; // a block of the reserved type: corrupt, not truncated
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log.2.gz");
    fs::write(&path, &gz).unwrap();
    for threads in ["1", "2"] {
        let out = logscrub()
            .args(["--threads", threads])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
        let what = format!("corrupt gzip, threads {threads}");
        assert_exactly(seqs(&out.stdout), 0..5000, &what);
    }
    // zcat writes its output in 32 KiB windows and drops the last one at the damage.
    match Command::new("zcat").arg(&path).output() {
        Ok(zcat) => {
            let whole = zcat.stdout.split(|&b| b == b'\n').count() - 1;
            eprintln!("zcat: {whole} complete lines, logscrub: 5000");
            assert!(whole <= 5000);
        }
        Err(err) => eprintln!("not compared with zcat: {err}"),
    }
}

/// Appends to a log as a web server does.
fn appender(path: &Path) -> File {
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap()
}

#[test]
fn follow_reads_a_rotated_file_to_its_end_and_resumes_from_its_state() {
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        let (state, out) = (dir.path().join("state"), dir.path().join("out.log"));
        let args = [
            "--threads",
            threads,
            "-F",
            log.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        let mut first = appender(&log);
        first.write_all(&lines(0..1000)).unwrap();
        let mut p = spawn(&args, Stdio::null(), Stdio::null());
        wait_until("the lines there", || count_lines(&out) == 1000);

        // Rotation: renamed and created again, while the writer still writes into the old
        // file for a while (as Apache does until its graceful restart is done).
        first.write_all(&lines(1000..1500)).unwrap();
        fs::rename(&log, dir.path().join("access.log.1")).unwrap();
        first.write_all(&lines(1500..1600)).unwrap();
        let mut second = appender(&log);
        second.write_all(&lines(1600..3000)).unwrap();
        first.write_all(&lines(3000..3050)).unwrap();
        wait_until("lines of both files", || count_lines(&out) == 3050);

        // SIGTERM with half a line read: the line is left for the next run.
        let split = line(3050).into_bytes();
        second.write_all(&split[..20]).unwrap();
        thread::sleep(Duration::from_millis(500));
        p.signal(libc::SIGTERM);
        assert_eq!(p.wait(), Some(0), "threads {threads}: {}", p.stderr());
        assert!(state.exists());

        // While stopped: the line is completed, more lines, another rotation.
        second.write_all(&split[20..]).unwrap();
        second.write_all(&lines(3051..3100)).unwrap();
        fs::rename(
            dir.path().join("access.log.1"),
            dir.path().join("access.log.2"),
        )
        .unwrap();
        fs::rename(&log, dir.path().join("access.log.1")).unwrap();
        appender(&log).write_all(&lines(3100..3200)).unwrap();
        second.write_all(&lines(3200..3210)).unwrap();

        let mut p = spawn(&args, Stdio::null(), Stdio::null());
        wait_until("the lines since", || count_lines(&out) >= 3210);
        p.signal(libc::SIGTERM);
        assert_eq!(p.wait(), Some(0), "threads {threads}: {}", p.stderr());
        let what = format!("follow across rotations and a restart, threads {threads}");
        assert_exactly(seqs(&fs::read(&out).unwrap()), 0..3210, &what);
    }
}

#[test]
fn follow_survives_copytruncate() {
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        let out = dir.path().join("out.log");
        let mut writer = appender(&log);
        writer.write_all(&lines(0..1000)).unwrap();
        let args = [
            "--threads",
            threads,
            "-F",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        let mut p = spawn(&args, Stdio::null(), Stdio::null());
        wait_until("the lines there", || count_lines(&out) == 1000);

        // copytruncate: copied, then truncated in place; the writer appends from the start.
        fs::copy(&log, dir.path().join("access.log.1")).unwrap();
        writer.set_len(0).unwrap();
        writer.write_all(&lines(1000..1100)).unwrap();
        wait_until("the lines after the truncation", || {
            count_lines(&out) == 1100
        });
        // Again, with more written at once than the file held before.
        writer.set_len(0).unwrap();
        writer.write_all(&lines(1100..3000)).unwrap();
        wait_until("the lines after the second truncation", || {
            count_lines(&out) >= 3000
        });
        p.signal(libc::SIGTERM);
        assert_eq!(p.wait(), Some(0), "threads {threads}: {}", p.stderr());
        let what = format!("copytruncate, threads {threads}");
        assert_exactly(seqs(&fs::read(&out).unwrap()), 0..3000, &what);
        assert_eq!(p.stderr().matches("truncated").count(), 2, "{}", p.stderr());
    }
}

/// Three 64 MiB lines once left the process at hundreds of megabytes for the rest of its
/// life; the buffers that grew for them are given back once they are written.
fn memory_after_huge_lines(threads: &str) {
    let mut p = spawn(
        &["-f", "json", "--threads", threads],
        Stdio::piped(),
        Stdio::piped(),
    );
    let mut stdout = p.child.stdout.take().unwrap();
    let counted = Arc::new(AtomicU64::new(0));
    let counter = {
        let counted = counted.clone();
        thread::spawn(move || {
            let mut buf = vec![0; 1 << 20];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let lines = memchr::memchr_iter(b'\n', &buf[..n]).count();
                counted.fetch_add(lines as u64, Ordering::SeqCst);
            }
        })
    };
    let small = |from: u64| -> Vec<u8> {
        (from..from + 2000)
            .flat_map(|n| {
                format!(
                    "{{\"remote_addr\":\"192.0.2.{}\",\"n\":{n}}}\n",
                    n % 250 + 1
                )
                .into_bytes()
            })
            .collect()
    };
    p.send(&small(0));
    wait_until("the first lines", || counted.load(Ordering::SeqCst) == 2000);
    thread::sleep(Duration::from_millis(200));
    let steady = p.rss_mib();
    // A number, written back whole (the output buffers grow too), and two cookies, replaced
    // (cheap to scrub in a debug build).
    let mut number = b"{\"n\":".to_vec();
    number.resize(64 << 20, b'1');
    number.extend_from_slice(b"}\n");
    p.send(&number);
    drop(number);
    let mut cookie = b"{\"cookie\":\"".to_vec();
    cookie.resize(64 << 20, b'a');
    cookie.extend_from_slice(b"\"}\n");
    p.send(&cookie);
    p.send(&cookie);
    drop(cookie);
    p.send(&small(10_000));
    wait_until("every line", || counted.load(Ordering::SeqCst) == 4003);
    thread::sleep(Duration::from_millis(300));
    let after = p.rss_mib();
    assert_eq!(p.wait(), Some(0));
    counter.join().unwrap();
    eprintln!("threads {threads}: RSS {steady} MiB before the huge lines, {after} MiB after");
    assert!(
        after <= steady + 32,
        "threads {threads}: RSS {steady} MiB before three 64 MiB lines, {after} MiB after"
    );
}

#[test]
fn memory_returns_to_its_steady_size_after_huge_lines_on_one_thread() {
    memory_after_huge_lines("1");
}

#[test]
fn memory_returns_to_its_steady_size_after_huge_lines_with_workers() {
    memory_after_huge_lines("2");
}
