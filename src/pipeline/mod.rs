//! Running a [`Config`] over inputs: read chunks of lines, scrub them, write them in order.
//!
//! With one thread everything happens inline. With more, a reader thread cuts the inputs into
//! sequence-numbered chunks, a pool of workers scrubs whole chunks (each worker with its own
//! [`Scrubber`], so nothing is shared on the hot path), and the calling thread writes the results
//! back in input order. A fixed number of chunk buffers circulates between them, which bounds
//! memory whatever the input size and makes a slow writer hold the reader back.

pub mod in_place;
pub mod output;
pub mod pipes;
pub mod reader;
pub mod signals;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::config::Config;
use crate::error::Error;
use crate::format::layout::Layout;
use crate::format::Format;
use crate::scrub::Scrubber;
use crate::stats::Stats;

use self::reader::{ChunkReader, CHUNK_SIZE};

/// One input of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Standard input (no file argument, or `-`).
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl Input {
    /// How the input is named in messages.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "standard input".to_string(),
            Input::Path(path) => path.display().to_string(),
        }
    }

    /// Opens the input for reading, decompressing gzip (`access.log.2.gz`, also several
    /// concatenated members) and zstd transparently, recognised by their magic bytes.
    pub fn open(&self) -> Result<Box<dyn Read + Send>, Error> {
        self.open_counted(None)
    }

    /// [`Input::open`], reporting the bytes read from the file (before decompression) to
    /// `progress`.
    fn open_counted(&self, progress: Option<&Progress>) -> Result<Box<dyn Read + Send>, Error> {
        let mut raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(WaitingStdin(io::stdin())),
            Input::Path(path) => Box::new(File::open(path).map_err(|source| Error::Open {
                path: path.clone(),
                source,
            })?),
        };
        if let Some(progress) = progress {
            raw = Box::new(Counting {
                inner: raw,
                progress: progress.clone(),
            });
        }
        // Reads larger than this buffer go straight through it, so it costs nothing after
        // the first bytes have been looked at.
        let mut buffered = BufReader::with_capacity(64 * 1024, raw);
        let read_err = |source| Error::Read {
            name: self.name(),
            source,
        };
        let magic = loop {
            match buffered.fill_buf() {
                Ok(_) => break buffered.buffer(),
                // SIGTERM or SIGINT before the first byte arrived: an input that ended empty.
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    if signals::stop_requested() {
                        return Ok(Box::new(io::empty()));
                    }
                }
                Err(err) => return Err(read_err(err)),
            }
        };
        if magic.starts_with(&[0x1f, 0x8b]) {
            Ok(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Ok(Box::new(
                zstd::Decoder::with_buffer(buffered).map_err(read_err)?,
            ))
        } else {
            Ok(Box::new(buffered))
        }
    }
}

/// Standard input that waits when it has been handed over non-blocking (by a supervisor or a
/// shell that set `O_NONBLOCK` on a shared pipe): a read that would block waits in `poll`
/// until data or end of input is there, instead of failing.
struct WaitingStdin(io::Stdin);

impl Read for WaitingStdin {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    let mut pollfd = libc::pollfd {
                        fd: libc::STDIN_FILENO,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd for the duration of the call.
                    if unsafe { libc::poll(&mut pollfd, 1, -1) } < 0 {
                        // EINTR included: the caller checks for a stop request and retries.
                        return Err(io::Error::last_os_error());
                    }
                }
                result => return result,
            }
        }
    }
}

/// Told how many bytes were read from an input file, once per read call (not per line).
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

