//! `check` over whole inputs: each read to its end in chunks and audited, one [`Report`] per
//! input, in input order.

use std::io;

use super::{Auditor, Report};
use crate::config::Config;
use crate::error::{chain, Error};
use crate::pipeline::reader::{ChunkReader, CHUNK_SIZE};
use crate::pipeline::Input;

/// Audits `input` to its end. An input that cannot be opened or read has the error, with its
/// causes, as the report's result; what was audited before the error is not reported.
pub fn check_input(cfg: &Config, input: &Input) -> Report {
    let mut auditor = Auditor::new(cfg);
    let read = input.open().and_then(|rdr| {
        let mut chunks = ChunkReader::new(rdr, CHUNK_SIZE);
        let mut chunk = Vec::new();
        let read_err = |source| Error::Read {
            name: input.name(),
            source,
        };
        while chunks.next_chunk(&mut chunk).map_err(read_err)? {
            auditor.check(&chunk);
        }
        Ok(())
    });
    Report {
        name: input.name(),
        result: read
            .map(|()| auditor.audit().clone())
            .map_err(|err| chain(&err)),
    }
}

/// Audits every input and hands each report to `report`, in input order, as soon as it is
/// done; returns all of them. An error from `report` (a closed output) ends the run before the
/// next input and is returned.
pub fn check_inputs(
    cfg: &Config,
    inputs: &[Input],
    report: &mut dyn FnMut(&Report) -> io::Result<()>,
) -> io::Result<Vec<Report>> {
    let mut reports = Vec::with_capacity(inputs.len());
    for input in inputs {
        let done = check_input(cfg, input);
        report(&done)?;
        reports.push(done);
    }
    Ok(reports)
}
