//! How one input's lines are read: fixed by `--format`, or recognised from the input's first
//! lines; for W3C, also the columns named by the latest `#Fields:` header (or, before any,
//! by `--w3c-fields` or IIS's defaults).

use std::sync::Arc;

use super::template::{Check, Template};
use super::w3c::{self, Columns};
use super::{builtin, clf, json, time, Field, Format, Role};
use crate::lines;

/// How [`Layout::read`] read a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A W3C directive, kept as it is but scrubbed fail-safe: a `#Remark:` may say anything.
    Directive,
    /// A line of the layout's format.
    Format,
    /// A line not in the layout's format, read fail-safe.
    Fallback,
}

/// The parser for an input's lines. Cloning is cheap (shared parts are behind `Arc`s), so a
/// layout travels with every chunk of a parallel run.
#[derive(Clone, Debug)]
pub enum Layout {
    /// Common and combined (`Auto`: per line), by the hand-written parser.
    Clf(Format),
    /// Templates tried in turn, the first that matches wins.
    Templates(Format, Arc<[Template]>),
    Json(Arc<json::Keys>),
    /// W3C with the columns of the latest `#Fields:` header, or before the first one those of
    /// `--w3c-fields`; `None` for neither, where lines of IIS's default shape are read by its
    /// default columns, and others by the order of IIS's columns ([`w3c::parse_headerless`]).
    W3c(Option<Arc<Columns>>),
}

impl Layout {
    /// The format's name for `--stats`.
    pub fn format(&self) -> Format {
        match self {
            Layout::Clf(format) | Layout::Templates(format, _) => *format,
            Layout::Json(_) => Format::Json,
            Layout::W3c(_) => Format::W3c,
        }
    }

    /// Reads `line` (without its terminator) into `fields`, replacing what they held: the one
    /// reading of a line, for the scrubber and the audit alike. Every reading yields fields, the
    /// bytes between them belonging to no field:
    /// - a W3C directive ([`Layout::directive`], which takes in a `#Fields:` header's columns)
    ///   is one field, or, for `#Fields:`, one field per name, as its columns are read;
    /// - a line of the layout's format has its fields;
    /// - any other line is read as common or combined for want of better (a vhost line after
    ///   its server name, where its client is), or else as one field of unknown content.
    pub fn read(&mut self, line: &[u8], fields: &mut Vec<Field>) -> Reading {
        if let Layout::Clf(format) = *self {
            // Most logs are common or combined, which have no directives.
            if parse_common(line, format, fields) {
                return Reading::Format;
            }
        } else {
            if self.directive(line) {
                fields.clear();
                if line.starts_with(w3c::FIELDS) {
                    // One name at a time: a rewrite across names (`+ 0000000` read as a phone)
                    // would change how many columns the lines after it have.
                    let mut start = 0;
                    for name in line.split(|&b| w3c::is_blank(b)) {
                        fields.push(Field::new(start..start + name.len(), Role::Unknown));
                        start += name.len() + 1;
                    }
                } else {
                    fields.push(Field::new(0..line.len(), Role::Unknown));
                }
                return Reading::Directive;
            }
            if self.parse(line, fields) {
                return Reading::Format;
            }
        }
        fields.clear();
        match self.read_as_common(line) {
            Some((start, common)) => {
                if start > 0 {
                    // A vhost line's server name (`%v` or `%v:%p`).
                    fields.push(Field::new(0..start, Role::Unknown));
                }
                common.push_fields(start, &line[start..], fields);
            }
            None => fields.push(Field::new(0..line.len(), Role::Unknown)),
        }
        Reading::Fallback
    }

    /// Parses a line of the layout's format into `fields`; false for a line that does not
    /// parse and for a W3C directive.
    pub fn parse(&self, line: &[u8], fields: &mut Vec<Field>) -> bool {
        match self {
            Layout::Clf(format) => parse_common(line, *format, fields),
            Layout::Templates(_, templates) => templates.iter().any(|t| t.parse(line, fields)),
            Layout::Json(keys) => json::parse(line, keys, fields),
            Layout::W3c(Some(columns)) => columns.parse(line, fields),
            Layout::W3c(None) => w3c::parse_headerless(line, fields),
        }
    }