struct Counting {
    inner: Box<dyn Read + Send>,
    progress: Progress,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// How a run is carried out.
#[derive(Clone)]
pub struct Options {
    /// Worker threads; 1 scrubs on the calling thread. Any count gives the same output.
    pub threads: usize,
    /// Chunk size aimed for, in bytes.
    pub chunk_size: usize,
    /// Where to report reading progress, if anywhere.
    pub progress: Option<Progress>,
}

impl Default for Options {
    /// One worker per available core.
    fn default() -> Self {
        Options {
            threads: thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_size: CHUNK_SIZE,
            progress: None,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Counters over all inputs.
    pub stats: Stats,
    /// The format each input was read in, by input name, in input order (inputs that could
    /// not be opened or were empty are missing).
    pub formats: Vec<(String, Format)>,
    /// Inputs that could not be opened or read to the end.
    pub failed_inputs: usize,
}

/// Scrubs every input in turn into `out`, flushing whenever no more output is ready.
///
/// An input that cannot be opened or read is reported through `on_error` (in input order) and
/// skipped; the run goes on with the next one, as `cat` does. A failure to write ends the run.
pub fn run(
    cfg: &Config,
    inputs: &[Input],
    out: &mut dyn Write,
    options: &Options,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    if options.threads <= 1 {
        run_serial(cfg, inputs, out, options, on_error)
    } else {
        run_parallel(cfg, inputs, out, options, on_error)
    }
}

fn run_serial(
    cfg: &Config,
    inputs: &[Input],
    out: &mut dyn Write,
    options: &Options,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let mut scrubber = Scrubber::new(cfg);
    let mut chunk = Vec::new();
    let mut scrubbed = Vec::new();
    for input in inputs {
        let mut chunks = match input.open_counted(options.progress.as_ref()) {
            Ok(rdr) => ChunkReader::new(rdr, options.chunk_size),
            Err(err) => {
                summary.failed_inputs += 1;
                on_error(&err);
                continue;
            }
        };
        let mut first = true;
        loop {
            match chunks.next_chunk(&mut chunk) {
                Ok(true) => {}
                Ok(false) => break,
                Err(source) => {
                    summary.failed_inputs += 1;
                    on_error(&Error::Read {
                        name: input.name(),
                        source,
                    });
                    break;
                }
            }
            if first {
                let layout = cfg.layout_for(&chunk);
                summary.formats.push((input.name(), layout.format()));
                scrubber.set_layout(layout);
                first = false;
            }
            scrubbed.clear();
            scrubber.scrub(&chunk, &mut scrubbed);
            write_all(out, &scrubbed)?;
            flush(out)?;
        }
    }
    summary.stats = scrubber.take_stats();
    Ok(summary)
}

/// Bytes of input chunks in flight at once (as many again for their output).
const MEMORY_BUDGET: usize = 24 << 20;
/// Below this, per-chunk costs start to show.
const MIN_PARALLEL_CHUNK: usize = 64 << 10;

/// A chunk on its way back from a worker, or an input failure, in input order by `seq`.
enum Done {
    Chunk { input: Vec<u8>, output: Vec<u8> },
    Failed(Error),
}

fn run_parallel(
    cfg: &Config,
    inputs: &[Input],
    out: &mut dyn Write,
    options: &Options,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    let threads = options.threads;
    // Chunks in flight: enough to keep every worker busy while the writer catches up. Chunks
    // shrink as threads grow so that the buffers stay within about 2 × MEMORY_BUDGET.
    let in_flight = threads * 2 + 2;
    let chunk_size = options
        .chunk_size
        .min((MEMORY_BUDGET / in_flight).max(MIN_PARALLEL_CHUNK));
    let (free_tx, free_rx) = bounded::<Vec<u8>>(in_flight);
    for _ in 0..in_flight {
        free_tx
            .send(Vec::new())
            .expect("the pool has room for every buffer");
    }
    let (recycle_tx, recycle_rx) = bounded::<Vec<u8>>(in_flight);
    let (work_tx, work_rx) = bounded::<(u64, Vec<u8>, Layout)>(in_flight);
    let (done_tx, done_rx) = bounded::<(u64, Done)>(in_flight + 1);

    // Signals go to the reader alone, so that a read blocked on an idle pipe is interrupted.
    signals::block_in_this_thread();
    let reader = {
        let inputs = inputs.to_vec();
        let done_tx = done_tx.clone();
        let progress = options.progress.clone();
        let cfg = cfg.clone();
        thread::spawn(move || {
            signals::unblock_in_this_thread();
            let progress = progress.as_ref();
            read_all(
                &cfg, &inputs, chunk_size, progress, &free_rx, &work_tx, &done_tx,
            )
        })
    };
    let cfg = Arc::new(cfg.clone());
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (cfg, work_rx, done_tx) = (cfg.clone(), work_rx.clone(), done_tx.clone());
            let recycle_rx = recycle_rx.clone();
            thread::spawn(move || scrub_chunks(&cfg, &work_rx, &recycle_rx, &done_tx))
        })
        .collect();
    drop((done_tx, work_rx, recycle_rx));

