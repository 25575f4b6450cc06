//! The command line, and nothing else: clap definitions whose doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Makes web-server access logs privacy-compliant: truncates IP addresses and removes personal
/// data from referrers, request URLs and the user field, keeping the log format byte for byte
/// everywhere else.
///
/// Reads the FILEs (or standard input) and writes to standard output. With no options the output
/// is anonymous: IPv4 /24, IPv6 /48, referrers cut to scheme://host/path, personal request values
/// replaced by REDACTED, users dropped.
#[derive(Debug, Parser)]
#[command(
    name = "logscrub",
    version,
    about,
    long_about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new random 32-byte key (64 hex digits) to PATH with mode 0600, for --key-file or
    /// LOGSCRUB_KEY. An existing file is never overwritten.
    Keygen {
        /// Where to write the key.
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// Audit logs for personal data left in them, independently of the scrubber: addresses
    /// with host bits under the given masks, e-mail addresses, userinfo, sensitive parameter
    /// values, credentials and tokens, cookie and credential fields, phone, card, IBAN and UUID
    /// numbers, precise coordinates, client host names and users. Reports counts and line
    /// numbers per class, never the data. Exit status 1 if anything is found, 0 if clean, 2 on
    /// usage errors and unreadable inputs: usable as a CI gate. Takes only the options that
    /// change what is allowed.
    Check(Box<CheckArgs>),
    /// Print a shell completion script (for example into /usr/share/bash-completion/completions/).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `logscrub man > /usr/local/share/man/man1/logscrub.1`,
    /// or a subcommand's (`logscrub man check > …/man1/logscrub-check.1`).
    Man {
        /// The subcommand whose page to print; none: the main page.
        #[arg(value_enum, value_name = "SUBCOMMAND")]
        page: Option<ManPage>,
    },
}

/// The subcommands with a manual page of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ManPage {
    Check,
    Keygen,
    Completions,
}

/// `logscrub check` options: those that change what a log may hold. Scrubbing options are
/// accepted here only to be refused with a message that says so (`scrub_only`).
///
/// The policy options are the scrubber's; their help is reworded to say what each allows in a
/// log, which is what they mean to `check`.
#[derive(Debug, Args)]
#[command(
    mut_arg("format", |a| a.help("Input format, as for scrubbing")),
    mut_arg("ip", |a| a.help(
        "The IP policy the log was scrubbed with: mask and drop allow no bits beyond the masks \
         (drop: none), hash also the pseudonym ranges 240.0.0.0/4 and fd00::/8, keep and prefix \
         any address")),
    mut_arg("hash_format", |a| a.help(
        "How --ip hash wrote pseudonyms (hex: 16 hex digits are allowed for addresses)")),
    mut_arg("ipv4_mask", |a| a.help("Low IPv4 bits that must be zero (0..=32)")),
    mut_arg("ipv6_mask", |a| a.help("Low IPv6 bits that must be zero (0..=128)")),
    mut_arg("referrer", |a| a.help(
        "The referrer policy: under keep, referrers may keep parameter values and path tokens")),
    mut_arg("request", |a| a.help(
        "The request policy: under keep, request URLs may keep parameter values and path \
         tokens")),
    mut_arg("user", |a| a.help(
        "The user policy: drop allows only `-`, hash only `u` and 16 hex digits, keep any user")),
)]
pub struct CheckArgs {
    /// Input files; none or `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write one JSON document (per input and class: lines and first line numbers) instead of
    /// the text report.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub scrub_only: ScrubOnly,
}

/// Scrubbing options that `check` refuses (usage error, exit status 2): they say where and how
/// to write, or how pseudonyms are keyed, which does not change what a log may hold.
#[derive(Debug, Args)]
pub struct ScrubOnly {
    #[arg(short, long, hide = true, value_name = "PATH")]
    pub output: Option<String>,
    #[arg(long, hide = true)]
    pub in_place: bool,
    #[arg(long, hide = true, value_name = "DURATION")]
    pub older_than: Option<String>,
    #[arg(short = 'F', long, hide = true)]
    pub follow: bool,
    #[arg(long, hide = true, value_name = "FILE")]
    pub state: Option<String>,
    #[arg(long, hide = true, value_name = "WHAT")]
    pub on_full: Option<String>,
    #[arg(long, hide = true, value_name = "N")]
    pub threads: Option<String>,
    #[arg(long, hide = true, value_name = "BYTES")]
    pub max_line_length: Option<String>,
    #[arg(long, hide = true)]
    pub stats: bool,
    #[arg(long, hide = true)]
    pub stats_json: bool,
    #[arg(long, hide = true, value_name = "PATH")]
    pub key_file: Option<String>,
    #[arg(long, hide = true, value_name = "PERIOD")]
    pub key_rotation: Option<String>,
    #[arg(long, hide = true, value_name = "DIR")]
    pub key_dir: Option<String>,
    #[arg(long, hide = true, value_name = "POLICY")]
    pub agent: Option<String>,
}

