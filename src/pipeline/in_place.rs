//! `--in-place`: rewrite rotated logs where they lie, atomically.
//!
//! The scrubbed copy is written to a temporary file in the same directory, in the original's
//! compression (gzip, zstd or none), synced to disk, given the original's mode and owner, and
//! renamed over the original; its modification time is kept too. If anything fails — a full disk, a read error, a corrupt archive —
//! the temporary file is removed and the original is left exactly as it was. So is it when a
//! stop signal arrives (SIGTERM, SIGINT, SIGHUP under [`super::signals::hangup_stops`]); a
//! second signal, which exits at once, removes the temporary file too.
//!
//! A name that is not the only name of its data is refused: rewriting a symbolic link would
//! replace the link and leave the file it points to raw (unless `follow_symlinks`, as GNU
//! sed's `--follow-symlinks`, rewrites that file), and a file with other hard links would keep
//! its raw data under those.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::compression::{Compression, SNIFF_LEN};
use super::signals::{self, Cleanup};
use super::{ordered, run, Input, Options, Summary};
use crate::config::Config;
use crate::error::{chain, Error};

fn compression_of(path: &Path) -> io::Result<Compression> {
    let mut magic = [0u8; SNIFF_LEN];
    let mut file = File::open(path)?;
    let mut len = 0;
    while len < magic.len() {
        match file.read(&mut magic[len..])? {
            0 => break,
            n => len += n,
        }
    }
    Ok(Compression::sniff(&magic[..len]))
}

/// Whether `path` was last modified more than `age` ago.
pub fn older_than(path: &Path, age: Duration) -> io::Result<bool> {
    let modified = fs::metadata(path)?.modified()?;
    Ok(SystemTime::now()
        .duration_since(modified)
        .is_ok_and(|elapsed| elapsed > age))
}

/// The file to rewrite for `path`: `path` itself, or with `follow_symlinks` the file a
/// symbolic link leads to. Refuses a symbolic link without `follow_symlinks`, a file with
/// other hard links, and anything but a regular file, naming `path`.
pub fn target(path: &Path, follow_symlinks: bool) -> Result<PathBuf, Error> {
    use std::os::unix::fs::MetadataExt;
    let open_err = |source| Error::Open {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |reason: String| Error::Refused {
        path: path.to_path_buf(),
        reason,
    };
    let own = fs::symlink_metadata(path).map_err(open_err)?;
    let (target, what) = if own.file_type().is_symlink() {
        if !follow_symlinks {
            return Err(refuse(
                "it is a symbolic link, and replacing the link would leave the file it points \
                 to unscrubbed (give that file, or add --follow-symlinks to rewrite it)"
                    .to_string(),
            ));
        }
        let target = fs::canonicalize(path).map_err(open_err)?;
        let what = format!("the file it points to, {},", target.display());
        (target, what)
    } else {
        (path.to_path_buf(), "it".to_string())
    };
    let meta = fs::metadata(&target).map_err(open_err)?;
    if !meta.is_file() {
        return Err(refuse(format!("{what} is not a regular file")));
    }
    if meta.nlink() > 1 {
        let others = meta.nlink() - 1;
        let plural = if others == 1 { "" } else { "s" };
        return Err(refuse(format!(
            "{what} has {others} other hard link{plural}, under which the raw data would stay \
             (remove them, or scrub the file under one name and link the others to it again)"
        )));
    }
    Ok(target)
}

/// Scrubs `path` in place (see [`target`] for what is refused, and `follow_symlinks`).
/// Returns what the scrubbing did; on error or a stop signal the original is untouched and the
/// temporary file removed.
pub fn rewrite(
    cfg: &Config,
    path: &Path,
    options: &Options,
    follow_symlinks: bool,
) -> Result<Summary, Error> {
    let target = target(path, follow_symlinks)?;
    let path = target.as_path();
    let read_err = |source| Error::Read {
        name: path.display().to_string(),
        source,
    };
    let write_err = |source| Error::Write { source };
    let compression = compression_of(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let metadata = fs::metadata(path).map_err(read_err)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".logscrub-")
        .tempfile_in(dir)
        .map_err(|source| Error::OpenOutput {
            path: dir.to_path_buf(),
            source,
        })?;
    // Dropped before `temp`: unregistered before the file goes.
    let _registered = signals::remove_on_forced_exit(Cleanup::TempFile, temp.path());
    let file = temp.as_file().try_clone().map_err(write_err)?;
    let mut failure = None;
    let mut on_error = |err: &Error| {
        if let Error::Read { source, .. } | Error::Open { source, .. } = err {
            let cause = io::Error::new(source.kind(), source.to_string());
            failure.get_or_insert(cause);
        }
    };
    let inputs = [Input::Path(path.to_path_buf())];
    let summary = match compression {
        Compression::None => {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let summary = run(cfg, &inputs, &mut out, options, &mut on_error)?;
            out.into_inner().map_err(|e| write_err(e.into_error()))?;
            summary
        }
        Compression::Gzip => {
            let mut out = flate2::write::GzEncoder::new(
                BufWriter::with_capacity(1 << 20, file),
                flate2::Compression::default(),
            );
            let summary = run(cfg, &inputs, &mut out, options, &mut on_error)?;
            out.finish()
                .and_then(|mut w| w.flush())
                .map_err(write_err)?;
            summary
        }
        Compression::Zstd => {
            let mut out = zstd::Encoder::new(BufWriter::with_capacity(1 << 20, file), 3)
                .map_err(write_err)?;
            let summary = run(cfg, &inputs, &mut out, options, &mut on_error)?;
            out.finish()
                .and_then(|mut w| w.flush())
                .map_err(write_err)?;
            summary
        }
    };
    if summary.failed_inputs > 0 {
        // The input could not be read to the end: keep the original, report why (once: the
        // name of the file, then the cause).
        return Err(Error::Read {
            name: path.display().to_string(),
            source: failure.unwrap_or_else(|| io::Error::other("read failed")),
        });
    }
    // Stopped part-way (or even just before the rename): the original stays; the temporary
    // file goes with `temp`.
    if let Some(signal) = signals::stop_signal() {
        return Err(Error::Interrupted { signal });
    }
    let temp_file = temp.as_file();
    temp_file
        .set_permissions(metadata.permissions())
        .map_err(write_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Keeping the owner needs privileges; without them the file stays the runner's.
        let _ = std::os::unix::fs::fchown(temp_file, Some(metadata.uid()), Some(metadata.gid()));
    }
    // Archives keep their dates, so that retention by age (`--older-than`, tmpreaper, find
    // -mtime) still sees when the log was written, not when it was scrubbed.
    if let (Ok(accessed), Ok(modified)) = (metadata.accessed(), metadata.modified()) {
        let times = fs::FileTimes::new()
            .set_accessed(accessed)
            .set_modified(modified);
        temp_file.set_times(times).map_err(write_err)?;
    }
    temp_file.sync_all().map_err(write_err)?;
    temp.persist(path).map_err(|e| write_err(e.error))?;
    // The rename is durable once the directory entry is.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(summary)
}

/// How [`rewrite_all`] picks and treats its files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Batch {
    /// Only files last modified longer ago than this (`--older-than`).
    pub older_than: Option<Duration>,
    /// Rewrite the file a symbolic link points to (see [`target`]).
    pub follow_symlinks: bool,
}