    let mut summary = Summary::default();
    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    for (seq, done) in done_rx.iter() {
        pending.insert(seq, done);
        while let Some(done) = pending.remove(&next) {
            match done {
                Done::Chunk { input, output } => {
                    write_all(out, &output)?;
                    // The pools are sized for every buffer; a failed send only means the
                    // other side has finished.
                    let _ = free_tx.try_send(input);
                    let _ = recycle_tx.try_send(output);
                }
                Done::Failed(err) => {
                    summary.failed_inputs += 1;
                    on_error(&err);
                }
            }
            next += 1;
        }
        if done_rx.is_empty() {
            flush(out)?;
        }
    }
    flush(out)?;
    signals::unblock_in_this_thread();
    // Every sender is gone, so the threads have finished; joining only collects their stats.
    if let Ok(formats) = reader.join() {
        summary.formats = formats;
    }
    for worker in workers {
        if let Ok(stats) = worker.join() {
            summary.stats.merge(&stats);
        }
    }
    Ok(summary)
}

/// The reader thread: cuts every input into chunks, numbering chunks and failures in order,
/// and gives each chunk the layout in effect where it starts. Returns the format of each input.
fn read_all(
    cfg: &Config,
    inputs: &[Input],
    chunk_size: usize,
    progress: Option<&Progress>,
    free_rx: &Receiver<Vec<u8>>,
    work_tx: &Sender<(u64, Vec<u8>, Layout)>,
    done_tx: &Sender<(u64, Done)>,
) -> Vec<(String, Format)> {
    let mut formats = Vec::new();
    let mut seq = 0u64;
    // A buffer taken from the pool that an input did not fill (it ended, or failed) stays here
    // for the next input: the pool holds a fixed number of buffers and only the writer returns
    // them, so dropping one would leave the reader waiting for ever after enough inputs.
    let mut spare: Option<Vec<u8>> = None;
    for input in inputs {
        let mut layout: Option<Layout> = None;
        let mut chunks = match input.open_counted(progress) {
            Ok(rdr) => ChunkReader::new(rdr, chunk_size),
            Err(err) => {
                if done_tx.send((seq, Done::Failed(err))).is_err() {
                    return formats;
                }
                seq += 1;
                continue;
            }
        };
        loop {
            // Waiting for a free buffer is the backpressure that bounds memory.
            let mut buf = match spare.take() {
                Some(buf) => buf,
                None => match free_rx.recv() {
                    Ok(buf) => buf,
                    Err(_) => return formats,
                },
            };
            match chunks.next_chunk(&mut buf) {
                Ok(true) => {
                    let layout = layout.get_or_insert_with(|| {
                        let layout = cfg.layout_for(&buf);
                        formats.push((input.name(), layout.format()));
                        layout
                    });
                    let this_chunk = layout.clone();
                    layout.advance(&buf);
                    if work_tx.send((seq, buf, this_chunk)).is_err() {
                        return formats;
                    }
                    seq += 1;
                }
                Ok(false) => {
                    spare = Some(buf);
                    break;
                }
                Err(source) => {
                    spare = Some(buf);
                    let err = Error::Read {
                        name: input.name(),
                        source,
                    };
                    if done_tx.send((seq, Done::Failed(err))).is_err() {
                        return formats;
                    }
                    seq += 1;
                    break;
                }
            }
        }
    }
    formats
}

/// A worker thread: scrubs whole chunks with its own scrubber until the input ends.
fn scrub_chunks(
    cfg: &Config,
    work_rx: &Receiver<(u64, Vec<u8>, Layout)>,
    recycle_rx: &Receiver<Vec<u8>>,
    done_tx: &Sender<(u64, Done)>,
) -> Stats {
    let mut scrubber = Scrubber::new(cfg);
    for (seq, input, layout) in work_rx.iter() {
        scrubber.set_layout(layout);
        let mut output = recycle_rx.try_recv().unwrap_or_default();
        output.clear();
        scrubber.scrub(&input, &mut output);
        if done_tx.send((seq, Done::Chunk { input, output })).is_err() {
            break;
        }
    }
    scrubber.take_stats()
}

fn write_all(out: &mut dyn Write, data: &[u8]) -> Result<(), Error> {
    out.write_all(data)
        .map_err(|source| Error::Write { source })
}

fn flush(out: &mut dyn Write) -> Result<(), Error> {
    out.flush().map_err(|source| Error::Write { source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_and_chunk_sizes_do_not_change_output() {
        let dir = std::env::temp_dir().join(format!("logscrub-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.log");
        let mut data = Vec::new();
        for n in 0..2000u32 {
            let line = format!(
                "10.{}.{}.{} - u{n} [t] \"GET /p?sid={n}&x=1 HTTP/1.1\" 200 {n} \"-\" \"ua\"\n",
                n % 256,
                n / 7 % 256,
                n % 13
            );
            data.extend_from_slice(line.as_bytes());
        }
        data.extend_from_slice(b"no newline at the end 192.0.2.1");
        std::fs::write(&path, &data).unwrap();
        let inputs = vec![
            Input::Path(path.clone()),
            Input::Path(dir.join("missing")),
            Input::Path(path),
        ];
        let cfg = Config::default();
        let mut reference = None;
        for threads in [1, 2, 3, 8] {
            for chunk_size in [1, 100, 4096, CHUNK_SIZE] {
                let mut out = Vec::new();
                let mut errors = 0;
                let options = Options {
                    threads,
                    chunk_size,
                    progress: None,
                };
                let summary = run(&cfg, &inputs, &mut out, &options, &mut |_| errors += 1).unwrap();
                assert_eq!(errors, 1);
                assert_eq!(summary.failed_inputs, 1);
                assert_eq!(summary.stats.lines_in, 4002);
                match &reference {
                    None => reference = Some(out),
                    Some(want) => assert!(*want == out, "threads {threads} chunk {chunk_size}"),
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Runs `f` on another thread and fails the test if it has not finished within `secs`,
    /// so that a deadlock shows up as a failure instead of a CI run that never ends.
    fn within<T: Send + 'static>(
        secs: u64,
        what: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("{what} did not finish within {secs} s"))
    }

    #[test]
    fn many_inputs_of_every_kind_finish_under_every_thread_count() {
        let dir = std::env::temp_dir().join(format!("logscrub-many-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Non-empty, empty, missing and unterminated inputs in turn: every kind of input end
        // that once kept a chunk buffer from returning to the pool.
        let mut inputs = Vec::new();
        let mut want_lines = 0u64;
        for n in 0..300u32 {
            let path = dir.join(format!("in.{n}"));
            match n % 4 {
                0 => {
                    std::fs::write(
                        &path,
                        format!("192.0.2.{} - - [t] \"GET / HTTP/1.1\" 200 1\n", n % 250),
                    )
                    .unwrap();
                    want_lines += 1;
                }
                1 => std::fs::write(&path, b"").unwrap(),
                2 => {}
                _ => {
                    std::fs::write(&path, b"a\nno newline").unwrap();
                    want_lines += 2;
                }
            }
            inputs.push(Input::Path(path));
        }
        for threads in [1, 2, 3, 8] {
            let inputs = inputs.clone();
            let (lines, failed) = within(60, &format!("{threads} threads"), move || {
                let options = Options {
                    threads,
                    chunk_size: CHUNK_SIZE,
                    progress: None,
                };
                let mut out = Vec::new();
                let summary =
                    run(&Config::default(), &inputs, &mut out, &options, &mut |_| {}).unwrap();
                (summary.stats.lines_in, summary.failed_inputs)
            });
            assert_eq!(lines, want_lines, "{threads} threads");
            assert_eq!(failed, 75, "{threads} threads");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
