//! `--pid-file PATH`: the process id written at start and removed at exit, so that a rotation
//! script signals this logscrub only (`kill -HUP "$(cat PATH)"`), never every logscrub on the
//! host.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::signals::{self, Cleanup, Registered};

/// The written pid file; removed when dropped, if it still holds this process's id (another
/// process may have taken the name over meanwhile).
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    contents: String,
    /// Taken (unregistered) before the file is removed, so that a forced exit never removes
    /// a file of the same name made by someone else meanwhile.
    registered: Option<Registered>,
}

impl PidFile {
    /// Writes this process's id and a newline to `path`, atomically (a temporary file in the
    /// same directory, renamed over it), replacing a stale file. Registers it for removal on
    /// a forced exit (a second SIGTERM or SIGINT).
    pub fn create(path: &Path) -> io::Result<PidFile> {
        let contents = format!("{}\n", std::process::id());
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".logscrub-pid-")
            .tempfile_in(dir)?;
        temp.write_all(contents.as_bytes())?;
        // Readable by the scripts that signal the process (0644, as pid files usually are).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(fs::Permissions::from_mode(0o644))?;
        }
        temp.persist(path).map_err(|e| e.error)?;
        let registered = signals::remove_on_forced_exit(Cleanup::PidFile, path);
        Ok(PidFile {
            path: path.to_path_buf(),
            contents,
            registered: Some(registered),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        drop(self.registered.take());
        if fs::read_to_string(&self.path).is_ok_and(|text| text == self.contents) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_then_removed_unless_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logscrub.pid");
        fs::write(&path, "99999999\n").unwrap();
        let pid = PidFile::create(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", std::process::id())
        );
        drop(pid);
        assert!(!path.exists());

        let pid = PidFile::create(&path).unwrap();
        fs::write(&path, "1\n").unwrap();
        drop(pid);
        assert_eq!(fs::read_to_string(&path).unwrap(), "1\n", "not ours: kept");
    }
}
