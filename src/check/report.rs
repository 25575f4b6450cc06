//! The reports of `logscrub check`: per input, per class, the number of lines and the first line
//! numbers; as text for people and as one JSON document for machines. Never the data itself.

use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{Audit, Class};

/// What became of one input.
#[derive(Clone, Debug)]
pub struct Report {
    /// How the input is named (a path, or `standard input`).
    pub name: String,
    /// The audit, or why the input could not be read.
    pub result: Result<Audit, String>,
}

/// How a `check` run ends; the value is `logscrub check`'s exit status, which CI gates test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Verdict {
    /// Every input was read, and nothing found.
    Clean = 0,
    /// Every input was read, and personal data found in at least one.
    Found = 1,
    /// At least one input could not be read.
    Failed = 2,
}

/// The verdict on `reports`: an unreadable input outweighs any finding.
pub fn verdict(reports: &[Report]) -> Verdict {
    if reports.iter().any(|r| r.result.is_err()) {
        Verdict::Failed
    } else if reports
        .iter()
        .all(|r| r.result.as_ref().is_ok_and(Audit::is_clean))
    {
        Verdict::Clean
    } else {
        Verdict::Found
    }
}

/// The text report of one input:
///
/// ```text
/// access.log: personal data found (16 lines read)
///   IP addresses with host bits: 15 lines (line 1, 2, 3, …)
/// ```
pub fn write_text(out: &mut impl Write, name: &str, audit: &Audit) -> io::Result<()> {
    if audit.is_clean() {
        return writeln!(out, "{name}: clean ({} lines)", audit.lines);
    }
    writeln!(
        out,
        "{name}: personal data found ({} lines read)",
        audit.lines
    )?;
    for class in Class::ALL {
        let count = audit.count(class);
        if count == 0 {
            continue;
        }
        let lines: Vec<String> = audit
            .first_lines(class)
            .iter()
            .map(u64::to_string)
            .collect();
        let more = if count > lines.len() as u64 {
            ", …"
        } else {
            ""
        };
        writeln!(
            out,
            "  {}: {count} lines (line {}{more})",
            class.describe(),
            lines.join(", ")
        )?;
    }
    Ok(())
}

/// All inputs as one JSON document on one line (see `docs/check.md` for the schema; the keys
/// are in the order of the fields of the structs below, the classes in [`Class::ALL`] order).
pub fn write_json(out: &mut impl Write, reports: &[Report]) -> io::Result<()> {
    let document = Document {
        clean: reports
            .iter()
            .all(|r| r.result.as_ref().is_ok_and(Audit::is_clean)),
        inputs: reports
            .iter()
            .map(|report| match &report.result {
                Ok(audit) => InputJson::Audited {
                    name: &report.name,
                    lines: audit.lines,
                    clean: audit.is_clean(),
                    findings: Findings(audit),
                },
                Err(error) => InputJson::Failed {
                    name: &report.name,
                    error,
                },
            })
            .collect(),
    };
    let mut line = serde_json::to_vec(&document).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}

#[derive(Serialize)]
struct Document<'a> {
    clean: bool,
    inputs: Vec<InputJson<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum InputJson<'a> {
    Audited {
        name: &'a str,
        lines: u64,
        clean: bool,
        findings: Findings<'a>,
    },
    Failed {
        name: &'a str,
        error: &'a str,
    },
}

/// Every class, found or not, keyed by [`Class::key`].
struct Findings<'a>(&'a Audit);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Class::ALL.len()))?;
        for class in Class::ALL {
            let finding = Finding {
                lines: self.0.count(class),
                first_lines: self.0.first_lines(class),
            };
            map.serialize_entry(class.key(), &finding)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Finding<'a> {
    lines: u64,
    first_lines: &'a [u64],
}
