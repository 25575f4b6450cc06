//! The command line turned into the library's terms: a [`Config`], [`Options`] and inputs.
//! Only the binary sees clap's types; this is the one place that reads them.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::CommandFactory;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use logscrub::config::CustomFormat;
use logscrub::pipeline::follow::FollowOptions;
use logscrub::pipeline::in_place::Batch;
use logscrub::pipeline::output::OnFull;
use logscrub::pipeline::{Input, Options, Target};
use logscrub::Role;
use logscrub::{
    AgentPolicy, Config, ConfigBuilder, Format, HashFormat, IpPolicy, ReferrerPolicy,
    RequestPolicy, Rotation, UserPolicy,
};

use crate::cli::{
    AgentArg, CheckArgs, Cli, FormatArg, FormatArgs, HashFormatArg, IpArg, OnFullArg, PolicyArgs,
    ReferrerArg, RequestArg, RotationArg, RunArgs, UserArg,
};

/// What `check` needs: the policy it judges by (only the options that change what a log may
/// hold), the inputs, and how many to audit at once (one per available core: `--threads` is a
/// scrubbing option, which `check` refuses). Exits with a usage error (status 2) if a scrubbing
/// option was given.
pub fn check(args: &CheckArgs) -> anyhow::Result<(Config, Vec<Input>, usize)> {
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
    let config = policy(&args.format, &args.policy).build()?;
    Ok((config, inputs(&args.files), Options::default().threads))
}

/// The policy of a scrubbing run, with its keys loaded (warnings about them printed), once the
/// command line is known to make sense.
pub fn scrub_config(args: &RunArgs) -> anyhow::Result<Config> {
    if let Some(meant) = mistyped_subcommand(&args.files) {
        let typed = args.files[0].display();
        Cli::command()
            .error(
                clap::error::ErrorKind::InvalidSubcommand,
                format!("`{typed}` is neither a file nor a subcommand; did you mean `{meant}`?"),
            )
            .exit();
    }
    let inputs = inputs(&args.files);
    if args.in_place && inputs.contains(&Input::Stdin) {
        anyhow::bail!("--in-place needs file names, not standard input");
    }
    if args.follow && !matches!(inputs.as_slice(), [Input::Path(_)]) {
        anyhow::bail!("--follow takes exactly one FILE, not standard input");
    }
    if args.key_dir.is_some() && matches!(args.key_rotation, RotationArg::None) {
        anyhow::bail!(
            "--key-dir needs --key-rotation daily, weekly or monthly: it holds one key per period"
        );
    }
    let mut builder = policy(&args.format, &args.policy)
        .rotation(match args.key_rotation {
            RotationArg::None => Rotation::None,
            RotationArg::Daily => Rotation::Daily,
            RotationArg::Weekly => Rotation::Weekly,
            RotationArg::Monthly => Rotation::Monthly,
        })
        .agent(match args.agent {
            AgentArg::Keep => AgentPolicy::Keep,
            AgentArg::Reduce => AgentPolicy::Reduce,
            AgentArg::Drop => AgentPolicy::Drop,
        })
        .count_agents(args.stats || args.stats_json);
    let needs_key =
        matches!(args.policy.ip, IpArg::Hash | IpArg::Prefix) || args.policy.user == UserArg::Hash;
    if needs_key {
        let keys = logscrub::key::load(args.key_file.as_deref(), args.key_dir.as_deref())?;
        for warning in &keys.warnings {
            eprintln!("logscrub: warning: {warning}");
        }
        if let Some(dir) = keys.dir {
            builder = builder.key_dir(dir);
        }
        if let Some(key) = keys.key {
            builder = builder.key(key);
        }
    }
    Ok(builder.build()?)
}

