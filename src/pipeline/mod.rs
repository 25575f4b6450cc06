//! Running a [`Config`] over inputs: read chunks of lines, scrub them, write them in order.
//!
//! With one thread everything happens inline. With more, a reader thread cuts the inputs into
//! sequence-numbered chunks, a pool of workers scrubs whole chunks (each worker with its own
//! [`Scrubber`], so nothing is shared on the hot path), and the calling thread writes the results
//! back in input order. A fixed number of chunk buffers circulates between them, which bounds
//! memory whatever the input size and makes a slow writer hold the reader back.
//!
//! [`fn@follow`] reads a live log across rotations instead of a list of inputs (see the
//! [`mod@follow`] module), and [`output::ReopeningFile`] is the `-o` file. What happens under faults (a full
//! disk, a failed reopen, read errors, corrupt archives, huge lines) is described in
//! `docs/operations.md`.

mod compression;
pub mod follow;
pub mod gzip;
pub mod in_place;
pub(crate) mod ordered;
pub mod output;
pub mod pidfile;
pub mod pipes;
pub mod reader;
pub mod signals;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::config::Config;
use crate::error::Error;
use crate::format::layout::Layout;
use crate::format::Format;
use crate::scrub::Scrubber;
use crate::stats::Stats;

use self::compression::Compression;
use self::follow::{Event, FollowOptions, Follower, Mark, StateFile};
use self::output::Output;
use self::reader::{ChunkReader, CHUNK_SIZE, READ_WINDOW};

/// A buffer whose capacity grew past this (a huge line went through it) is given back once
/// its chunk is done, so that memory returns to its steady size.
pub(crate) const KEEP_CAPACITY: usize = 4 << 20;

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
            Input::Stdin => Box::new(Wakeable(io::stdin())),
            Input::Path(path) => Box::new(Wakeable(File::open(path).map_err(|source| {
                Error::Open {
                    path: path.clone(),
                    source,
                }
            })?)),
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
        match Compression::sniff(magic) {
            Compression::Gzip => Ok(Box::new(gzip::Gunzip::new(buffered))),
            Compression::Zstd => Ok(Box::new(
                zstd::Decoder::with_buffer(buffered).map_err(read_err)?,
            )),
            Compression::None => Ok(Box::new(buffered)),
        }
    }
}

/// An input file or standard input whose reads a stop signal ends: each read first waits in
/// `poll` until there is data (or the end) or a stop was asked for ([`signals::wake_fd`]), and
/// after a stop fails with `Interrupted`, which the readers take for the end of the input. So
/// a FIFO or pipe that stays idle never keeps a stopped run waiting. The wait also covers
/// standard input handed over non-blocking (by a supervisor or a shell that set `O_NONBLOCK`
/// on a shared pipe), where a bare read would fail with `WouldBlock`.
struct Wakeable<R>(R);