    /// `line`, which does not parse in this layout, read as common or combined: the offset of
    /// the common part and its fields. A vhost line is read after its server name (`%v` or
    /// `%v:%p`), where its client is; any line as a whole if that fails. Under `--format auto`
    /// the reading as common or combined has failed already.
    fn read_as_common(&self, line: &[u8]) -> Option<(usize, clf::ClfLine)> {
        match self {
            Layout::Clf(Format::Auto) => return None,
            Layout::Templates(Format::VhostCombined, _) => {
                let after_name = memchr::memchr(b' ', line).map_or(line.len(), |k| k + 1);
                if let Some(fields) = clf::parse(&line[after_name..], Format::Auto) {
                    return Some((after_name, fields));
                }
            }
            _ => {}
        }
        clf::parse(line, Format::Auto).map(|fields| (0, fields))
    }

    /// Whether `line` (without its terminator) is a W3C directive (`#Software:`, `#Fields:`…);
    /// a `#Fields:` one names the columns of the lines that follow. A `#Fields:` line that
    /// names none leaves the columns as they were.
    ///
    /// The one place the columns change: the serial path calls it line by line, and
    /// [`Layout::advance`] for each `#Fields:` line of a chunk, so that both read every line
    /// with the same columns.
    #[inline]
    pub fn directive(&mut self, line: &[u8]) -> bool {
        let Layout::W3c(columns) = self else {
            return false;
        };
        if line.first() != Some(&b'#') {
            return false;
        }
        if let Some(found) = Columns::from_header(line) {
            *columns = Some(Arc::new(found));
        }
        true
    }

    /// Takes in the `#Fields:` headers of `chunk` (whole lines that precede the next chunk),
    /// so that the next chunk is read with the columns in effect where it starts, as a serial
    /// reading would: each header line goes through [`Layout::directive`], as it does there.
    pub fn advance(&mut self, chunk: &[u8]) {
        if !matches!(self, Layout::W3c(_)) {
            return;
        }
        let finder = memchr::memmem::Finder::new(w3c::FIELDS);
        for at in finder.find_iter(chunk) {
            if at > 0 && chunk[at - 1] != b'\n' {
                continue;
            }
            if let Some(line) = lines::bodies(&chunk[at..]).next() {
                self.directive(line);
            }
        }
    }
}

/// Parses a common or combined line into `fields`, replacing what they held.
#[inline]
fn parse_common(line: &[u8], format: Format, fields: &mut Vec<Field>) -> bool {
    clf::parse(line, format).is_some_and(|common| {
        fields.clear();
        common.push_fields(0, line, fields);
        true
    })
}

/// How many lines of an input's start are looked at to recognise its format.
const SAMPLE_LINES: usize = 64;

/// The formats tried when recognising an input, most specific first: on equal scores the
/// earlier wins.
const CANDIDATES: [Format; 8] = [
    Format::CombinedXff,
    Format::VhostCombined,
    Format::Haproxy,
    Format::Elb,
    Format::Alb,
    Format::S3,
    Format::Combined,
    Format::Common,
];

