//! Running a [`Config`] over inputs: read chunks of lines, scrub them, write them in order.

pub mod reader;

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use crate::config::Config;
use crate::error::Error;
use crate::scrub::Scrubber;
use crate::stats::Stats;

use self::reader::LineReader;

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
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Counters over all inputs.
    pub stats: Stats,
    /// Inputs that could not be opened or read to the end.
    pub failed_inputs: usize,
}

/// Scrubs every input in turn into `out`.
///
/// An input that cannot be opened or read is reported through `on_error` and skipped; the run
/// goes on with the next one, as `cat` does. A failure to write ends the run at once.
pub fn run(
    cfg: &Config,
    inputs: &[Input],
    out: &mut dyn Write,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let mut scrubber = Scrubber::new(cfg);
    let mut buf = Vec::with_capacity(reader::DEFAULT_CAPACITY * 2);
    for input in inputs {
        let result = match input {
            Input::Stdin => {
                let name = input.name();
                scrub_stream(&mut scrubber, io::stdin().lock(), &name, out, &mut buf)
            }
            Input::Path(path) => match File::open(path) {
                Ok(file) => scrub_stream(&mut scrubber, file, &input.name(), out, &mut buf),
                Err(source) => Err(Error::Open {
                    path: path.clone(),
                    source,
                }),
            },
        };
        match result {
            Ok(()) => {}
            Err(err @ Error::Write { .. }) => return Err(err),
            Err(err) => {
                summary.failed_inputs += 1;
                on_error(&err);
            }
        }
    }
    summary.stats = scrubber.take_stats();
    Ok(summary)
}

/// Scrubs one stream into `out`, writing and flushing after every read that completed lines,
/// so that a piped logger's lines appear at once. `buf` is reused across calls.
pub fn scrub_stream<R: Read>(
    scrubber: &mut Scrubber,
    rdr: R,
    name: &str,
    out: &mut dyn Write,
    buf: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut lines = LineReader::new(rdr);
    loop {
        let chunk = match lines.next_chunk() {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(()),
            Err(source) => {
                return Err(Error::Read {
                    name: name.to_string(),
                    source,
                })
            }
        };
        buf.clear();
        scrubber.scrub(chunk, buf);
        out.write_all(buf)
            .and_then(|()| out.flush())
            .map_err(|source| Error::Write { source })?;
    }
}
