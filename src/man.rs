//! `logscrub man [SUBCOMMAND]`: the manual pages. clap_mangen renders what the command line
//! knows (name, synopsis, description, options, subcommands); the sections a manual page
//! needs beyond that (EXIT STATUS, SIGNALS, ENVIRONMENT, FILES, EXAMPLES, SEE ALSO) are
//! written here, in the order man-pages(7) gives.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::{Cli, ManPage};

/// A piece of a section.
enum Part<'a> {
    /// A paragraph.
    Para(&'a str),
    /// A tagged paragraph: the tag in bold, the text indented below it.
    Item(&'a str, &'a str),
    /// A command line, shown verbatim, and what it does.
    Example(&'a str, &'a str),
}

use Part::{Example, Item, Para};

/// Writes the page of `page` (`None`: the main page) as roff.
pub fn render(page: Option<ManPage>, out: &mut dyn Write) -> io::Result<()> {
    let mut cli = Cli::command();
    let (man, sections) = match page {
        None => (Man::new(cli), main_sections()),
        Some(page) => {
            // Building the parent names the subcommand as the main page refers to it
            // (logscrub-check) and gives its synopsis the full command (logscrub check).
            cli.build();
            let name = match page {
                ManPage::Check => "check",
                ManPage::Keygen => "keygen",
                ManPage::Completions => "completions",
            };
            let sub = cli
                .find_subcommand(name)
                .expect("every page is a subcommand")
                .clone()
                .version(env!("CARGO_PKG_VERSION"));
            let source = format!("logscrub {}", env!("CARGO_PKG_VERSION"));
            (Man::new(sub).source(source), sub_sections(page))
        }
    };
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if page.is_none() {
        man.render_subcommands_section(out)?;
    }
    for (title, parts) in sections {
        section(out, title, &parts)?;
    }
    man.render_version_section(out)
}

type Sections = Vec<(&'static str, Vec<Part<'static>>)>;

fn main_sections() -> Sections {
    vec![
        (
            "EXIT STATUS",
            vec![
                Item(
                    "0",
                    "Every input was read to its end and written: each FILE to its end, standard \
                     input until it closed or until SIGTERM or SIGINT stopped a piped logger, a \
                     followed file (--follow) until SIGTERM or SIGINT. Also when the reader of \
                     standard output went away (a closed pipe).",
                ),
                Item("1", "logscrub check only: personal data was found."),
                Item(
                    "2",
                    "A usage error; an input that could not be opened or read (the others are \
                     still processed); an output that cannot be written; a file that --in-place \
                     refused or could not rewrite (it is left as it was).",
                ),
                Item(
                    "128+n",
                    "Stopped by signal n before every input was read to its end: 143 for \
                     SIGTERM, 130 for SIGINT, 129 for SIGHUP under --in-place. What was read is \
                     written, but the output is incomplete, and a message on standard error \
                     says so. Also after a second SIGTERM or SIGINT, which exits at once.",
                ),
            ],
        ),
        (
            "SIGNALS",
            vec![
                Item(
                    "SIGTERM, SIGINT",
                    "Stop reading: what has been read is scrubbed, written and flushed. The exit \
                     status is 0 when the input was standard input as the last input (a piped \
                     logger) or a followed file (--follow, whose --state is saved), and 128+n \
                     when a FILE was not read to its end. Under --in-place the file being \
                     rewritten is left as it was and its temporary file removed. A second \
                     SIGTERM or SIGINT exits at once with 128+n; lines in flight are lost, \
                     temporary and pid files removed.",
                ),
                Item(
                    "SIGHUP",
                    "Reopen the -o file before the next write (logrotate's postrotate). If that \
                     fails, logscrub keeps writing to the file it has and retries on the next \
                     SIGHUP and every 2 s. Under --in-place SIGHUP stops like SIGTERM (exit \
                     129). logscrub check and logscrub keygen ignore it.",
                ),
            ],
        ),
        (
            "ENVIRONMENT",
            vec![Item(
                "LOGSCRUB_KEY",
                "The key for --ip hash, --ip prefix and --user hash when --key-file is not \
                 given: 32 bytes, raw, as 64 hex digits or in base64. Ignored with --key-dir. \
                 Programs started with an empty environment (Spark's rdd.pipe) do not see it: \
                 give them --key-file or --key-dir on shared storage.",
            )],
        ),
        (
            "FILES",
            vec![
                Item(
                    "-o PATH",
                    "Appended to (created with mode 0666 less the umask if missing); reopened \
                     on SIGHUP and when PATH no longer names the open file. When it ends in an \
                     incomplete line (a writer killed mid-line), logscrub starts on a new line \
                     and counts it in --stats.",
                ),
                Item(
                    "--key-file PATH",
                    "The pseudonym key (see logscrub-keygen(1)); a warning if group or others \
                     may read it.",
                ),
                Item(
                    "--key-dir DIR",
                    "One key file per period, DIR/2024-05-17.key, DIR/2024-W20.key or \
                     DIR/2024-05.key, made on first need with mode 0600.",
                ),
                Item(
                    "--state FILE",
                    "The position of --follow, replaced atomically after the output is synced.",
                ),
                Item(
                    "--pid-file PATH",
                    "The process id while logscrub runs; removed at exit.",
                ),
                Item(
                    ".logscrub-*",
                    "Temporary files of --in-place, beside each file rewritten; renamed over it \
                     when complete, removed on failure and on SIGTERM, SIGINT and SIGHUP.",
                ),
            ],
        ),
        (
            "EXAMPLES",
            vec![
                Example(
                    "logscrub access.log > access.clean.log",
                    "Scrub a log with the default, anonymous policy.",
                ),
                Example(
                    "zcat access.log.*.gz | logscrub | gzip > archive.clean.log.gz",
                    "Scrub compressed archives in a pipeline.",
                ),
                Example(
                    "logscrub --in-place --older-than 7d /var/log/apache2/access.log.*",
                    "Rewrite rotated logs older than a week where they lie (a cron line for \
                     \"addresses are kept at most seven days\").",
                ),
                Example(
                    "CustomLog \"|/usr/local/bin/logscrub -o /var/log/apache2/access.log\" combined",
                    "Apache's piped logger: every line is scrubbed before it reaches the disk.",
                ),
                Example(
                    "logscrub -F /var/log/nginx/access.log -o /var/log/nginx/access.clean.log \
                     --state /var/lib/logscrub/nginx.state --pid-file /run/logscrub-nginx.pid",
                    "Follow a live log across rotations; kill -HUP \"$(cat \
                     /run/logscrub-nginx.pid)\" reopens the output.",
                ),
                Example(
                    "logscrub --ip hash --key-file /etc/logscrub.key access.log",
                    "Keyed pseudonyms instead of truncated addresses.",
                ),
                Example(
                    "logscrub access.log | logscrub check",
                    "Audit the result (exit status 1 if anything personal is left).",
                ),
            ],
        ),
        (
            "SEE ALSO",
            vec![Para(
                "logscrub-check(1), logscrub-keygen(1), logscrub-completions(1), logrotate(8). \
                 The documentation in the source tree: README.md and docs/.",
            )],
        ),
    ]
}

