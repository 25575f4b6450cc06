//! The `logscrub` binary: command line → [`Config`] → [`pipeline::run`] → exit code.

mod cli;
mod man;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;

use logscrub::check::{self, Auditor};
use logscrub::config::CustomFormat;
use logscrub::format::Role;
use logscrub::key::KeyDir;
use logscrub::pipeline::follow::FollowOptions;
use logscrub::pipeline::in_place;
use logscrub::pipeline::output::{OnFull, Output, ReopeningFile};
use logscrub::pipeline::reader::ChunkReader;
use logscrub::pipeline::{self, Input, Options, Summary};
use logscrub::{
    AgentPolicy, Config, Error, Format, HashFormat, IpPolicy, Key, ReferrerPolicy, RequestPolicy,
    Rotation, UserPolicy,
};

use cli::CheckArgs;
use cli::{
    AgentArg, Cli, Command, FormatArg, HashFormatArg, IpArg, OnFullArg, ReferrerArg, RequestArg,
    RotationArg, RunArgs, UserArg,
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
            pipeline::signals::ignore_hangup();
            Key::generate_file(&path)?;
            eprintln!(
                "logscrub: wrote a new key to {} (mode 0600)",
                path.display()
            );
            Ok(EXIT_OK)
        }
        Some(Command::Check(args)) => {
            // A `kill -HUP` meant for a piped logger, or a closed terminal, does not end it.
            pipeline::signals::ignore_hangup();
            check(*args)
        }
        Some(Command::Completions { shell }) => {
            // Into a buffer first: `generate` panics on a write error such as a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "logscrub", &mut script);
            io::stdout()
                .write_all(&script)
                .map_err(|source| Error::Write { source })?;
            Ok(EXIT_OK)
        }
        Some(Command::Man { page }) => {
            // Into a buffer first, like the completions.
            let mut roff = Vec::new();
            man::render(page, &mut roff).map_err(|source| Error::Write { source })?;
            io::stdout()
                .write_all(&roff)
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
    // A stop signal: the index of the first file not rewritten (nor looked at) because of it.
    let mut interrupted = None;
    for (n, path) in cli.files.iter().enumerate() {
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
        if pipeline::signals::stop_requested() {
            interrupted = Some(n);
            break;
        }
        match in_place::rewrite(config, path, options, cli.follow_symlinks) {
            Ok(summary) => {
                rewritten += 1;
                total.stats.merge(&summary.stats);
                // The temporary input name stands for the file being rewritten.
                let name = path.display().to_string();
                let formats = summary.formats.into_iter().map(|(_, f)| (name.clone(), f));
                total.formats.extend(formats);
            }
            Err(Error::Interrupted { signal }) => {
                eprintln!(
                    "logscrub: stopped by {} while rewriting {}: it is unchanged and the \
                     temporary file removed",
                    pipeline::signals::signal_name(signal),
                    path.display()
                );
                interrupted = Some(n + 1);
                break;
            }
            Err(err @ Error::Refused { .. }) => {
                eprintln!("logscrub: {}", chain(&err));
                total.failed_inputs += 1;
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
    let keys_failed = report_key_dir(config);
    if let Some(next) = interrupted {
        let left = cli.files.len() - next;
        if left > 0 {
            eprintln!(
                "logscrub: stopped by {}: {left} more file{} not rewritten",
                stop_name(),
                if left == 1 { "" } else { "s" }
            );
        }
        return Ok(exit_interrupted());
    }
    Ok(if total.failed_inputs > 0 || keys_failed {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

/// Exit status of a run that a signal cut short: 128 + the signal, as a shell reports a
/// command killed by it.
fn exit_interrupted() -> u8 {
    let signal = pipeline::signals::stop_signal().unwrap_or(libc::SIGTERM);
    u8::try_from(128 + signal).unwrap_or(EXIT_ERROR)
}

/// The name of the signal that stopped the run.
fn stop_name() -> &'static str {
    pipeline::signals::signal_name(pipeline::signals::stop_signal().unwrap_or(libc::SIGTERM))
}

/// `logscrub chek access.log`: the first FILE does not exist and is spelled like a
/// subcommand. Returns the subcommand meant.
fn mistyped_subcommand(files: &[std::path::PathBuf]) -> Option<&'static str> {
    let first = files.first()?.to_str()?;
    if first.contains('/') || first.contains('.') || std::path::Path::new(first).exists() {
        return None;
    }
    let first = first.to_ascii_lowercase();
    ["check", "keygen", "completions", "man", "help"]
        .into_iter()
        .find(|name| {
            let allowed = if name.len() <= 4 { 1 } else { 2 };
            edit_distance(&first, name) <= allowed
        })
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours (`chekc`) each count one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Found personal data (`check`).
const EXIT_FOUND: u8 = 1;

/// `logscrub check`: audits each input and reports what it found, per file and class.
fn check(args: CheckArgs) -> anyhow::Result<u8> {
    if let Some(option) = args.scrub_only.given() {
        let mut cli = Cli::command();
        let command = cli
            .find_subcommand_mut("check")
            .expect("check is a subcommand");
        command.set_bin_name("logscrub check");
        command
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "{option} is a scrubbing option: `logscrub check` only reads, and takes only \
                     the options that change what a log may hold (the format options, \
                     --ipv4-mask, --ipv6-mask, --ip, --hash-format, --user, --referrer, --request)"
                ),
            )
            .exit();
    }
    let config = check_config(&args)?;
    let mut reports = Vec::new();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let inputs: Vec<Input> = if args.files.is_empty() {
        vec![Input::Stdin]
    } else {
        args.files
            .iter()
            .map(|path| match path.as_os_str() == "-" {
                true => Input::Stdin,
                false => Input::Path(path.clone()),
            })
            .collect()
    };
    for input in inputs {
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
        let result = match read {
            Ok(()) => Ok(auditor.audit().clone()),
            Err(err) => {
                eprintln!("logscrub: {}", chain(&err));
                Err(chain(&err))
            }
        };
        if let (false, Ok(audit)) = (args.json, &result) {
            check::write_text(&mut out, &input.name(), audit)
                .map_err(|source| Error::Write { source })?;
        }
        reports.push(check::Report {
            name: input.name(),
            result,
        });
    }
    if args.json {
        check::write_json(&mut out, &reports).map_err(|source| Error::Write { source })?;
    }
    out.flush().map_err(|source| Error::Write { source })?;
    Ok(if reports.iter().any(|r| r.result.is_err()) {
        EXIT_ERROR
    } else if reports
        .iter()
        .any(|r| r.result.as_ref().is_ok_and(|a| !a.is_clean()))
    {
        EXIT_FOUND
    } else {
        EXIT_OK
    })
}

/// The policy `check` judges by: only the options that change what a log may hold.
fn check_config(args: &CheckArgs) -> anyhow::Result<Config> {
    let builder = Config::builder()
        .format(format_of(args.format))
        .ip(match args.ip {
            IpArg::Mask => IpPolicy::Mask,
            IpArg::Drop => IpPolicy::Drop,
            IpArg::Keep => IpPolicy::Keep,
            IpArg::Hash => IpPolicy::Hash,
            IpArg::Prefix => IpPolicy::Prefix,
        })
        .hash_format(match args.hash_format {
            HashFormatArg::Addr => HashFormat::Addr,
            HashFormatArg::Hex => HashFormat::Hex,
        })
        .ipv4_mask(args.ipv4_mask)
        .ipv6_mask(args.ipv6_mask)
        .skip_private(args.skip_private)
        .keep_networks(args.keep_networks.clone())
        .referrer(match args.referrer {
            ReferrerArg::Strip => ReferrerPolicy::Strip,
            ReferrerArg::Origin => ReferrerPolicy::Origin,
            ReferrerArg::Redact => ReferrerPolicy::Redact,
            ReferrerArg::Drop => ReferrerPolicy::Drop,
            ReferrerArg::Keep => ReferrerPolicy::Keep,
        })
        .request(match args.request {
            RequestArg::Redact => RequestPolicy::Redact,
            RequestArg::Strip => RequestPolicy::Strip,
            RequestArg::Keep => RequestPolicy::Keep,
        })
        .user(match args.user {
            UserArg::Drop => UserPolicy::Drop,
            UserArg::Keep => UserPolicy::Keep,
            UserArg::Hash => UserPolicy::Hash,
        })
        .json_fields(Role::Client, args.json_ip_fields.clone())
        .json_fields(Role::Url, args.json_url_fields.clone())
        .json_fields(Role::Referrer, args.json_referrer_fields.clone())
        .json_fields(Role::User, args.json_user_fields.clone());
    let builder = match (&args.log_format, &args.nginx_format) {
        (Some(format), _) => builder.custom_format(CustomFormat::Apache(format.clone())),
        (None, Some(format)) => builder.custom_format(CustomFormat::Nginx(format.clone())),
        (None, None) => builder,
    };
    let builder = match &args.w3c_fields {
        Some(names) => builder.w3c_fields(names.clone()),
        None => builder,
    };
    Ok(builder.build()?)
}

fn format_of(format: FormatArg) -> Format {
    match format {
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
    }
}

fn scrub(cli: RunArgs) -> anyhow::Result<u8> {
    if let Some(meant) = mistyped_subcommand(&cli.files) {
        let typed = cli.files[0].display();
        Cli::command()
            .error(
                clap::error::ErrorKind::InvalidSubcommand,
                format!("`{typed}` is neither a file nor a subcommand; did you mean `{meant}`?"),
            )
            .exit();
    }
    let config = construct_config(&cli)?;
    let inputs = inputs(&cli);
    // The handlers before the pid file: a SIGHUP sent as soon as the file names this process
    // must find them. Under --in-place SIGTERM, SIGINT and SIGHUP end the rewrite of the
    // current file without a trace.
    pipeline::signals::install();
    if cli.in_place {
        pipeline::signals::hangup_stops();
    }
    // Written once the command line is known to be good; removed when this returns.
    let _pid_file = match &cli.pid_file {
        Some(path) => Some(
            pipeline::pidfile::PidFile::create(path)
                .with_context(|| format!("cannot write pid file {}", path.display()))?,
        ),
        None => None,
    };
    let mut options = Options::default();
    if let Some(threads) = cli.threads {
        options.threads = threads as usize;
    }
    // A followed file has no end to show progress towards.
    let progress = if cli.follow {
        None
    } else {
        progress_bar(&inputs)
    };
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
    if cli.follow && !matches!(inputs.as_slice(), [Input::Path(_)]) {
        anyhow::bail!("--follow takes exactly one FILE, not standard input");
    }
    // A full disk: -o waits (a piped logger must not lose lines), standard output fails as
    // it always did (a pipe never fills up; a redirected batch job wants a prompt error).
    let on_full = match (cli.on_full, &cli.output) {
        (Some(OnFullArg::Wait), _) | (None, Some(_)) => OnFull::Wait,
        (Some(OnFullArg::Exit), _) | (None, None) => OnFull::Exit,
    };
    pipeline::pipes::enlarge_std_pipes();
    let started = Instant::now();
    let mut report_input_error = |err: &Error| eprintln!("logscrub: {}", chain(err));
    let summary = match &cli.output {
        Some(path) => {
            let mut file = ReopeningFile::open(path)?.on_full(on_full);
            let mut summary = run_or_follow(
                &cli,
                &config,
                &inputs,
                &mut file,
                &options,
                &mut report_input_error,
            )?;
            summary.torn_lines_ended = file.torn_lines();
            summary
        }
        // Unbuffered, like -o: where standard output is a file, a line cut short by a full
        // disk is taken back out of it.
        None => {
            let mut out = ReopeningFile::stdout()?.on_full(on_full);
            run_or_follow(
                &cli,
                &config,
                &inputs,
                &mut out,
                &options,
                &mut report_input_error,
            )?
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
    let keys_failed = report_key_dir(&config);
    if let Some(name) = &summary.incomplete {
        // Never mistaken for a finished run (`logscrub a.log > b && mv b a`).
        eprintln!(
            "logscrub: stopped by {} before the end of {name}: the output is incomplete",
            stop_name()
        );
        return Ok(exit_interrupted());
    }
    Ok(if summary.failed_inputs > 0 || keys_failed {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

/// Runs over the inputs, or follows the one FILE with `--follow`.
fn run_or_follow<O: Output>(
    cli: &RunArgs,
    config: &Config,
    inputs: &[Input],
    out: &mut O,
    options: &Options,
    on_error: &mut dyn FnMut(&Error),
) -> Result<Summary, Error> {
    match inputs {
        [Input::Path(path)] if cli.follow => {
            let follow = FollowOptions {
                state: cli.state.clone(),
                ..FollowOptions::default()
            };
            pipeline::follow(config, path, out, options, &follow, on_error)
        }
        _ => pipeline::run(config, inputs, out, options, on_error),
    }
}

/// Reports warnings about key files and the periods whose key could not be had in the key
/// directory (their lines were masked). Returns whether any period failed.
fn report_key_dir(config: &Config) -> bool {
    let Some(dir) = config.key_dir() else {
        return false;
    };
    for warning in dir.warnings() {
        eprintln!("logscrub: warning: {warning}");
    }
    let failures = dir.failures();
    for failure in &failures {
        eprintln!("logscrub: {failure}; the addresses of that period's lines were masked");
    }
    !failures.is_empty()
}

/// Turns the command line into the policy; the library never sees clap types.
fn construct_config(cli: &RunArgs) -> anyhow::Result<Config> {
    let mut builder = Config::builder();
    let needs_key = matches!(cli.ip, IpArg::Hash | IpArg::Prefix) || cli.user == UserArg::Hash;
    if cli.key_dir.is_some() && matches!(cli.key_rotation, RotationArg::None) {
        anyhow::bail!(
            "--key-dir needs --key-rotation daily, weekly or monthly: it holds one key per period"
        );
    }
    if needs_key {
        if let Some(path) = &cli.key_dir {
            let (dir, warning) = KeyDir::open(path)?;
            if let Some(warning) = warning {
                eprintln!("logscrub: warning: {warning}");
            }
            if std::env::var_os(KEY_ENV).is_some() {
                eprintln!("logscrub: warning: {KEY_ENV} is ignored: --key-dir gives the keys");
            }
            builder = builder.key_dir(dir);
        } else if let Some(key) = load_key(cli)? {
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
        .skip_private(cli.skip_private)
        .keep_networks(cli.keep_networks.clone())
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
        .agent(match cli.agent {
            AgentArg::Keep => AgentPolicy::Keep,
            AgentArg::Reduce => AgentPolicy::Reduce,
            AgentArg::Drop => AgentPolicy::Drop,
        })
        .count_agents(cli.stats || cli.stats_json)
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
        let origin = if let Some(dir) = config.key_dir() {
            format!(
                "one per {} from {} (UTC periods)",
                match config.rotation() {
                    Rotation::Daily => "day",
                    Rotation::Weekly => "ISO week",
                    _ => "month",
                },
                dir.path().display()
            )
        } else if config.random_key() {
            "drawn at random for this run: pseudonyms are consistent within it and unlinkable across runs".to_string()
        } else {
            "given: pseudonyms are consistent across runs with the same key".to_string()
        };
        writeln!(err, "{pad}key: {origin}")?;
        if config.key_dir().is_some() {
            writeln!(
                err,
                "{pad}period keys created: {}",
                periods(&s.period_keys_created)
            )?;
        }
        if config.rotation() != Rotation::None {
            writeln!(
                err,
                "{pad}period keys used: {}",
                periods(&s.period_keys_used)
            )?;
        }
        if s.unkeyed_lines > 0 {
            writeln!(
                err,
                "{pad}{} lines had no usable timestamp for key rotation; their addresses were masked",
                s.unkeyed_lines
            )?;
        }
        if s.key_failed_lines > 0 {
            writeln!(
                err,
                "{pad}{} lines had no key for their period (see the error); their addresses were masked",
                s.key_failed_lines
            )?;
        }
    }
    writeln!(
        err,
        "{pad}lines: {} in, {} out, {} fail-safe (did not parse as the format)",
        s.lines_in, s.lines_out, s.fallback_lines
    )?;
    if summary.torn_lines_ended > 0 {
        writeln!(
            err,
            "{pad}output: {} torn last line(s) left by an earlier writer ended with a newline",
            summary.torn_lines_ended
        )?;
    }
    writeln!(
        err,
        "{pad}redacted: {} IPs, {} e-mails, {} referrers, {} request values, {} users",
        s.ips, s.emails, s.referrers, s.request_values, s.users
    )?;
    if !s.agents_in.is_empty() {
        let (distinct_in, bits_in) = logscrub::stats::fingerprint(&s.agents_in);
        let (distinct_out, bits_out) = logscrub::stats::fingerprint(&s.agents_out);
        writeln!(
            err,
            "{pad}user agents: {distinct_in} distinct in, {distinct_out} out; entropy {bits_in:.2} \
             bits in, {bits_out:.2} out"
        )?;
    }
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
                logscrub::check::json_escape(name),
                recognised(*format)
            )
        })
        .collect();
    let inputs = inputs.join(",");
    let agents_in = logscrub::stats::fingerprint(&s.agents_in);
    let agents_out = logscrub::stats::fingerprint(&s.agents_out);
    writeln!(
        io::stderr().lock(),
        "{{\"format\":\"{}\",\"ip\":\"{ip}\",\"random_key\":{},\"lines_in\":{},\"lines_out\":{},\
         \"fallback_lines\":{},\"ips\":{},\"emails\":{},\"referrers\":{},\"request_values\":{},\
         \"users\":{},\"unkeyed_lines\":{},\"key_failed_lines\":{},\"period_keys_created\":[{}],\
         \"period_keys_used\":[{}],\"agents_in\":{},\"agents_out\":{},\"agent_bits_in\":{:.4},\
         \"agent_bits_out\":{:.4},\"bytes_in\":{},\"bytes_out\":{},\"failed_inputs\":{},\
         \"torn_lines_ended\":{},\"incomplete\":{},\
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
        s.key_failed_lines,
        json_labels(&s.period_keys_created),
        json_labels(&s.period_keys_used),
        agents_in.0,
        agents_out.0,
        agents_in.1,
        agents_out.1,
        s.bytes_in,
        s.bytes_out,
        summary.failed_inputs,
        summary.torn_lines_ended,
        summary.incomplete.is_some(),
    )
}

/// Period labels for `--stats`: all of them up to eight, else how many and the first and last.
fn periods(labels: &std::collections::BTreeSet<String>) -> String {
    match labels.len() {
        0 => "none".to_string(),
        1..=8 => labels.iter().cloned().collect::<Vec<_>>().join(", "),
        n => format!(
            "{n} periods, {} … {}",
            labels.first().expect("not empty"),
            labels.last().expect("not empty")
        ),
    }
}

/// Period labels (digits, `-` and `W`) as the items of a JSON array.
fn json_labels(labels: &std::collections::BTreeSet<String>) -> String {
    let quoted: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
    quoted.join(",")
}

/// What `--format auto` chose for an input; `auto` there means common and combined lines
/// (or nothing recognised), told apart line by line.
fn recognised(format: Format) -> &'static str {
    match format {
        Format::Auto => "common/combined",
        format => format.name(),
    }
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