impl<R: Read + std::os::fd::AsRawFd> Read for Wakeable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if signals::stop_requested() {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let wake = signals::wake_fd().unwrap_or(-1);
            let mut fds = [
                libc::pollfd {
                    fd: self.0.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                // A negative descriptor is ignored by poll.
                libc::pollfd {
                    fd: wake,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two valid pollfds for the duration of the call.
            if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            }
            if fds[1].revents != 0 {
                continue;
            }
            match self.0.read(buf) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
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
    /// Longest line kept, in bytes; a longer one is written as one
    /// [`reader::OVERLONG_LINE`] (files and standard input; `--follow` reads whole lines).
    pub max_line: usize,
}

impl Default for Options {
    /// One worker per available core.
    fn default() -> Self {
        Options {
            threads: thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_size: CHUNK_SIZE,
            progress: None,
            max_line: reader::MAX_LINE_DEFAULT,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Counters over all inputs.
    pub stats: Stats,
    /// The format each input was read in, by input name, in input order (inputs that could
    /// not be opened or held no more than blank lines are missing).
    pub formats: Vec<(String, Format)>,
    /// Inputs that could not be opened or read to the end.
    pub failed_inputs: usize,
    /// The input that a stop request (SIGTERM, SIGINT) cut short, or the first one it kept
    /// from being read: the output is then incomplete. A stop while reading standard input as
    /// the last input is not counted, since that is how a piped logger ends.
    pub incomplete: Option<String>,
    /// Torn last lines of the output file (left by a writer killed mid-line) that were ended
    /// with a newline before the first line written; set by the caller that owns the output.
    pub torn_lines_ended: u64,
}

impl Summary {
    /// Why the output is incomplete, if a stop signal made it so: an interrupted run is never
    /// to be mistaken for a finished one (`logscrub a.log > b && mv b a`).
    pub fn stop_message(&self) -> Option<String> {
        let name = self.incomplete.as_ref()?;
        let signal = signals::signal_name(signals::stop_signal().unwrap_or(libc::SIGTERM));
        Some(format!(
            "stopped by {signal} before the end of {name}: the output is incomplete"
        ))
    }
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
    let mut out = Unsynced(out);
    execute(
        cfg,
        Source::Inputs(inputs.to_vec()),
        &mut out,
        options,
        None,
        on_error,
    )
}

/// Where [`scrub_to`] writes, and whether it follows its input.
#[derive(Clone, Debug)]
pub struct Target {
    /// The file appended to (`-o`, reopened on SIGHUP); `None`: standard output.
    pub output: Option<PathBuf>,
    /// What to do when the output's disk is full.
    pub on_full: output::OnFull,
    /// Follow the one input file ([`fn@follow`]) instead of reading the inputs to their end.
    pub follow: Option<FollowOptions>,
}

/// Scrubs `inputs` into `target` ([`run`]), or follows the one input file, reporting
/// unreadable inputs through `on_error`. The output is an unbuffered
/// [`output::ReopeningFile`] either way: where it is a file, a line cut short by a full disk
/// is taken back out of it.
pub fn scrub_to(
    cfg: &Config,
    inputs: &[Input],
    target: &Target,
    options: &Options,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    pipes::enlarge_std_pipes();
    let mut out = match &target.output {
        Some(path) => output::ReopeningFile::open(path)?,
        None => output::ReopeningFile::stdout()?,
    }
    .on_full(target.on_full);
    let mut summary = match (inputs, &target.follow) {
        ([Input::Path(path)], Some(how)) => {
            self::follow(cfg, path, &mut out, options, how, on_error)?
        }
        _ => run(cfg, inputs, &mut out, options, on_error)?,
    };
    // Only a file has a previous writer whose torn line could have been ended.
    if target.output.is_some() {
        summary.torn_lines_ended = out.torn_lines();
    }
    Ok(summary)
}

/// Follows `path` (see the [`mod@follow`] module) into `out` until SIGTERM or SIGINT, keeping
/// the position in `follow.state` if given. A read error of the followed file ends the run
/// after the lines before it (reported through `on_error`).
pub fn follow(
    cfg: &Config,
    path: &Path,
    out: &mut dyn Output,
    options: &Options,
    follow: &FollowOptions,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    let notify = Box::new(|msg: &str| eprintln!("logscrub: {msg}"));
    let follower = Follower::open(path, follow, notify)?;
    let state = follow.state.as_deref().map(StateFile::new);
    execute(
        cfg,
        Source::Follow(Box::new(follower)),
        out,
        options,
        state,
        on_error,
    )
}

/// A `Write` without anything to sync.
struct Unsynced<'a>(&'a mut dyn Write);

impl Write for Unsynced<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Output for Unsynced<'_> {
    fn sync(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Where the lines come from.
enum Source {
    Inputs(Vec<Input>),
    Follow(Box<Follower>),
}

/// What the reading side hands the writing side, in order.
enum Item {
    /// Whole lines; the layout to read them in (`None`: the one in effect); where they end
    /// in a followed file.
    Chunk {
        buf: Vec<u8>,
        layout: Option<Layout>,
        mark: Option<Mark>,
    },
    /// An input that could not be opened or read to the end.
    Failed(Error),
    /// Following: a file is read from here on.
    Position(Mark),
    /// Following: a rotated file is done with.
    Forget(u64),
    /// Following: nothing to read for now.
    Idle,
}

/// Where the reading side puts its items: straight to the writer (one thread) or into the
/// channels to the workers and the writer.
trait Feed {
    /// A buffer for the next chunk; waiting for one is the backpressure that bounds memory
    /// and holds reading back while the output cannot take more. `None`: the writing side is
    /// gone.
    fn buffer(&mut self) -> Option<Vec<u8>>;
    /// Hands an item on; `false`: the writing side is gone, stop reading.
    fn send(&mut self, item: Item) -> bool;
}

/// What the reading side found out.
#[derive(Default)]
struct Reading {
    /// The format of each input.
    formats: Vec<(String, Format)>,
    /// See [`Summary::incomplete`].
    incomplete: Option<String>,
    /// Lines longer than [`Options::max_line`].
    overlong: u64,
}

/// How the reader cuts its input.
#[derive(Clone, Copy)]
struct Cuts {
    chunk_size: usize,
    max_line: usize,
}

/// Reads `source` into `feed`. With `every_chunk`, each chunk carries the layout in effect
/// where it starts (for workers); otherwise only an input's first chunk does.
fn read_source(
    cfg: &Config,
    source: Source,
    cuts: Cuts,
    progress: Option<&Progress>,
    every_chunk: bool,
    feed: &mut dyn Feed,
) -> Reading {
    match source {
        Source::Inputs(inputs) => {
            let mut reading = Reading::default();
            read_inputs(
                cfg,
                &inputs,
                cuts,
                progress,
                every_chunk,
                feed,
                &mut reading,
            );
            reading
        }
        // Stopping is a follower's normal end.
        Source::Follow(mut follower) => Reading {
            formats: read_followed(cfg, &mut follower, cuts.chunk_size, feed),
            incomplete: None,
            overlong: 0,
        },
    }
}

fn read_inputs(
    cfg: &Config,
    inputs: &[Input],
    cuts: Cuts,
    progress: Option<&Progress>,
    every_chunk: bool,
    feed: &mut dyn Feed,
    reading: &mut Reading,
) {
    let formats = &mut reading.formats;
    // A buffer taken from the pool that an input did not fill (it ended, or failed) stays here
    // for the next input: the pool holds a fixed number of buffers and only the writer returns
    // them, so dropping one would leave the reader waiting for ever after enough inputs.
    let mut spare: Option<Vec<u8>> = None;
    for (n, input) in inputs.iter().enumerate() {
        if signals::stop_requested() {
            reading.incomplete = Some(input.name());
            return;
        }
        let mut layout: Option<Layout> = None;
        let mut chunks = match input.open_counted(progress) {
            Ok(rdr) => ChunkReader::new(rdr, cuts.chunk_size).max_line(cuts.max_line),
            Err(err) => {
                if !feed.send(Item::Failed(err)) {
                    return;
                }
                continue;
            }
        };
        loop {
            let Some(mut buf) = spare.take().or_else(|| feed.buffer()) else {
                return;
            };
            match chunks.next_chunk(&mut buf) {
                Ok(true) if layout.is_none() && only_blank_lines(&buf) => {
                    let item = Item::Chunk {
                        buf,
                        layout: Some(cfg.layout()),
                        mark: None,
                    };
                    if !feed.send(item) {
                        return;
                    }
                }
                Ok(true) => {
                    let first = layout.is_none();
                    let layout = layout.get_or_insert_with(|| {
                        let layout = cfg.layout_for(&buf);
                        formats.push((input.name(), layout.format()));
                        layout
                    });
                    let this_chunk = (every_chunk || first).then(|| layout.clone());
                    if every_chunk {
                        layout.advance(&buf);
                    }
                    let item = Item::Chunk {
                        buf,
                        layout: this_chunk,
                        mark: None,
                    };
                    if !feed.send(item) {
                        return;
                    }
                }
                Ok(false) => {
                    spare = Some(buf);
                    reading.overlong += chunks.overlong();
                    let piped_logger_end = *input == Input::Stdin && n + 1 == inputs.len();
                    if chunks.stopped() && !piped_logger_end {
                        reading.incomplete = Some(input.name());
                        return;
                    }
                    break;
                }
                Err(source) => {
                    spare = Some(buf);
                    reading.overlong += chunks.overlong();
                    let err = Error::Read {
                        name: input.name(),
                        source,
                    };
                    if !feed.send(Item::Failed(err)) {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

/// Whether `chunk` holds only blank lines, which tell nothing of an input's format. A pipe or
/// a followed file may hand them over alone, so an input is recognised from its first chunk
/// with a line in it, and until then read as configured: a configured format is what the
/// input is read in anyway, and under `--format auto` every layout recognition can pick writes
/// blank lines as they are.
fn only_blank_lines(chunk: &[u8]) -> bool {
    chunk.iter().all(u8::is_ascii_whitespace)
}

/// Follows until SIGTERM or SIGINT, a read error, or the writing side is gone. Every chunk
/// carries its layout (each file of a rotation is recognised on its own) and its mark.
fn read_followed(
    cfg: &Config,
    follower: &mut Follower,
    chunk_size: usize,
    feed: &mut dyn Feed,
) -> Vec<(String, Format)> {
    let name = follower.name();
    let mut formats = Vec::new();
    let mut layouts: HashMap<u64, Layout> = HashMap::new();
    let mut spare: Option<Vec<u8>> = None;
    loop {
        let Some(mut buf) = spare.take().or_else(|| feed.buffer()) else {
            return formats;
        };
        let item = match follower.next(&mut buf, chunk_size) {
            Ok(Event::Chunk(mark))
                if !layouts.contains_key(&mark.key) && only_blank_lines(&buf) =>
            {
                Item::Chunk {
                    buf,
                    layout: Some(cfg.layout()),
                    mark: Some(mark),
                }
            }
            Ok(Event::Chunk(mark)) => {
                let layout = layouts.entry(mark.key).or_insert_with(|| {
                    let layout = cfg.layout_for(&buf);
                    if formats.is_empty() {
                        formats.push((name.clone(), layout.format()));
                    }
                    layout
                });
                let this_chunk = layout.clone();
                layout.advance(&buf);
                Item::Chunk {
                    buf,
                    layout: Some(this_chunk),
                    mark: Some(mark),
                }
            }
            other => {
                spare = Some(buf);
                match other {
                    Ok(Event::Chunk(_)) => unreachable!("handled above"),
                    Ok(Event::Position(mark)) => Item::Position(mark),
                    Ok(Event::Forget(key)) => {
                        layouts.remove(&key);
                        Item::Forget(key)
                    }
                    Ok(Event::Idle) => Item::Idle,
                    Ok(Event::Stopped) => return formats,
                    Err(err) => {
                        feed.send(Item::Failed(err));
                        return formats;
                    }
                }
            }
        };
        if !feed.send(item) {
            return formats;
        }
    }
}

/// The writing side: writes scrubbed chunks in order, reports failed inputs, and keeps the
/// follow state.
struct Writer<'a> {
    out: &'a mut dyn Output,
    on_error: &'a mut dyn FnMut(&Error),
    failed_inputs: usize,
    state: Option<StateFile>,
}

impl Writer<'_> {
    fn chunk(&mut self, output: &[u8], mark: Option<Mark>) -> Result<(), Error> {
        write_all(self.out, output)?;
        if let (Some(state), Some(mark)) = (&mut self.state, mark) {
            state.update(mark);
            state.save_if_due(self.out);
        }
        Ok(())
    }

    /// Anything but a chunk.
    fn event(&mut self, item: Item) -> Result<(), Error> {
        match item {
            Item::Chunk { .. } => unreachable!("chunks are written by `chunk`"),
            Item::Failed(err) => {
                self.failed_inputs += 1;
                (self.on_error)(&err);
            }
            Item::Position(mark) => {
                if let Some(state) = &mut self.state {
                    state.update(mark);
                }
            }
            Item::Forget(key) => {
                if let Some(state) = &mut self.state {
                    state.forget(key);
                }
            }
            Item::Idle => {
                flush(self.out)?;
                if let Some(state) = &mut self.state {
                    state.save_if_due(self.out);
                }
            }
        }
        Ok(())
    }

    /// Flushes, and saves the state a last time.
    fn finish(&mut self) -> Result<(), Error> {
        flush(self.out)?;
        match &mut self.state {
            Some(state) => state.save(self.out),
            None => Ok(()),
        }
    }
}

/// A buffer as it is kept for the next chunk: given back if a huge line made it grow.
fn recycled(mut buf: Vec<u8>, keep: usize) -> Vec<u8> {
    if buf.capacity() > keep {
        buf = Vec::new();
    }
    buf
}

fn execute(
    cfg: &Config,
    source: Source,
    out: &mut dyn Output,
    options: &Options,
    state: Option<StateFile>,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    let writer = Writer {
        out,
        on_error,
        failed_inputs: 0,
        state,
    };
    if options.threads <= 1 {
        run_serial(cfg, source, writer, options)
    } else {
        run_parallel(cfg, source, writer, options)
    }
}

/// Scrubbing and writing on the reading thread.
struct Inline<'c, 'w> {
    cfg: &'c Config,
    scrubber: Scrubber<'c>,
    stats: Stats,
    writer: Writer<'w>,
    spare: Option<Vec<u8>>,
    scrubbed: Vec<u8>,
    keep: usize,
    error: Option<Error>,
}

impl Feed for Inline<'_, '_> {
    fn buffer(&mut self) -> Option<Vec<u8>> {
        Some(self.spare.take().unwrap_or_default())
    }

    fn send(&mut self, item: Item) -> bool {
        let result = match item {
            Item::Chunk { buf, layout, mark } => {
                if let Some(layout) = layout {
                    self.scrubber.set_layout(layout);
                }
                self.scrubbed.clear();
                self.scrubber.scrub(&buf, &mut self.scrubbed);
                let result = self
                    .writer
                    .chunk(&self.scrubbed, mark)
                    .and_then(|()| flush(self.writer.out));
                if buf.len() > self.keep {
                    // A huge line: a fresh scrubber drops the scratch space it grew.
                    let layout = self.scrubber.layout().clone();
                    self.stats.merge(&self.scrubber.take_stats());
                    self.scrubber = Scrubber::new(self.cfg);
                    self.scrubber.set_layout(layout);
                }
                self.spare = Some(recycled(buf, self.keep));
                self.scrubbed = recycled(std::mem::take(&mut self.scrubbed), self.keep);
                result
            }
            other => self.writer.event(other),
        };
        match result {
            Ok(()) => true,
            Err(err) => {
                self.error = Some(err);
                false
            }
        }
    }
}

/// The most a chunk buffer keeps between chunks.
fn keep_capacity(chunk_size: usize) -> usize {
    KEEP_CAPACITY.max(chunk_size.saturating_mul(2).saturating_add(READ_WINDOW))
}

fn run_serial(
    cfg: &Config,
    source: Source,
    writer: Writer<'_>,
    options: &Options,
) -> Result<Summary, Error> {
    let every_chunk = matches!(source, Source::Follow(_));
    let mut inline = Inline {
        cfg,
        scrubber: Scrubber::new(cfg),
        stats: Stats::default(),
        writer,
        spare: None,
        scrubbed: Vec::new(),
        keep: keep_capacity(options.chunk_size),
        error: None,
    };
    let cuts = Cuts {
        chunk_size: options.chunk_size,
        max_line: options.max_line,
    };
    let reading = read_source(
        cfg,
        source,
        cuts,
        options.progress.as_ref(),
        every_chunk,
        &mut inline,
    );
    if let Some(err) = inline.error {
        return Err(err);
    }
    inline.writer.finish()?;
    let mut stats = inline.stats;
    stats.merge(&inline.scrubber.take_stats());
    stats.overlong_lines += reading.overlong;
    Ok(Summary {
        stats,
        formats: reading.formats,
        failed_inputs: inline.writer.failed_inputs,
        incomplete: reading.incomplete,
        torn_lines_ended: 0,
    })
}

/// Bytes of input chunks in flight at once (as many again for their output).
const MEMORY_BUDGET: usize = 24 << 20;
/// Below this, per-chunk costs start to show.
const MIN_PARALLEL_CHUNK: usize = 64 << 10;

/// A chunk for a worker.
struct Work {
    seq: u64,
    buf: Vec<u8>,
    layout: Layout,
    mark: Option<Mark>,
}

/// A chunk on its way back from a worker, or anything else for the writer, in input order
/// by sequence number.
enum Done {
    Chunk {
        input: Vec<u8>,
        output: Vec<u8>,
        mark: Option<Mark>,
    },
    Event(Item),
}

/// The reading thread's side of the channels.
struct Channels {
    free_rx: Receiver<Vec<u8>>,
    work_tx: Sender<Work>,
    done_tx: Sender<(u64, Done)>,
    seq: u64,
}

impl Feed for Channels {
    fn buffer(&mut self) -> Option<Vec<u8>> {
        self.free_rx.recv().ok()
    }

    fn send(&mut self, item: Item) -> bool {
        let seq = self.seq;
        self.seq += 1;
        match item {
            Item::Chunk { buf, layout, mark } => {
                let layout = layout.expect("every chunk carries its layout");
                let work = Work {
                    seq,
                    buf,
                    layout,
                    mark,
                };
                self.work_tx.send(work).is_ok()
            }
            other => self.done_tx.send((seq, Done::Event(other))).is_ok(),
        }
    }
}

fn run_parallel(
    cfg: &Config,
    source: Source,
    mut writer: Writer<'_>,
    options: &Options,
) -> Result<Summary, Error> {
    let threads = options.threads;
    // Chunks in flight: enough to keep every worker busy while the writer catches up. Chunks
    // shrink as threads grow so that the buffers stay within about 2 × MEMORY_BUDGET.
    let in_flight = threads * 2 + 2;
    let chunk_size = options
        .chunk_size
        .min((MEMORY_BUDGET / in_flight).max(MIN_PARALLEL_CHUNK));
    let keep = keep_capacity(chunk_size);
    let max_line = options.max_line;
    let (free_tx, free_rx) = bounded::<Vec<u8>>(in_flight);
    for _ in 0..in_flight {
        free_tx
            .send(Vec::new())
            .expect("the pool has room for every buffer");
    }
    let (recycle_tx, recycle_rx) = bounded::<Vec<u8>>(in_flight);
    let (work_tx, work_rx) = bounded::<Work>(in_flight);
    let (done_tx, done_rx) = bounded::<(u64, Done)>(in_flight + 1);

    let reader = {
        let done_tx = done_tx.clone();
        let progress = options.progress.clone();
        let cfg = cfg.clone();
        thread::spawn(move || {
            let mut channels = Channels {
                free_rx,
                work_tx,
                done_tx,
                seq: 0,
            };
            let cuts = Cuts {
                chunk_size,
                max_line,
            };
            read_source(&cfg, source, cuts, progress.as_ref(), true, &mut channels)
        })
    };
    let cfg = Arc::new(cfg.clone());
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (cfg, work_rx, done_tx) = (cfg.clone(), work_rx.clone(), done_tx.clone());
            let recycle_rx = recycle_rx.clone();
            thread::spawn(move || scrub_chunks(&cfg, &work_rx, &recycle_rx, &done_tx, keep))
        })
        .collect();
    drop((done_tx, work_rx, recycle_rx));

    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    for (seq, done) in done_rx.iter() {
        pending.insert(seq, done);
        while let Some(done) = pending.remove(&next) {
            match done {
                Done::Chunk {
                    input,
                    output,
                    mark,
                } => {
                    writer.chunk(&output, mark)?;
                    // The pools are sized for every buffer; a failed send only means the
                    // other side has finished.
                    let _ = free_tx.try_send(recycled(input, keep));
                    let _ = recycle_tx.try_send(recycled(output, keep));
                }
                Done::Event(item) => writer.event(item)?,
            }
            next += 1;
        }
        if done_rx.is_empty() {
            flush(writer.out)?;
        }
    }
    writer.finish()?;
    let mut summary = Summary {
        failed_inputs: writer.failed_inputs,
        ..Summary::default()
    };
    // Every sender is gone, so the threads have finished; joining only collects their stats.
    if let Ok(reading) = reader.join() {
        summary.formats = reading.formats;
        summary.incomplete = reading.incomplete;
        summary.stats.overlong_lines += reading.overlong;
    }
    for worker in workers {
        if let Ok(stats) = worker.join() {
            summary.stats.merge(&stats);
        }
    }
    Ok(summary)
}

/// A worker thread: scrubs whole chunks with its own scrubber until the input ends.
fn scrub_chunks(
    cfg: &Config,
    work_rx: &Receiver<Work>,
    recycle_rx: &Receiver<Vec<u8>>,
    done_tx: &Sender<(u64, Done)>,
    keep: usize,
) -> Stats {
    let mut scrubber = Scrubber::new(cfg);
    let mut stats = Stats::default();
    for work in work_rx.iter() {
        scrubber.set_layout(work.layout);
        let mut output = recycle_rx.try_recv().unwrap_or_default();
        output.clear();
        scrubber.scrub(&work.buf, &mut output);
        if work.buf.len() > keep {
            // A huge line: a fresh scrubber drops the scratch space it grew.
            stats.merge(&scrubber.take_stats());
            scrubber = Scrubber::new(cfg);
        }
        let done = Done::Chunk {
            input: work.buf,
            output,
            mark: work.mark,
        };
        if done_tx.send((work.seq, done)).is_err() {
            break;
        }
    }
    stats.merge(&scrubber.take_stats());
    stats
}

fn write_all(out: &mut dyn Output, data: &[u8]) -> Result<(), Error> {
    out.write_all(data)
        .map_err(|source| Error::Write { source })
}

fn flush(out: &mut dyn Output) -> Result<(), Error> {
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
                    ..Options::default()
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

    /// Regression: a piped JSON log whose first read held only a blank line was read as
    /// common, for want of any line to recognise, and kept its user names.
    #[test]
    fn blank_lines_do_not_decide_the_format() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let line =
            r#"{"remote_addr":"203.0.113.61","remote_user":"karl","request":"GET / HTTP/1.1"}"#;
        std::fs::write(file.path(), format!("\n \r\n{line}\n")).unwrap();
        let want = r#"{"remote_addr":"203.0.113.0","remote_user":"-","request":"GET / HTTP/1.1"}"#;
        let inputs = [Input::Path(file.path().to_path_buf())];
        for threads in [1, 2] {
            let options = Options {
                threads,
                chunk_size: 1,
                ..Options::default()
            };
            let mut out = Vec::new();
            let summary =
                run(&Config::default(), &inputs, &mut out, &options, &mut |_| {}).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("\n \r\n{want}\n"));
            assert_eq!(summary.formats[0].1, Format::Json, "{threads} threads");
        }
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
                    ..Options::default()
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