/// What became of one file of a batch.
#[derive(Debug)]
pub enum Outcome {
    /// Rewritten; what the scrubbing did.
    Rewritten(Box<Summary>),
    /// Modified more recently than [`Batch::older_than`]: left alone.
    TooRecent,
    /// Its age could not be read, so it was not looked at further.
    AgeUnknown(Error),
    /// Not rewritten, and the original unchanged: refused, unreadable, unwritable, or stopped
    /// by a signal ([`Error::Interrupted`]).
    Failed(Error),
}

impl Outcome {
    /// The message for the user about `path`, if there is one (never log content).
    pub fn message(&self, path: &Path) -> Option<String> {
        match self {
            Outcome::Rewritten(_) | Outcome::TooRecent => None,
            Outcome::Failed(Error::Interrupted { signal }) => Some(format!(
                "stopped by {} while rewriting {}: it is unchanged and the temporary file removed",
                signals::signal_name(*signal),
                path.display()
            )),
            Outcome::AgeUnknown(err) | Outcome::Failed(err @ Error::Refused { .. }) => {
                Some(chain(err))
            }
            Outcome::Failed(err) => Some(format!("{} (the original is unchanged)", chain(err))),
        }
    }
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchSummary {
    /// The scrubbing of the rewritten files; its `failed_inputs` counts the files that failed
    /// for a reason other than a stop signal.
    pub total: Summary,
    /// Files rewritten.
    pub rewritten: u64,
    /// Files left alone as too recent.
    pub skipped: u64,
    /// The stop signal that cut the batch short: a file was being rewritten when it came, or
    /// files were left. `total.incomplete` then names the first file not rewritten.
    pub stopped: Option<i32>,
    /// Files not looked at because of the stop signal.
    pub not_started: usize,
}

impl BatchSummary {
    /// `N files rewritten in place, M skipped as too recent`, for `--stats`.
    pub fn counts(&self) -> String {
        format!(
            "{} files rewritten in place, {} skipped as too recent",
            self.rewritten, self.skipped
        )
    }

