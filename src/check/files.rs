//! `check` over whole inputs: each read to its end in chunks and audited, one [`Report`] per
//! input, in input order.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Auditor, Report};
use crate::config::Config;
use crate::error::{chain, Error};
use crate::pipeline::ordered::for_each_ordered;
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

/// Audits every input, up to `threads` at once, and hands each report to `report` in input
/// order, as soon as it and those before it are done; returns all of them. Any thread count
/// gives the same reports. An error from `report` (a closed output) starts no further input
/// and is returned.
pub fn check_inputs(
    cfg: &Config,
    inputs: &[Input],
    threads: usize,
    report: &mut dyn FnMut(&Report) -> io::Result<()>,
) -> io::Result<Vec<Report>> {
    // Standard input named twice (`check - -`) is read whole by the first: reading it from
    // two threads would split it between them.
    let stdin_twice = inputs.iter().filter(|i| **i == Input::Stdin).count() > 1;
    let threads = if stdin_twice { 1 } else { threads };
    let mut reports = Vec::with_capacity(inputs.len());
    let mut failure = None;
    let failed = AtomicBool::new(false);
    for_each_ordered(
        inputs.len(),
        threads,
        &|| failed.load(Ordering::Relaxed),
        &|i| check_input(cfg, &inputs[i]),
        &mut |_, done| {
            if failure.is_none() {
                if let Err(err) = report(&done) {
                    failed.store(true, Ordering::Relaxed);
                    failure = Some(err);
                }
            }
            reports.push(done);
        },
    );
    match failure {
        Some(err) => Err(err),
        None => Ok(reports),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn any_thread_count_gives_the_same_reports_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        for n in 0..12 {
            let path = dir.path().join(format!("{n}.log"));
            let line = format!(
                "203.0.113.{n} - - [10/Oct/2023:13:55:36 +0200] \"GET /?email=a{n}%40b.org HTTP/1.1\" 200 5\n"
            );
            std::fs::write(&path, line.repeat(n + 1)).unwrap();
            inputs.push(Input::Path(path));
        }
        inputs.insert(5, Input::Path(dir.path().join("missing.log")));
        let cfg = Config::default();
        let texts = |threads| {
            let mut text = Vec::new();
            let reports =
                check_inputs(&cfg, &inputs, threads, &mut |report| match &report.result {
                    Ok(audit) => super::super::write_text(&mut text, &report.name, audit),
                    Err(err) => writeln!(text, "{}: {err}", report.name),
                })
                .unwrap();
            assert_eq!(reports.len(), inputs.len());
            String::from_utf8(text).unwrap()
        };
        let serial = texts(1);
        assert!(serial.contains("missing.log: cannot open"), "{serial}");
        assert_eq!(serial.matches("personal data found").count(), 12);
        assert_eq!(texts(4), serial);
        assert_eq!(texts(64), serial);
    }

    #[test]
    fn a_failed_report_starts_no_further_input() {
        let inputs = vec![Input::Path("missing".into()); 50];
        let mut calls = 0;
        let result = check_inputs(&Config::default(), &inputs, 1, &mut |_| {
            calls += 1;
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        });
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(calls, 1);
    }
}
