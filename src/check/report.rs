//! The reports of `logscrub check`: per input, per class, the number of lines and the first line
//! numbers; as text for people and as one JSON document for machines. Never the data itself.

use std::io::{self, Write};

use super::{Audit, Class};

/// What became of one input.
#[derive(Clone, Debug)]
pub struct Report {
    /// How the input is named (a path, or `standard input`).
    pub name: String,
    /// The audit, or why the input could not be read.
    pub result: Result<Audit, String>,
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

/// All inputs as one JSON document (see `docs/check.md` for the schema).
pub fn write_json(out: &mut impl Write, reports: &[Report]) -> io::Result<()> {
    let clean = reports
        .iter()
        .all(|r| r.result.as_ref().is_ok_and(Audit::is_clean));
    write!(out, "{{\"clean\":{clean},\"inputs\":[")?;
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "{{\"name\":\"{}\",", json_escape(&report.name))?;
        match &report.result {
            Err(error) => write!(out, "\"error\":\"{}\"}}", json_escape(error))?,
            Ok(audit) => {
                write!(
                    out,
                    "\"lines\":{},\"clean\":{},\"findings\":{{",
                    audit.lines,
                    audit.is_clean()
                )?;
                for (k, class) in Class::ALL.into_iter().enumerate() {
                    if k > 0 {
                        out.write_all(b",")?;
                    }
                    let lines: Vec<String> = audit
                        .first_lines(class)
                        .iter()
                        .map(u64::to_string)
                        .collect();
                    write!(
                        out,
                        "\"{}\":{{\"lines\":{},\"first_lines\":[{}]}}",
                        class.key(),
                        audit.count(class),
                        lines.join(",")
                    )?;
                }
                out.write_all(b"}}")?;
            }
        }
    }
    out.write_all(b"]}\n")
}

/// `text` as the content of a JSON string (also for `--stats-json`).
pub fn json_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
