//! Errors of the library. Messages name files and causes, never log content.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;

/// Something that stopped logscrub from reading or writing.
#[derive(Debug)]
pub enum Error {
    /// The policy was invalid.
    Config(ConfigError),
    /// An input could not be opened.
    Open { path: PathBuf, source: io::Error },
    /// An input failed while being read.
    Read { name: String, source: io::Error },
    /// The output could not be opened.
    OpenOutput { path: PathBuf, source: io::Error },
    /// The output failed while being written.
    Write { source: io::Error },
    /// The `--state` file could not be read or written.
    State { path: PathBuf, source: io::Error },
    /// `--in-place` will not rewrite this file (a symbolic link, a file with other hard links,
    /// not a regular file): doing so would leave its raw data under another name.
    Refused { path: PathBuf, reason: String },
    /// A stop signal (SIGTERM, SIGINT, SIGHUP) ended the work before it was complete.
    Interrupted { signal: i32 },
}

impl Error {
    /// Whether the reader of the output went away, which is not a failure of logscrub.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write { source } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(err) => write!(f, "{err}"),
            Error::Open { path, .. } => {
                write!(f, "cannot open input {}", path.display())
            }
            Error::Read { name, .. } => write!(f, "cannot read {name}"),
            Error::OpenOutput { path, .. } => write!(
                f,
                "cannot open output {} (check that its directory exists and is writable)",
                path.display()
            ),
            Error::Write { .. } => {
                write!(f, "cannot write output (check free space and permissions)")
            }
            Error::State { path, .. } => write!(f, "cannot use state file {}", path.display()),
            Error::Refused { path, reason } => {
                write!(f, "will not rewrite {} in place: {reason}", path.display())
            }
            Error::Interrupted { signal } => write!(
                f,
                "stopped by {}",
                crate::pipeline::signals::signal_name(*signal)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(err) => Some(err),
            Error::Refused { .. } | Error::Interrupted { .. } => None,
            Error::Open { source, .. }
            | Error::Read { source, .. }
            | Error::OpenOutput { source, .. }
            | Error::Write { source }
            | Error::State { source, .. } => Some(source),
        }
    }
}

/// Whether the reader of the output went away anywhere in `err`'s chain of causes: Rust
/// ignores SIGPIPE, so a closed pipe arrives as an error, and it is not a failure of logscrub.
pub fn broken_pipe_in(err: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(err), |err| err.source()).any(|err| {
        err.downcast_ref::<Error>()
            .is_some_and(Error::is_broken_pipe)
    })
}

/// `error: cause: cause`, like anyhow's `{:#}`, for errors that are reported and survived.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Self {
        Error::Config(err)
    }
}
