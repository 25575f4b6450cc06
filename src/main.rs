//! The `logscrub` binary: command line (`cli`, read by `args`) → `Config` → library → exit code.

mod args;
mod cli;
mod man;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{CommandFactory, Parser};

use logscrub::check;
use logscrub::key::KeyDir;
use logscrub::pipeline::{self, in_place, pidfile::PidFile, signals};
use logscrub::{Error, Key};

use cli::{CheckArgs, Cli, Command, RunArgs};

/// Everything went as asked. (`check` has exit statuses of its own: [`check::Verdict`].)
const EXIT_OK: u8 = 0;
/// A usage error (clap uses the same code), an input that failed, or a fatal error.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    match try_main(Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(err) if logscrub::error::broken_pipe_in(err.as_ref()) => ExitCode::from(EXIT_OK),
        Err(err) => {
            eprintln!("logscrub: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn try_main(cli: Cli) -> anyhow::Result<u8> {
    // Completions and manual pages go into a buffer first: `generate` panics on a write error
    // such as a closed pipe.
    let mut text = Vec::new();
    match cli.command {
        None => return scrub(cli.run),
        Some(Command::Check(args)) => {
            // A `kill -HUP` meant for a piped logger, or a closed terminal, does not end it.
            signals::ignore_hangup();
            return check(*args);
        }
        Some(Command::Keygen { path }) => {
            signals::ignore_hangup();
            Key::generate_file(&path)?;
            eprintln!(
                "logscrub: wrote a new key to {} (mode 0600)",
                path.display()
            );
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "logscrub", &mut text);
        }
        Some(Command::Man { page }) => man::render(page, &mut text).map_err(write_err)?,
    }
    io::stdout().write_all(&text).map_err(write_err)?;
    Ok(EXIT_OK)
}

fn write_err(source: io::Error) -> Error {
    Error::Write { source }
}

/// `logscrub check`: audits each input and reports what it found, per file and class.
fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let (config, inputs, threads) = args::check(&args)?;
    let mut out = io::stdout().lock();
    let mut print = |report: &check::Report| match &report.result {
        Err(err) => writeln!(io::stderr(), "logscrub: {err}"),
        Ok(audit) if !args.json => check::write_text(&mut out, &report.name, audit),
        Ok(_) => Ok(()),
    };
    let reports = check::check_inputs(&config, &inputs, threads, &mut print);
    let reports = reports.map_err(write_err)?;
    if args.json {
        check::write_json(&mut out, &reports).map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(check::verdict(&reports) as u8)
}

/// Scrubbing: to standard output or `-o`, following a file, or in place.
fn scrub(cli: RunArgs) -> anyhow::Result<u8> {
    let config = args::scrub_config(&cli)?;
    let inputs = args::inputs(&cli.files);
    // The handlers before the pid file: a SIGHUP sent as soon as the file names this process
    // must find them. Under --in-place, SIGHUP stops the rewrite as SIGTERM and SIGINT do.
    signals::install().context("cannot install the signal handlers")?;
    if cli.in_place {
        signals::hangup_stops();
    }
    let pid_file = cli.pid_file.as_deref().map(|path| {
        PidFile::create(path).with_context(|| format!("cannot write pid file {}", path.display()))
    });
    let _pid_file = pid_file.transpose()?;
    let (options, progress) = args::options(&cli, &inputs);
    let started = Instant::now();
    let (summary, counts, stop_message) = if cli.in_place {
        let mut report = |path: &_, outcome: &in_place::Outcome| {
            if let Some(message) = outcome.message(path) {
                eprintln!("logscrub: {message}");
            }
        };
        let batch = args::batch(&cli);
        let done = in_place::rewrite_all(&config, &cli.files, &options, batch, &mut report);
        let (counts, message) = (done.counts(), done.stop_message());
        (done.total, Some(counts), message)
    } else {
        let mut on_error = |err: &Error| eprintln!("logscrub: {}", logscrub::error::chain(err));
        let target = args::target(&cli);
        let summary = pipeline::scrub_to(&config, &inputs, &target, &options, &mut on_error)?;
        let message = summary.stop_message();
        (summary, None, message)
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut err = io::stderr().lock();
    let stats = || -> io::Result<()> {
        if cli.stats {
            counts.map_or(Ok(()), |counts| writeln!(err, "logscrub: {counts}"))?;
            let indent = if err.is_terminal() { "  " } else { "" };
            logscrub::stats::write_text(&mut err, &summary, seconds, &config, indent)?;
        }
        if cli.stats_json {
            logscrub::stats::write_json(&mut err, &summary, seconds, &config)?;
        }
        Ok(())
    };
    stats().context("cannot write statistics to stderr")?;
    let no_keys = (Vec::new(), false);
    let (messages, keys_failed) = config.key_dir().map_or(no_keys, KeyDir::closing_messages);
    for message in messages.iter().chain(&stop_message) {
        writeln!(err, "logscrub: {message}")?;
    }
    if summary.incomplete.is_some() {
        return Ok(signals::interrupted_status());
    }
    Ok(if summary.failed_inputs > 0 || keys_failed {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}