/// The part of the policy that scrubbing and `check` share.
fn policy(format: &FormatArgs, policy: &PolicyArgs) -> ConfigBuilder {
    let builder = Config::builder()
        .format(match format.format {
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
        .json_fields(Role::Client, format.json_ip_fields.clone())
        .json_fields(Role::Url, format.json_url_fields.clone())
        .json_fields(Role::Referrer, format.json_referrer_fields.clone())
        .json_fields(Role::User, format.json_user_fields.clone())
        .ip(match policy.ip {
            IpArg::Mask => IpPolicy::Mask,
            IpArg::Drop => IpPolicy::Drop,
            IpArg::Keep => IpPolicy::Keep,
            IpArg::Hash => IpPolicy::Hash,
            IpArg::Prefix => IpPolicy::Prefix,
        })
        .hash_format(match policy.hash_format {
            HashFormatArg::Addr => HashFormat::Addr,
            HashFormatArg::Hex => HashFormat::Hex,
        })
        .ipv4_mask(policy.ipv4_mask)
        .ipv6_mask(policy.ipv6_mask)
        .skip_private(policy.skip_private)
        .keep_networks(policy.keep_networks.clone())
        .referrer(match policy.referrer {
            ReferrerArg::Strip => ReferrerPolicy::Strip,
            ReferrerArg::Origin => ReferrerPolicy::Origin,
            ReferrerArg::Redact => ReferrerPolicy::Redact,
            ReferrerArg::Drop => ReferrerPolicy::Drop,
            ReferrerArg::Keep => ReferrerPolicy::Keep,
        })
        .request(match policy.request {
            RequestArg::Redact => RequestPolicy::Redact,
            RequestArg::Strip => RequestPolicy::Strip,
            RequestArg::Keep => RequestPolicy::Keep,
        })
        .user(match policy.user {
            UserArg::Drop => UserPolicy::Drop,
            UserArg::Keep => UserPolicy::Keep,
            UserArg::Hash => UserPolicy::Hash,
        });
    let builder = match (&format.log_format, &format.nginx_format) {
        (Some(format), _) => builder.custom_format(CustomFormat::Apache(format.clone())),
        (None, Some(format)) => builder.custom_format(CustomFormat::Nginx(format.clone())),
        (None, None) => builder,
    };
    match &format.w3c_fields {
        Some(names) => builder.w3c_fields(names.clone()),
        None => builder,
    }
}

/// The FILE arguments as inputs: none, or `-`, is standard input.
pub fn inputs(files: &[PathBuf]) -> Vec<Input> {
    if files.is_empty() {
        return vec![Input::Stdin];
    }
    files
        .iter()
        .map(|path| match path.as_os_str() == "-" {
            true => Input::Stdin,
            false => Input::Path(path.clone()),
        })
        .collect()
}

/// How to run, and the progress bar that [`Options::progress`] feeds, if one is shown: on
/// stderr, only when stderr is a terminal and every input is a file (the size of a pipe is
/// unknown), and never under `--follow` (a followed file has no end to show progress towards).
pub fn options(args: &RunArgs, inputs: &[Input]) -> (Options, Option<ProgressBar>) {
    let mut options = Options {
        max_line: args.max_line_length,
        ..Options::default()
    };
    if let Some(threads) = args.threads {
        options.threads = threads as usize;
    }
    if args.follow || !io::stderr().is_terminal() {
        return (options, None);
    }
    let mut total = 0;
    for input in inputs {
        match input {
            Input::Path(path) => total += std::fs::metadata(path).map_or(0, |m| m.len()),
            Input::Stdin => return (options, None),
        }
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .expect("the template is valid"),
    );
    let inc = bar.clone();
    options.progress = Some(Arc::new(move |n| inc.inc(n)));
    (options, Some(bar))
}

/// Where a scrubbing run writes, and whether it follows its file. When the disk is full, `-o`
/// waits (a piped logger must not lose lines), standard output fails as it always did (a pipe
/// never fills up; a redirected batch job wants a prompt error).
pub fn target(args: &RunArgs) -> Target {
    Target {
        output: args.output.clone(),
        on_full: match (args.on_full, &args.output) {
            (Some(OnFullArg::Wait), _) | (None, Some(_)) => OnFull::Wait,
            (Some(OnFullArg::Exit), _) | (None, None) => OnFull::Exit,
        },
        follow: args.follow.then(|| FollowOptions {
            state: args.state.clone(),
            ..FollowOptions::default()
        }),
    }
}

/// What `--in-place` rewrites, and how.
pub fn batch(args: &RunArgs) -> Batch {
    Batch {
        older_than: args.older_than,
        follow_symlinks: args.follow_symlinks,
    }
}

/// `logscrub chek access.log`: the first FILE does not exist and is spelled like a
/// subcommand. Returns the subcommand meant.
fn mistyped_subcommand(files: &[PathBuf]) -> Option<&'static str> {
    let first = files.first()?.to_str()?;
    if first.contains('/') || first.contains('.') || Path::new(first).exists() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_subcommands() {
        let files = |name: &str| vec![PathBuf::from(name)];
        assert_eq!(mistyped_subcommand(&files("chek")), Some("check"));
        assert_eq!(mistyped_subcommand(&files("chekc")), Some("check"));
        assert_eq!(mistyped_subcommand(&files("kegen")), Some("keygen"));
        assert_eq!(mistyped_subcommand(&files("access.log")), None);
        assert_eq!(mistyped_subcommand(&files("zzzzz")), None);
    }
}