    /// Why the batch ended early and what it left undone, if a signal stopped it with files
    /// not started.
    pub fn stop_message(&self) -> Option<String> {
        let signal = self.stopped?;
        let left = self.not_started;
        (left > 0).then(|| {
            format!(
                "stopped by {}: {left} more file{} not rewritten",
                signals::signal_name(signal),
                if left == 1 { "" } else { "s" }
            )
        })
    }
}

/// Rewrites each of `paths` in place ([`rewrite`]), skipping those newer than
/// [`Batch::older_than`], and tells `report` what became of each, in order. Up to
/// `options.threads` files (at most [`signals::TEMP_FILES`]) are rewritten at once, started in
/// order, and the threads left over scrub within them; any count gives the same files and the
/// same reports. A failed file does not stop the batch; a stop signal does: the files being
/// rewritten are abandoned, and no other is started.
pub fn rewrite_all(
    cfg: &Config,
    paths: &[PathBuf],
    options: &Options,
    batch: Batch,
    report: &mut dyn FnMut(&Path, &Outcome),
) -> BatchSummary {
    let at_once = options
        .threads
        .clamp(1, signals::TEMP_FILES)
        .min(paths.len().max(1));
    let per_file = Options {
        threads: (options.threads / at_once).max(1),
        ..options.clone()
    };
    let mut done = BatchSummary::default();
    let started = ordered::for_each_ordered(
        paths.len(),
        at_once,
        &signals::stop_requested,
        &|i| rewrite_one(cfg, &paths[i], &per_file, batch),
        &mut |i, outcome| {
            let path = &paths[i];
            report(path, &outcome);
            match outcome {
                Outcome::Rewritten(summary) => {
                    done.rewritten += 1;
                    done.total.stats.merge(&summary.stats);
                    // The temporary input name stands for the file being rewritten.
                    let name = path.display().to_string();
                    let formats = summary.formats.into_iter().map(|(_, f)| (name.clone(), f));
                    done.total.formats.extend(formats);
                }
                Outcome::TooRecent => done.skipped += 1,
                Outcome::Failed(Error::Interrupted { signal }) => {
                    done.stopped.get_or_insert(signal);
                    done.total
                        .incomplete
                        .get_or_insert_with(|| path.display().to_string());
                }
                Outcome::AgeUnknown(_) | Outcome::Failed(_) => done.total.failed_inputs += 1,
            }
        },
    );
    if let Some(first) = paths.get(started) {
        done.stopped = done.stopped.or(signals::stop_signal());
        done.not_started = paths.len() - started;
        done.total
            .incomplete
            .get_or_insert_with(|| first.display().to_string());
    }
    done
}

/// One file of a batch.
fn rewrite_one(cfg: &Config, path: &Path, options: &Options, batch: Batch) -> Outcome {
    if let Some(age) = batch.older_than {
        match older_than(path, age) {
            Ok(true) => {}
            Ok(false) => return Outcome::TooRecent,
            Err(source) => {
                let path = path.to_path_buf();
                return Outcome::AgeUnknown(Error::Open { path, source });
            }
        }
    }
    match rewrite(cfg, path, options, batch.follow_symlinks) {
        Ok(summary) => Outcome::Rewritten(Box::new(summary)),
        Err(err) => Outcome::Failed(err),
    }
}

/// Parses `7d`, `12h`, `30m`, `90s` or `2w`: a number of seconds, minutes, hours, days or
/// weeks. `None` for anything else and for durations past `u64` seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    use nom::character::complete::{one_of, u64 as number};
    use nom::combinator::all_consuming;
    use nom::Parser;

    let (_, (n, unit)) = all_consuming((number::<&str, ()>, one_of("smhdw")))
        .parse(text.trim())
        .ok()?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 7 * 86_400,
    };
    Some(Duration::from_secs(n.checked_mul(seconds)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases = [
            ("7d", Some(7 * 86_400)),
            ("12h", Some(43_200)),
            ("30m", Some(1_800)),
            ("90s", Some(90)),
            ("2w", Some(1_209_600)),
            ("7", None),
            ("d", None),
            ("7x", None),
            ("-1d", None),
            ("+7d", None),
            ("7 d", None),
            ("7dd", None),
            (" 7d ", Some(7 * 86_400)),
            ("300000000000000d", None),
            ("99999999999999999999s", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text).map(|d| d.as_secs()), want, "{text}");
        }
    }
}