impl ScrubOnly {
    /// The first scrubbing option given, as written on the command line.
    pub fn given(&self) -> Option<&'static str> {
        [
            (self.output.is_some(), "--output"),
            (self.in_place, "--in-place"),
            (self.older_than.is_some(), "--older-than"),
            (self.follow, "--follow"),
            (self.state.is_some(), "--state"),
            (self.on_full.is_some(), "--on-full"),
            (self.threads.is_some(), "--threads"),
            (self.max_line_length.is_some(), "--max-line-length"),
            (self.stats, "--stats"),
            (self.stats_json, "--stats-json"),
            (self.key_file.is_some(), "--key-file"),
            (self.key_rotation.is_some(), "--key-rotation"),
            (self.key_dir.is_some(), "--key-dir"),
            (self.agent.is_some(), "--agent"),
        ]
        .into_iter()
        .find_map(|(set, name)| set.then_some(name))
    }
}

/// Scrubbing options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Input files; none or `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Append to PATH (created if missing) instead of writing to standard output.
    #[arg(short, long, value_name = "PATH", conflicts_with = "in_place")]
    pub output: Option<PathBuf>,

    /// When the output's disk is full or the quota used up: hold the lines and retry until
    /// there is space, pausing the input meanwhile (wait), or stop with exit status 2 (exit).
    /// Default: wait with --output, exit on standard output.
    #[arg(long, value_enum, value_name = "WHAT", conflicts_with = "in_place")]
    pub on_full: Option<OnFullArg>,

    /// Follow FILE as it grows, across rotation (rename and create, or copytruncate), until
    /// SIGTERM or SIGINT, which flush, save --state and exit 0. One FILE, not standard input.
    #[arg(short = 'F', long, conflicts_with = "in_place", requires = "files")]
    pub follow: bool,

    /// With --follow: keep the position in FILE (replaced atomically, synced after the
    /// output), so that a restart goes on where the last run stopped, even if the log was
    /// rotated meanwhile, neither skipping nor repeating lines.
    #[arg(long, value_name = "FILE", requires = "follow")]
    pub state: Option<PathBuf>,

    /// Rewrite each FILE where it lies, atomically (temporary file in the same directory, fsync,
    /// rename), keeping its mode, owner and compression; on any failure the original is kept.
    #[arg(long, requires = "files")]
    pub in_place: bool,

    /// With --in-place: rewrite the file a symbolic link points to, keeping the link (as GNU
    /// sed does). Without it a symbolic link is refused, as is a file with other hard links:
    /// their raw data would stay under another name.
    #[arg(long, requires = "in_place")]
    pub follow_symlinks: bool,

    /// Write the process id to PATH at start and remove it at exit, for rotation scripts:
    /// `kill -HUP "$(cat PATH)"` signals this logscrub only.
    #[arg(long, value_name = "PATH")]
    pub pid_file: Option<PathBuf>,

    /// With --in-place: only files last modified longer ago than DURATION (`7d`, `12h`, `30m`,
    /// `90s`, `2w`). "IP addresses are kept at most seven days" as one cron line.
    #[arg(long, value_name = "DURATION", requires = "in_place", value_parser = parse_age)]
    pub older_than: Option<std::time::Duration>,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Key for --ip hash|prefix and --user hash: 32 bytes, raw, hex or base64 (see `keygen`).
    /// Also read from the LOGSCRUB_KEY environment variable. Without either, a random key is
    /// drawn for the run: pseudonyms are consistent within it and unlinkable across runs.
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,

    /// A new pseudonym key per UTC day, ISO week or month of each line's own timestamp
    /// (offset applied): from --key-dir, or derived from the --key-file / LOGSCRUB_KEY key.
    #[arg(long, value_enum, default_value_t = RotationArg::None, value_name = "PERIOD")]
    pub key_rotation: RotationArg,

    /// Directory of per-period keys for --key-rotation: one random key file per period
    /// (2024-05-17.key, 2024-W20.key, 2024-05.key), made on first need with mode 0600 and never
    /// overwritten. Deleting a period's file makes its pseudonyms unlinkable for good. Must not
    /// be writable by group or others.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "key_file",
        requires = "key_rotation"
    )]
    pub key_dir: Option<PathBuf>,

    /// User agent: keep it (personal data in it is still scrubbed), reduce it to browser,
    /// major version and OS (device models, minor and build versions go), or drop it (`-`).
    #[arg(long, value_enum, default_value_t = AgentArg::Keep, value_name = "POLICY")]
    pub agent: AgentArg,

    /// Worker threads; default: one per available core. Under --in-place, also how many files
    /// are rewritten at once. Every count gives the same output.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,

    /// Longest line kept whole, in bytes (suffixes K, M, G); a longer line is written as one
    /// line `REDACTED`, which holds nothing of it (a line cut short could hold half an
    /// address), and counted in --stats. Bounds memory against runaway input. Not applied
    /// under --follow.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = parse_line_length)]
    pub max_line_length: usize,

    /// Print a summary (lines, fail-safe lines, redactions, bytes, throughput) on stderr at the end.
    #[arg(long)]
    pub stats: bool,

    /// Print the summary as one JSON object on stderr at the end, for machines.
    #[arg(long)]
    pub stats_json: bool,
}