/// Recognises the format of an input from `sample`, whole lines from its start: W3C by its
/// directives, JSON by its braces, and otherwise the candidate format whose checks pass on the
/// most lines, headerless W3C in IIS's default columns ([`w3c::parse_default`]) first among
/// them; JSON lines are read with `json_keys`. With nothing recognised, lines are read as
/// common or combined one by one, and what does not parse gets the fail-safe scrub.
pub fn detect(sample: &[u8], json_keys: &Arc<json::Keys>) -> Layout {
    let lines = || {
        lines::bodies(sample)
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .take(SAMPLE_LINES)
    };
    let Some(first) = lines().next() else {
        return Layout::Clf(Format::Auto);
    };
    // One directive is enough: a piped or followed log's first chunk may be its first line.
    if w3c::DIRECTIVES.iter().any(|d| first.starts_with(d))
        || first.starts_with(b"#") && lines().any(|line| line.starts_with(w3c::FIELDS))
    {
        return Layout::W3c(None);
    }
    if first.first() == Some(&b'{') {
        return Layout::Json(json_keys.clone());
    }
    let mut fields = Vec::new();
    // IIS lines without their `#Fields:` header (a piece of a log), in its default columns or
    // read by the order of its columns: more specific than any candidate, so it wins ties.
    let iis = lines()
        .filter(|line| w3c::parse_headerless(line, &mut fields))
        .count();
    let mut best = (iis, Format::W3c, None);
    for format in CANDIDATES {
        let templates = builtin::templates(format);
        let score = lines()
            .filter(|line| match format {
                Format::Combined | Format::Common => clf_matches(line, format),
                _ => templates.iter().any(|t| t.matches(line, &mut fields)),
            })
            .count();
        if score > best.0 {
            best = (score, format, Some(templates));
        }
    }
    match best {
        (0, ..) | (_, Format::Combined | Format::Common, _) => Layout::Clf(Format::Auto),
        (_, Format::W3c, _) => Layout::W3c(None),
        (_, format, templates) => Layout::Templates(
            format,
            templates.unwrap_or_else(|| builtin::templates(format)),
        ),
    }
}

/// Whether `line` is a plausible common or combined line: it parses (status and size
/// included), its client looks like a client, its user has no space and its date reads.
fn clf_matches(line: &[u8], format: Format) -> bool {
    let Some(f) = clf::parse(line, format) else {
        return false;
    };
    Check::Client.passes(&line[f.host.clone()])
        && !line[f.user.clone()].contains(&b' ')
        && time::date(&line[f.time.clone()]).is_some()
}