fn sub_sections(page: ManPage) -> Sections {
    match page {
        ManPage::Check => vec![
            (
                "EXIT STATUS",
                vec![
                    Item("0", "Every input was read and nothing personal was found."),
                    Item("1", "Personal data was found in at least one input."),
                    Item(
                        "2",
                        "A usage error (a scrubbing option is refused with a message naming \
                         it), or an input that could not be opened or read.",
                    ),
                ],
            ),
            (
                "SIGNALS",
                vec![Item(
                    "SIGHUP",
                    "Ignored, so that a kill -HUP meant for a piped logger, or a closed \
                     terminal, does not end an audit.",
                )],
            ),
            (
                "EXAMPLES",
                vec![
                    Example(
                        "logscrub check access.log",
                        "Report per class how many lines hold personal data, and the first \
                         line numbers; never the data.",
                    ),
                    Example(
                        "logscrub access.log | logscrub check",
                        "Check what the scrubber writes.",
                    ),
                    Example(
                        "logscrub check --ip hash --json /var/log/apache2/access.log.1",
                        "Judge a log scrubbed with --ip hash; one JSON document for machines.",
                    ),
                ],
            ),
            ("SEE ALSO", vec![Para("logscrub(1)")]),
        ],
        ManPage::Keygen => vec![
            (
                "EXIT STATUS",
                vec![
                    Item("0", "The key was written."),
                    Item(
                        "2",
                        "PATH exists (it is never overwritten), or it could not be written.",
                    ),
                ],
            ),
            ("SIGNALS", vec![Item("SIGHUP", "Ignored.")]),
            (
                "FILES",
                vec![Item(
                    "PATH",
                    "64 hex digits and a newline, mode 0600, for --key-file or LOGSCRUB_KEY.",
                )],
            ),
            (
                "EXAMPLES",
                vec![Example(
                    "logscrub keygen /etc/logscrub.key",
                    "Make a key, then use it with logscrub --ip hash --key-file \
                     /etc/logscrub.key.",
                )],
            ),
            ("SEE ALSO", vec![Para("logscrub(1)")]),
        ],
        ManPage::Completions => vec![
            (
                "EXIT STATUS",
                vec![
                    Item("0", "The script was written."),
                    Item(
                        "2",
                        "A usage error, or standard output could not be written.",
                    ),
                ],
            ),
            (
                "EXAMPLES",
                vec![Example(
                    "logscrub completions bash > /usr/share/bash-completion/completions/logscrub",
                    "Install completions for bash.",
                )],
            ),
            ("SEE ALSO", vec![Para("logscrub(1)")]),
        ],
    }
}

fn section(out: &mut dyn Write, title: &str, parts: &[Part<'_>]) -> io::Result<()> {
    if title.contains(' ') {
        writeln!(out, ".SH \"{title}\"")?;
    } else {
        writeln!(out, ".SH {title}")?;
    }
    for part in parts {
        match part {
            Para(text) => writeln!(out, ".PP\n{}", escape(text))?,
            Item(tag, text) => writeln!(out, ".TP\n\\fB{}\\fR\n{}", escape(tag), escape(text))?,
            Example(command, text) => writeln!(
                out,
                ".PP\n{}\n.PP\n.RS\n.nf\n{}\n.fi\n.RE",
                escape(text),
                escape(command)
            )?,
        }
    }
    Ok(())
}

/// Text as roff: backslashes and hyphens escaped, and no line that roff would read as a
/// request.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_roff_would_read_otherwise() {
        assert_eq!(escape("--ip a\\b"), "\\-\\-ip a\\eb");
        assert_eq!(escape(".logscrub-*"), "\\&.logscrub\\-*");
    }
}
