//! The `logscrub` binary: command line → [`Config`] → [`pipeline::run`] → exit code.

mod cli;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;

use logscrub::audit::{Audit, Auditor, Kind};
use logscrub::config::CustomFormat;
use logscrub::format::Role;
use logscrub::pipeline::in_place;
use logscrub::pipeline::output::ReopeningFile;
use logscrub::pipeline::reader::ChunkReader;
use logscrub::pipeline::{self, Input, Options, Summary};
use logscrub::{
    Config, Error, Format, HashFormat, IpPolicy, Key, ReferrerPolicy, RequestPolicy, Rotation,
    UserPolicy,
};

use cli::{
    Cli, Command, FormatArg, HashFormatArg, IpArg, ReferrerArg, RequestArg, RotationArg, RunArgs,
    UserArg,
};

/// The environment variable that may hold the key (never a command-line value: `ps` shows those).
const KEY_ENV: &str = "LOGSCRUB_KEY";

/// Everything went as asked.
const EXIT_OK: u8 = 0;
/// A usage error (clap uses the same code), an input that failed, or a fatal error.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match try_main(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if err
                .chain()
                .filter_map(|cause| cause.downcast_ref::<Error>())
                .any(Error::is_broken_pipe)
            {
                return ExitCode::from(EXIT_OK);
            }
            eprintln!("logscrub: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn try_main(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Some(Command::Keygen { path }) => {
            Key::generate_file(&path)?;
            eprintln!(
                "logscrub: wrote a new key to {} (mode 0600)",
                path.display()
            );
            Ok(EXIT_OK)
        }
        Some(Command::Check(args)) => check(*args),
        Some(Command::Completions { shell }) => {
            // Into a buffer first: `generate` panics on a write error such as a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "logscrub", &mut script);
            io::stdout()
                .write_all(&script)
                .map_err(|source| Error::Write { source })?;
            Ok(EXIT_OK)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut io::stdout())
                .map_err(|source| Error::Write { source })?;
            Ok(EXIT_OK)
        }
        None => scrub(cli.run),
    }
}

/// A progress bar over the total size of the input files, on stderr, only when stderr is a
/// terminal and every input is a file (the size of a pipe is unknown).
fn progress_bar(inputs: &[Input]) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let mut total = 0;
    for input in inputs {
        match input {
            Input::Path(path) => total += std::fs::metadata(path).map_or(0, |m| m.len()),
            Input::Stdin => return None,
        }
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .expect("the template is valid"),
    );
    Some(bar)
}

