//! The `-o PATH` output: appended to, and reopened on SIGHUP so that logrotate can move it away.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::signals;
use crate::error::Error;

/// A file opened for appending that reopens itself (by path) after SIGHUP, before the next
/// write. Writes are whole chunks of lines, so a rotation never splits a line.
pub struct ReopeningFile {
    path: PathBuf,
    file: File,
}

impl ReopeningFile {
    /// Opens (creating if missing) `path` for appending.
    pub fn open(path: &Path) -> Result<Self, Error> {
        Ok(ReopeningFile {
            path: path.to_path_buf(),
            file: append(path)?,
        })
    }
}

fn append(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|source| Error::OpenOutput {
            path: path.to_path_buf(),
            source,
        })
}

impl Write for ReopeningFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if signals::take_reopen() {
            self.file.flush()?;
            self.file = append(&self.path).map_err(io::Error::other)?;
        }
        self.file.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