/// How the input is read: the same for scrubbing and `check`.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Input format; `auto` recognises each input's format from its first lines (`--stats`
    /// says which), and lines of no known format get the fail-safe scrub.
    #[arg(short, long, value_parser = FormatParser, default_value = "auto", value_name = "FORMAT")]
    pub format: FormatArg,

    /// Read lines in this Apache LogFormat, e.g. '%h %l %u %t "%r" %>s %b "%{Referer}i"'.
    #[arg(long, value_name = "STRING", conflicts_with_all = ["format", "nginx_format"])]
    pub log_format: Option<String>,

    /// Read lines in this nginx log_format, e.g. '$remote_addr - $remote_user [$time_local] "$request" …'.
    #[arg(long, value_name = "STRING", conflicts_with = "format")]
    pub nginx_format: Option<String>,

    /// Columns of W3C lines before any `#Fields:` line, named as in one, e.g. 'date time c-ip
    /// cs-username cs-uri-stem cs-uri-query': for pieces of a log cut without its header.
    /// Implies `--format w3c`; a `#Fields:` line in the input replaces them. Without it,
    /// headerless lines are read in IIS's default columns when they have their shape.
    #[arg(long, value_name = "NAMES", conflicts_with_all = ["log_format", "nginx_format"])]
    pub w3c_fields: Option<String>,

    /// JSON keys (dotted paths like `request.remote_ip`, or bare names) holding client
    /// addresses, besides the known ones. Comma-separated; repeatable.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub json_ip_fields: Vec<String>,

    /// JSON keys holding request URLs or paths, besides the known ones.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub json_url_fields: Vec<String>,

    /// JSON keys holding referrers, besides the known ones.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub json_referrer_fields: Vec<String>,

    /// JSON keys holding user names, besides the known ones.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub json_user_fields: Vec<String>,
}