/// `--in-place`: rewrites each file atomically, skipping those newer than `--older-than`.
fn in_place(cli: &RunArgs, config: &Config, options: &Options) -> anyhow::Result<u8> {
    let started = Instant::now();
    let mut total = Summary::default();
    let (mut rewritten, mut skipped) = (0u64, 0u64);
    for path in &cli.files {
        if path.as_os_str() == "-" {
            anyhow::bail!("--in-place needs file names, not standard input");
        }
        if let Some(age) = cli.older_than {
            match in_place::older_than(path, age) {
                Ok(true) => {}
                Ok(false) => {
                    skipped += 1;
                    continue;
                }
                Err(source) => {
                    let err = Error::Open {
                        path: path.clone(),
                        source,
                    };
                    eprintln!("logscrub: {}", chain(&err));
                    total.failed_inputs += 1;
                    continue;
                }
            }
        }
        match in_place::rewrite(config, path, options) {
            Ok(summary) => {
                rewritten += 1;
                total.stats.merge(&summary.stats);
                // The temporary input name stands for the file being rewritten.
                let name = path.display().to_string();
                let formats = summary.formats.into_iter().map(|(_, f)| (name.clone(), f));
                total.formats.extend(formats);
            }
            Err(err) => {
                eprintln!("logscrub: {} (the original is unchanged)", chain(&err));
                total.failed_inputs += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if cli.stats {
        eprintln!(
            "logscrub: {rewritten} files rewritten in place, {skipped} skipped as too recent"
        );
        print_stats(&total, seconds, config).context("cannot write statistics to stderr")?;
    }
    if cli.stats_json {
        print_stats_json(&total, seconds, config).context("cannot write statistics to stderr")?;
    }
    Ok(if total.failed_inputs > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

/// Found personal data (`check`).
const EXIT_FOUND: u8 = 1;

/// `logscrub check`: audits each input and prints what it found, per file.
fn check(cli: RunArgs) -> anyhow::Result<u8> {
    let config = construct_config(&cli)?;
    let mut found = false;
    let mut failed = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for input in inputs(&cli) {
        let mut auditor = Auditor::new(&config);
        let read = input.open().and_then(|rdr| {
            let mut chunks = ChunkReader::new(rdr, logscrub::pipeline::reader::CHUNK_SIZE);
            let mut chunk = Vec::new();
            while chunks
                .next_chunk(&mut chunk)
                .map_err(|source| Error::Read {
                    name: input.name(),
                    source,
                })?
            {
                auditor.check(&chunk);
            }
            Ok(())
        });
        if let Err(err) = read {
            eprintln!("logscrub: {}", chain(&err));
            failed = true;
            continue;
        }
        let audit = auditor.audit();
        found |= !audit.is_clean();
        write_audit(&mut out, &input.name(), audit).map_err(|source| Error::Write { source })?;
    }
    out.flush().map_err(|source| Error::Write { source })?;
    Ok(if failed {
        EXIT_ERROR
    } else if found {
        EXIT_FOUND
    } else {
        EXIT_OK
    })
}

fn write_audit(out: &mut impl Write, name: &str, audit: &Audit) -> io::Result<()> {
    if audit.is_clean() {
        return writeln!(out, "{name}: clean ({} lines)", audit.lines);
    }
    writeln!(
        out,
        "{name}: personal data found ({} lines read)",
        audit.lines
    )?;
    for kind in Kind::ALL {
        let count = audit.count(kind);
        if count == 0 {
            continue;
        }
        let lines: Vec<String> = audit.first_lines(kind).iter().map(u64::to_string).collect();
        let more = if count > lines.len() as u64 {
            ", …"
        } else {
            ""
        };
        writeln!(
            out,
            "  {}: {count} lines (line {}{more})",
            kind.describe(),
            lines.join(", ")
        )?;
    }
    Ok(())
}

fn scrub(cli: RunArgs) -> anyhow::Result<u8> {
    let config = construct_config(&cli)?;
    let inputs = inputs(&cli);
    let mut options = Options::default();
    if let Some(threads) = cli.threads {
        options.threads = threads as usize;
    }
    let progress = progress_bar(&inputs);
    if let Some(bar) = &progress {
        let bar = bar.clone();
        options.progress = Some(Arc::new(move |n| bar.inc(n)));
    }
    if cli.in_place {
        let result = in_place(&cli, &config, &options);
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        return result;
    }
    pipeline::pipes::enlarge_std_pipes();
    pipeline::signals::install();
    let started = Instant::now();
    let mut report_input_error = |err: &Error| eprintln!("logscrub: {}", chain(err));
    let summary = match &cli.output {
        Some(path) => {
            let mut file = ReopeningFile::open(path)?;
            pipeline::run(
                &config,
                &inputs,
                &mut file,
                &options,
                &mut report_input_error,
            )?
        }
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            let summary = pipeline::run(
                &config,
                &inputs,
                &mut lock,
                &options,
                &mut report_input_error,
            )?;
            lock.flush().map_err(|source| Error::Write { source })?;
            summary
        }
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    if cli.stats {
        print_stats(&summary, seconds, &config).context("cannot write statistics to stderr")?;
    }
    if cli.stats_json {
        print_stats_json(&summary, seconds, &config)
            .context("cannot write statistics to stderr")?;
    }
    Ok(if summary.failed_inputs > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

/// Turns the command line into the policy; the library never sees clap types.
fn construct_config(cli: &RunArgs) -> anyhow::Result<Config> {
    let mut builder = Config::builder();
    let needs_key = matches!(cli.ip, IpArg::Hash | IpArg::Prefix) || cli.user == UserArg::Hash;
    if needs_key {
        if let Some(key) = load_key(cli)? {
            builder = builder.key(key);
        }
    }
    let builder = builder
        .format(match cli.format {
            FormatArg::Auto => Format::Auto,
            FormatArg::Common => Format::Common,
            FormatArg::Combined => Format::Combined,
            FormatArg::CombinedXff => Format::CombinedXff,
            FormatArg::VhostCombined => Format::VhostCombined,
            FormatArg::Json => Format::Json,
            FormatArg::W3c => Format::W3c,
            FormatArg::Haproxy => Format::Haproxy,
            FormatArg::Elb => Format::Elb,
            FormatArg::Alb => Format::Alb,
            FormatArg::S3 => Format::S3,
        })
        .ip(match cli.ip {
            IpArg::Mask => IpPolicy::Mask,
            IpArg::Drop => IpPolicy::Drop,
            IpArg::Keep => IpPolicy::Keep,
            IpArg::Hash => IpPolicy::Hash,
            IpArg::Prefix => IpPolicy::Prefix,
        })
        .hash_format(match cli.hash_format {
            HashFormatArg::Addr => HashFormat::Addr,
            HashFormatArg::Hex => HashFormat::Hex,
        })
        .rotation(match cli.key_rotation {
            RotationArg::None => Rotation::None,
            RotationArg::Daily => Rotation::Daily,
            RotationArg::Weekly => Rotation::Weekly,
            RotationArg::Monthly => Rotation::Monthly,
        })
        .ipv4_mask(cli.ipv4_mask)
        .ipv6_mask(cli.ipv6_mask)
        .referrer(match cli.referrer {
            ReferrerArg::Strip => ReferrerPolicy::Strip,
            ReferrerArg::Origin => ReferrerPolicy::Origin,
            ReferrerArg::Redact => ReferrerPolicy::Redact,
            ReferrerArg::Drop => ReferrerPolicy::Drop,
            ReferrerArg::Keep => ReferrerPolicy::Keep,
        })
        .request(match cli.request {
            RequestArg::Redact => RequestPolicy::Redact,
            RequestArg::Strip => RequestPolicy::Strip,
            RequestArg::Keep => RequestPolicy::Keep,
        })
        .user(match cli.user {
            UserArg::Drop => UserPolicy::Drop,
            UserArg::Keep => UserPolicy::Keep,
            UserArg::Hash => UserPolicy::Hash,
        })
        .json_fields(Role::Client, cli.json_ip_fields.clone())
        .json_fields(Role::Url, cli.json_url_fields.clone())
        .json_fields(Role::Referrer, cli.json_referrer_fields.clone())
        .json_fields(Role::User, cli.json_user_fields.clone());
    let builder = match (&cli.log_format, &cli.nginx_format) {
        (Some(format), _) => builder.custom_format(CustomFormat::Apache(format.clone())),
        (None, Some(format)) => builder.custom_format(CustomFormat::Nginx(format.clone())),
        (None, None) => builder,
    };
    let builder = match &cli.w3c_fields {
        Some(names) => builder.w3c_fields(names.clone()),
        None => builder,
    };
    let config = builder.build()?;
    Ok(config)
}

/// The key from `--key-file`, else from `LOGSCRUB_KEY`, else none (a random one is drawn).
fn load_key(cli: &RunArgs) -> anyhow::Result<Option<Key>> {
    if let Some(path) = &cli.key_file {
        let (key, exposed) = Key::from_file(path)?;
        if exposed {
            eprintln!(
                "logscrub: warning: key file {} is readable by group or others; \
                 restrict it with `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
        return Ok(Some(key));
    }
    match std::env::var_os(KEY_ENV) {
        Some(value) => {
            let key = Key::decode(value.as_encoded_bytes(), &format!("the {KEY_ENV} variable"))?;
            Ok(Some(key))
        }
        None => Ok(None),
    }
}

fn inputs(cli: &RunArgs) -> Vec<Input> {
    if cli.files.is_empty() {
        return vec![Input::Stdin];
    }
    cli.files
        .iter()
        .map(|path| {
            if path.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(path.clone())
            }
        })
        .collect()
}

fn print_stats(summary: &Summary, seconds: f64, config: &Config) -> io::Result<()> {
    let s = &summary.stats;
    let mb_in = s.bytes_in as f64 / 1e6;
    let rate = if seconds > 0.0 { mb_in / seconds } else { 0.0 };
    let mut err = io::stderr().lock();
    let pad = if err.is_terminal() { "  " } else { "" };
    let ip = config.ip().name();
    writeln!(err, "logscrub: format {}, ip {ip}", config.format().name())?;
    if config.format() == Format::Auto {
        for (name, format) in &summary.formats {
            writeln!(err, "{pad}{name}: read as {}", recognised(*format))?;
        }
    }
    if config.needs_key() {
        let origin = if config.random_key() {
            "drawn at random for this run: pseudonyms are consistent within it and unlinkable across runs"
        } else {
            "given: pseudonyms are consistent across runs with the same key"
        };
        writeln!(err, "{pad}key: {origin}")?;
        if s.unkeyed_lines > 0 {
            writeln!(
                err,
                "{pad}{} lines had no usable timestamp for key rotation; their addresses were masked",
                s.unkeyed_lines
            )?;
        }
    }
    writeln!(
        err,
        "{pad}lines: {} in, {} out, {} fail-safe (did not parse as the format)",
        s.lines_in, s.lines_out, s.fallback_lines
    )?;
    writeln!(
        err,
        "{pad}redacted: {} IPs, {} e-mails, {} referrers, {} request values, {} users",
        s.ips, s.emails, s.referrers, s.request_values, s.users
    )?;
    writeln!(
        err,
        "{pad}bytes: {} in, {} out; {seconds:.3} s, {rate:.1} MB/s",
        s.bytes_in, s.bytes_out
    )
}

/// The `--stats` figures as one JSON object (stable key names, numbers only, no log content).
fn print_stats_json(summary: &Summary, seconds: f64, config: &Config) -> io::Result<()> {
    let s = &summary.stats;
    let mb_per_s = if seconds > 0.0 {
        s.bytes_in as f64 / 1e6 / seconds
    } else {
        0.0
    };
    let ip = config.ip().name();
    let inputs: Vec<String> = summary
        .formats
        .iter()
        .map(|(name, format)| {
            format!(
                "{{\"name\":\"{}\",\"format\":\"{}\"}}",
                json_escape(name),
                recognised(*format)
            )
        })
        .collect();
    let inputs = inputs.join(",");
    writeln!(
        io::stderr().lock(),
        "{{\"format\":\"{}\",\"ip\":\"{ip}\",\"random_key\":{},\"lines_in\":{},\"lines_out\":{},\
         \"fallback_lines\":{},\"ips\":{},\"emails\":{},\"referrers\":{},\"request_values\":{},\
         \"users\":{},\"unkeyed_lines\":{},\"bytes_in\":{},\"bytes_out\":{},\"failed_inputs\":{},\
         \"seconds\":{seconds:.6},\"mb_per_s\":{mb_per_s:.3},\"inputs\":[{inputs}]}}",
        config.format().name(),
        config.needs_key() && config.random_key(),
        s.lines_in,
        s.lines_out,
        s.fallback_lines,
        s.ips,
        s.emails,
        s.referrers,
        s.request_values,
        s.users,
        s.unkeyed_lines,
        s.bytes_in,
        s.bytes_out,
        summary.failed_inputs,
    )
}

/// What `--format auto` chose for an input; `auto` there means common and combined lines
/// (or nothing recognised), told apart line by line.
fn recognised(format: Format) -> &'static str {
    match format {
        Format::Auto => "common/combined",
        format => format.name(),
    }
}

/// `name` as the content of a JSON string.
fn json_escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `error: cause: cause`, like anyhow's `{:#}`, for errors that are reported and survived.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}