/// The date of the first timestamp field that has one.
pub fn date_of(line: &[u8], fields: &[Field]) -> Option<crate::vocab::Date> {
    fields
        .iter()
        .filter(|f| f.role == super::Role::Time)
        .find_map(|f| time::date(&line[f.range.clone()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IIS: &str =
        "2024-03-05 10:00:01 10.0.0.5 GET /a q=1 443 CONTOSO\\jane 203.0.113.7 ua - 200 0 0 31\n";

    /// The columns after each line read one by one, as the serial path does.
    fn serial(mut layout: Layout, chunk: &[u8]) -> Layout {
        for line in lines::bodies(chunk) {
            layout.directive(line);
        }
        layout
    }

    fn columns(layout: &Layout) -> Option<Arc<Columns>> {
        match layout {
            Layout::W3c(columns) => columns.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn advance_takes_headers_as_lines_do() {
        let chunks: &[&[u8]] = &[
            b"#Fields: date c-dns\n2024-01-01 host.example\n#Fields:\n",
            b"#Fields: date c-dns\r\n#Fields: \t\r\n#Software: x\r\n",
            b"#Fields: date c-ip\n#Fields: date time c-ip\n",
            b"x #Fields: date c-ip\n",
            b"#Fields:\n",
            b"",
        ];
        for start in [None, Columns::from_names("c-ip cs-username").map(Arc::new)] {
            for chunk in chunks {
                let mut advanced = Layout::W3c(start.clone());
                advanced.advance(chunk);
                let read = serial(Layout::W3c(start.clone()), chunk);
                assert_eq!(
                    columns(&advanced),
                    columns(&read),
                    "{}",
                    chunk.escape_ascii()
                );
            }
        }
        // An empty `#Fields:` line keeps the columns in effect.
        let mut layout = Layout::W3c(None);
        layout.advance(chunks[0]);
        assert_eq!(
            columns(&layout).as_deref(),
            Columns::from_names("date c-dns").as_ref()
        );
    }

    /// Every line is read into fields, in or out of its format, with the bytes between them
    /// left to be copied.
    #[test]
    fn every_line_is_read_into_fields() {
        let vhost = Layout::Templates(
            Format::VhostCombined,
            builtin::templates(Format::VhostCombined),
        );
        let fields_header = Layout::W3c(None);
        let clf_line = r#"h - u [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 5"#;
        // A layout, a line, how it is read, and its fields.
        type Case = (Layout, String, Reading, Vec<(&'static str, Role)>);
        let cases: Vec<Case> = vec![
            (
                Layout::Clf(Format::Auto),
                clf_line.replace(" - ", " id ") + " 0.012",
                Reading::Format,
                vec![
                    ("h", Role::Client),
                    ("id", Role::Unknown),
                    ("u", Role::User),
                    ("10/Oct/2023:13:55:36 +0200", Role::Time),
                    ("GET / HTTP/1.1", Role::Request),
                    // After the byte count: trailing columns.
                    (" 0.012", Role::Unknown),
                ],
            ),
            // Not common, and read as nothing else.
            (
                Layout::Clf(Format::Auto),
                "jane@example.com said hi".into(),
                Reading::Fallback,
                vec![("jane@example.com said hi", Role::Unknown)],
            ),
            // A vhost line whose user only common admits (a space, an `@`): common after its
            // server name.
            (
                vhost,
                format!(
                    "www.example.com {}",
                    clf_line.replace(" u [", " u x@y [22 a [")
                ),
                Reading::Fallback,
                vec![
                    ("www.example.com ", Role::Unknown),
                    // An ident `-` and an empty rest are left out.
                    ("h", Role::Client),
                    ("u x@y", Role::User),
                    ("22 a [10/Oct/2023:13:55:36 +0200", Role::Time),
                    ("GET / HTTP/1.1", Role::Request),
                ],
            ),
            (
                fields_header.clone(),
                "#Fields: date\tc-ip  cs-username".into(),
                Reading::Directive,
                vec![
                    ("#Fields:", Role::Unknown),
                    ("date", Role::Unknown),
                    ("c-ip", Role::Unknown),
                    ("", Role::Unknown),
                    ("cs-username", Role::Unknown),
                ],
            ),
            (
                fields_header,
                "#Remark: call 555 0100".into(),
                Reading::Directive,
                vec![("#Remark: call 555 0100", Role::Unknown)],
            ),
        ];
        let mut fields = Vec::new();
        for (mut layout, line, reading, want) in cases {
            assert_eq!(layout.read(line.as_bytes(), &mut fields), reading, "{line}");
            let got: Vec<(&str, Role)> = fields
                .iter()
                .map(|f| (&line[f.range.clone()], f.role))
                .collect();
            assert_eq!(got, want, "{line}");
        }
    }

    /// Regression: a W3C log whose first chunk held only a `#Date:` line (read from a pipe,
    /// followed, or cut into small chunks) was read as common, and the lines of its host-name
    /// column, not parsing as common, kept their client host names whole.
    #[test]
    fn one_directive_line_is_w3c() {
        let cfg = Arc::new(json::Keys::default());
        for first in [
            "#Date: 2024-03-05 10:00:00\n",
            "#Start-Date: 2024-03-05 10:00:00\r\n",
            "#Remark: rotated",
            "#Version: 1.0\n",
            "#Fields: date time c-dns\n",
        ] {
            let layout = detect(first.as_bytes(), &cfg);
            assert!(matches!(layout, Layout::W3c(None)), "{first:?}: {layout:?}");
        }
        // A comment is not a directive.
        assert!(matches!(detect(b"# x\n", &cfg), Layout::Clf(_)));
    }

    #[test]
    fn headerless_iis_is_recognised() {
        let cfg = Arc::new(json::Keys::default());
        let mut sample = IIS.repeat(3);
        assert!(matches!(detect(sample.as_bytes(), &cfg), Layout::W3c(None)));
        // IIS 7, without the referrer.
        let iis7 = IIS.replace(" ua - 200", " ua 200");
        assert!(matches!(detect(iis7.as_bytes(), &cfg), Layout::W3c(None)));
        // Other columns, read by the order of IIS's columns (a server name for its address).
        sample = IIS.replace("10.0.0.5", "server");
        assert!(matches!(detect(sample.as_bytes(), &cfg), Layout::W3c(None)));
        // Lines without a port, a user and an address in a row do not make it W3C.
        sample = IIS.replace(" 443 ", " https ");
        assert!(matches!(detect(sample.as_bytes(), &cfg), Layout::Clf(_)));
        let mut fields = Vec::new();
        assert!(Layout::W3c(None).parse(IIS.trim_end().as_bytes(), &mut fields));
    }
}