/// The policy: what a log may hold once scrubbed. `check` judges by the same options.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// IP addresses anywhere in the line: zero the low bits (mask), replace by 0.0.0.0 / ::
    /// (drop), keep, replace by a keyed HMAC pseudonym in 240.0.0.0/4 or fd00::/8 (hash), or
    /// encrypt prefix-preservingly with ipcrypt-pfx (prefix).
    #[arg(long, value_enum, default_value_t = IpArg::Mask, value_name = "POLICY")]
    pub ip: IpArg,

    /// How `--ip hash` writes pseudonyms: as addresses of the same family, or 16 hex digits.
    #[arg(long, value_enum, default_value_t = HashFormatArg::Addr, value_name = "FORMAT")]
    pub hash_format: HashFormatArg,

    /// Low IPv4 bits zeroed under `--ip mask` (0..=32).
    #[arg(long = "ipv4-mask", alias = "ipv4mask", value_name = "BITS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(0..=32))]
    pub ipv4_mask: u32,

    /// Low IPv6 bits zeroed under `--ip mask` (0..=128).
    #[arg(long = "ipv6-mask", alias = "ipv6mask", value_name = "BITS", default_value_t = 80,
          value_parser = clap::value_parser!(u32).range(0..=128))]
    pub ipv6_mask: u32,

    /// Keep addresses in private, loopback, link-local, shared (100.64/10) and unique-local
    /// ranges as they are: they are the operator's own machines, not visitors.
    #[arg(long)]
    pub skip_private: bool,

    /// Keep addresses in these networks as they are (the server's own addresses, a monitoring
    /// probe): CIDR notation, comma-separated or repeated.
    #[arg(long, value_name = "CIDR[,CIDR...]")]
    pub keep_networks: Vec<String>,

    /// Referrer: keep scheme://host/path (strip), scheme://host (origin), the URL with personal
    /// values replaced (redact), nothing (drop), or all (keep).
    #[arg(long, value_enum, default_value_t = ReferrerArg::Strip, value_name = "POLICY")]
    pub referrer: ReferrerArg,

    /// Request URL: replace personal values (redact), remove query and fragment (strip), or keep.
    #[arg(long, value_enum, default_value_t = RequestArg::Redact, value_name = "POLICY")]
    pub request: RequestArg,

    /// Authenticated user: replace by `-` (drop), keep, or replace by a keyed token (hash).
    #[arg(long, value_enum, default_value_t = UserArg::Drop, value_name = "POLICY")]
    pub user: UserArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Auto,
    Common,
    Combined,
    /// nginx combined plus `"$http_x_forwarded_for"`.
    #[value(name = "combined_xff", alias = "combined-xff")]
    CombinedXff,
    /// Apache `%v:%p` (or `%v`) before combined or common.
    #[value(name = "vhost_combined", alias = "vhost-combined")]
    VhostCombined,
    /// One JSON object per line (nginx escape=json, Caddy, Traefik, Cloudflare, …).
    Json,
    /// W3C extended: IIS, CloudFront, Incapsula, NetScaler, read by their `#Fields:` headers
    /// (before any: `--w3c-fields`, or IIS's default columns).
    W3c,
    Haproxy,
    /// AWS Classic Load Balancer.
    Elb,
    /// AWS Application Load Balancer.
    Alb,
    /// AWS S3 server access log.
    S3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IpArg {
    Mask,
    Drop,
    Keep,
    Hash,
    Prefix,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HashFormatArg {
    Addr,
    Hex,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RotationArg {
    None,
    Daily,
    Weekly,
    Monthly,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReferrerArg {
    Strip,
    Origin,
    Redact,
    Drop,
    Keep,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RequestArg {
    Redact,
    Strip,
    Keep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AgentArg {
    Keep,
    Reduce,
    Drop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UserArg {
    Drop,
    Keep,
    Hash,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnFullArg {
    Wait,
    Exit,
}

/// `--format`'s values, with a suggestion for the names formats go by elsewhere (`clf` is
/// `common`, `iis` is `w3c`): clap suggests only values spelled alike.
#[derive(Clone, Copy, Debug)]
pub struct FormatParser;

impl clap::builder::TypedValueParser for FormatParser {
    type Value = FormatArg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<FormatArg, clap::Error> {
        use clap::error::{ContextKind, ContextValue};
        let inner = clap::builder::EnumValueParser::<FormatArg>::new();
        inner.parse_ref(cmd, arg, value).map_err(|mut err| {
            let known = value.to_str().map(|v| v.to_ascii_lowercase());
            if let Some(name) = known.as_deref().and_then(format_alias) {
                err.insert(
                    ContextKind::SuggestedValue,
                    ContextValue::String(name.to_string()),
                );
            }
            err
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            FormatArg::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// The `--format` value for a name a format is known by elsewhere.
fn format_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "clf" | "ncsa" | "commonlog" | "common_log" | "common-log" => "common",
        "apache" | "nginx" | "combinedlog" | "combined_log" | "ncsa_combined" => "combined",
        "xff" | "nginx_xff" => "combined_xff",
        "vhost" | "vhost_common" => "vhost_combined",
        "iis" | "w3c_extended" | "extended" | "cloudfront" | "netscaler" => "w3c",
        "ndjson" | "jsonl" | "jsonlines" | "caddy" | "traefik" => "json",
        "httplog" => "haproxy",
        _ => return None,
    })
}

fn parse_line_length(text: &str) -> Result<usize, String> {
    logscrub::pipeline::reader::parse_size(text)
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            "expected a positive number of bytes, optionally with K, M or G (e.g. 64M)".to_string()
        })
}

fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    logscrub::pipeline::in_place::parse_duration(text)
        .ok_or_else(|| "expected a number and a unit: s, m, h, d or w (e.g. 7d)".to_string())
}
