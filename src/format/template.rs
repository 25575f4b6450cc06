//! Compiled format strings: a sequence of literals and fields, matched left to right.
//!
//! Apache `LogFormat`, nginx `log_format`, W3C `#Fields:` headers and the built-in proxy and
//! cloud formats all compile to a [`Template`]. Matching a line finds each field's end at the
//! next occurrence of the literal that follows it, so it costs one `memchr`/`memmem` per field
//! and never allocates once the caller's field vector has grown.

use memchr::memmem;

use super::{time, Field, Role};

/// What a field must look like when a template is tried on sample lines to recognise a format.
/// Parsing in the hot path does not check it: a line that matches the layout is scrubbed by
/// its fields' roles, which protect at least as well as the fail-safe scrub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Any,
    /// An HTTP status: three digits (or `-`, for requests that never got one).
    Status,
    /// A byte count or duration: digits, with `-` for none.
    Number,
    /// A timestamp whose date can be read.
    Date,
    /// An address, a host name, `-` or `unix:…`.
    Client,
    /// A port: digits, or `-`. Unlike the other checks, parsing holds lines to it, because
    /// `%v:%p` can otherwise be matched with the halves of an IPv6 address on each side of
    /// the `:`, each of which alone is no address.
    Port,
}

/// A field of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub role: Role,
    /// Spaces the value itself contains (`[10/Oct/2000:13:55:36 -0700]` has one): skipped
    /// before looking for the next literal when that literal starts with a space, and the
    /// most it may hold otherwise (`u8::MAX`: any number).
    pub spaces: u8,
    pub check: Check,
}

impl Spec {
    pub fn new(role: Role) -> Self {
        Spec {
            role,
            spaces: 0,
            check: Check::Any,
        }
    }

    pub fn spaces(mut self, spaces: u8) -> Self {
        self.spaces = spaces;
        self
    }

    pub fn check(mut self, check: Check) -> Self {
        self.check = check;
        self
    }
}

#[derive(Clone, Debug)]
enum Item {
    /// The literal's bytes are the finder's needle.
    Literal(Box<memmem::Finder<'static>>),
    Field(Spec),
}

/// A compiled format.
///
/// Invariants: literals and fields alternate (adjacent literals are joined, adjacent fields
/// merged into one), and the template has at least one field. `lead` and `steps` are the
/// matcher for `items`, worked out once when the template is built.
#[derive(Clone, Debug)]
pub struct Template {
    items: Vec<Item>,
    /// The literal before the first field (empty if the format starts with one).
    lead: Box<[u8]>,
    /// One per field, in order.
    steps: Box<[Step]>,
}

/// A field and how the matcher finds its end.
#[derive(Clone, Debug)]
struct Step {
    spec: Spec,
    end: End,
    /// The length of the literal after the field (0 for the last item).
    skip: usize,
}

/// Where a field ends, decided from its neighbours when the template is built.
#[derive(Clone, Debug)]
enum End {
    /// At the end of the line: the field is the last item.
    Line,
    /// Before the template's last literal, which ends the line and which the value may contain.
    Closing(Box<[u8]>),
    /// At the first occurrence of a single-byte literal, found with one `memchr`: what
    /// [`field_end`] finds when it has no spaces to skip or count and no list to follow.
    Byte(u8),
    /// At a literal starting with `"` after a field opened by `"`: backslash escapes skipped.
    Quoted(Box<memmem::Finder<'static>>),
    /// At the next occurrence of a literal, by the rules of [`field_end`].
    Literal(Box<memmem::Finder<'static>>),
}

impl End {
    /// How the field at `items[i]` ends.
    fn of(items: &[Item], i: usize) -> End {
        let Item::Field(spec) = &items[i] else {
            unreachable!("only fields end")
        };
        let finder = match items.get(i + 1) {
            None => return End::Line,
            Some(Item::Literal(finder)) => finder,
            Some(Item::Field(_)) => unreachable!("fields are merged when built"),
        };
        let lit = finder.needle();
        if i + 2 == items.len() {
            return End::Closing(lit.into());
        }
        let opened = i > 0
            && matches!(&items[i - 1], Item::Literal(before) if before.needle().ends_with(b"\""));
        if opened && lit[0] == b'"' {
            return End::Quoted(finder.clone());
        }
        // A single byte ends the value at its first occurrence, as in `field_end`, unless
        // spaces must be skipped (a space after a value holding some) or counted (another byte
        // after a value holding at most a few), or a list goes on after a comma.
        let list = matches!(spec.role, Role::Client | Role::Addrs);
        let spaces_ok = if lit[0] == b' ' {
            spec.spaces == 0
        } else {
            spec.spaces == u8::MAX
        };
        if lit.len() == 1 && !list && spaces_ok {
            End::Byte(lit[0])
        } else {
            End::Literal(finder.clone())
        }
    }
}

/// Builds a [`Template`] item by item.
#[derive(Default)]
pub struct Builder {
    items: Vec<Item>,
    pending: Vec<u8>,
}

impl Builder {
    pub fn literal(&mut self, bytes: &[u8]) -> &mut Self {
        self.pending.extend_from_slice(bytes);
        self
    }

    /// Adds a field. A field right after another one (`%U%q`, `$uri$is_args$args`) has no
    /// literal to end it, so the two become one field with a role that protects both.
    pub fn field(&mut self, spec: Spec) -> &mut Self {
        self.flush_literal();
        if let Some(Item::Field(last)) = self.items.last_mut() {
            last.role = merged(last.role, spec.role);
            last.spaces = last.spaces.saturating_add(spec.spaces);
            last.check = Check::Any;
        } else {
            self.items.push(Item::Field(spec));
        }
        self
    }

    /// The template, or `None` if it has no field.
    pub fn build(mut self) -> Option<Template> {
        self.flush_literal();
        let items = self.items;
        let lead = match items.first()? {
            Item::Literal(finder) => finder.needle().into(),
            Item::Field(_) => Box::default(),
        };
        let steps: Box<[Step]> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Field(spec) => Some(Step {
                    spec: spec.clone(),
                    end: End::of(&items, i),
                    skip: match items.get(i + 1) {
                        Some(Item::Literal(finder)) => finder.needle().len(),
                        _ => 0,
                    },
                }),
                Item::Literal(_) => None,
            })
            .collect();
        (!steps.is_empty()).then_some(Template { items, lead, steps })
    }

    fn flush_literal(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.pending);
        let finder = memmem::Finder::new(&bytes).into_owned();
        self.items.push(Item::Literal(Box::new(finder)));
    }
}

/// The role of two fields written back to back.
fn merged(a: Role, b: Role) -> Role {
    use Role::*;
    match (a, b) {
        _ if a == b => a,
        (Url | Query | Plain, Url | Query | Plain) => Url,
        _ => Text,
    }
}

impl Template {
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Matches `line` (without its terminator), filling `fields` with one entry per field in
    /// line order. Returns false, with `fields` in an unspecified state, if the line does not
    /// have this layout.
    pub fn parse(&self, line: &[u8], fields: &mut Vec<Field>) -> bool {
        fields.clear();
        if !has_at(line, 0, &self.lead) {
            return false;
        }
        let mut pos = self.lead.len();
        for step in self.steps.iter() {
            let spec = &step.spec;
            // `end` is the value's end; the search for it has matched the literal after it.
            let end = match &step.end {
                End::Line => line.len(),
                End::Closing(lit) => {
                    if line.len() < pos + lit.len() || !has_at(line, line.len() - lit.len(), lit) {
                        return false;
                    }
                    line.len() - lit.len()
                }
                End::Byte(b) => match memchr::memchr(*b, &line[pos..]) {
                    Some(k) => pos + k,
                    None => return false,
                },
                End::Quoted(finder) => match quoted_end(line, pos, finder.needle()) {
                    Some(end) => end,
                    None => return false,
                },
                End::Literal(finder) => match field_end(line, pos, spec, finder) {
                    Some(end) => end,
                    None => return false,
                },
            };
            let value = &line[pos..end];
            // Timestamps are copied unscanned, so a line with anything else in their place
            // has another layout.
            if spec.role == Role::Time && !time::is_plain_timestamp(value) {
                return false;
            }
            if spec.check == Check::Port && !Check::Port.passes(value) {
                return false;
            }
            fields.push(Field::new(pos..end, spec.role));
            pos = end + step.skip;
        }
        pos == line.len()
    }

    /// Like [`Template::parse`], and every field passes its [`Check`]: whether the line is
    /// really in this format, for recognising formats.
    pub fn matches(&self, line: &[u8], fields: &mut Vec<Field>) -> bool {
        if !self.parse(line, fields) {
            return false;
        }
        self.steps
            .iter()
            .zip(fields.iter())
            .all(|(step, field)| step.spec.check.passes(&line[field.range.clone()]))
    }

    /// The first literal that would run on into a neighbouring field's value: hex digits next
    /// to the field, with at most `:` and `.` between (`$a:17`, `%b1`). A value and such text
    /// can form an address that neither holds alone, which field-wise scrubbing cannot see, so
    /// format strings with one are refused.
    pub fn joining_literal(&self) -> Option<&[u8]> {
        let joins = |bytes: &mut dyn Iterator<Item = &u8>| {
            bytes
                .take_while(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
                .any(u8::is_ascii_hexdigit)
        };
        self.items.iter().enumerate().find_map(|(i, item)| {
            let Item::Literal(finder) = item else {
                return None;
            };
            let lit = finder.needle();
            // Literals and fields alternate: a literal not first follows a field, one not last
            // precedes a field.
            let after_field = i > 0 && joins(&mut lit.iter());
            let before_field = i + 1 < self.items.len() && joins(&mut lit.iter().rev());
            (after_field || before_field).then_some(lit)
        })
    }

    /// Refuses literal text that would put personal data into the output by itself: text
    /// that runs on into a field ([`Template::joining_literal`]) and fields joined by `:` or `.`
    /// alone. (Text that holds personal data itself is refused where the policy is built,
    /// which can look for it: `config`.)
    pub fn check_literals(&self) -> Result<(), String> {
        let shown = |lit: &[u8]| String::from_utf8_lossy(lit).escape_debug().to_string();
        if let Some(lit) = self.joining_literal() {
            return Err(format!(
                "the text `{}` runs on into the field beside it (hex digits next to a field can \
                 join its value into an address); separate them with a space",
                shown(lit)
            ));
        }
        // Two fields joined by `:` or `.` alone can together make an address that neither
        // is; that is safe only where one side cannot take part (a port, a timestamp).
        let is_safe = |item: &Item| match item {
            Item::Field(spec) => spec.check == Check::Port || spec.role == Role::Time,
            Item::Literal(_) => false,
        };
        for (i, item) in self.items.iter().enumerate() {
            let Item::Literal(finder) = item else {
                continue;
            };
            let lit = finder.needle();
            let punctuation = lit.iter().all(|&b| b == b':' || b == b'.');
            let between = i > 0 && i + 1 < self.items.len();
            if punctuation
                && between
                && !is_safe(&self.items[i - 1])
                && !is_safe(&self.items[i + 1])
            {
                return Err(format!(
                    "the fields on both sides of `{}` could together form an address that \
                     neither holds alone; separate them with a space",
                    shown(lit)
                ));
            }
        }
        Ok(())
    }

    /// The literal text between the fields, in order.
    pub fn literals(&self) -> impl Iterator<Item = &[u8]> {
        self.items.iter().filter_map(|item| match item {
            Item::Literal(finder) => Some(finder.needle()),
            Item::Field(_) => None,
        })
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the template has no field; never true for a built template.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where a quoted value starting at `pos` ends: at the next `lit` (which starts with `"`)
/// that is not escaped. Apache escapes `"` as `\"`, nginx as `\x22`; a bare quote not
/// followed by the rest of the literal is part of the value (some servers do not escape at
/// all).
fn quoted_end(line: &[u8], pos: usize, lit: &[u8]) -> Option<usize> {
    let mut i = pos;
    while i < line.len() {
        let p = i + memchr::memchr2(b'"', b'\\', &line[i..])?;
        if line[p] == b'\\' {
            i = p + 2;
        } else if has_at(line, p, lit) {
            return Some(p);
        } else {
            i = p + 1;
        }
    }
    None
}

/// Where a field starting at `pos` ends: the next occurrence of the finder's literal, skipping
/// the spaces the value contains and the commas of an address list.
fn field_end(line: &[u8], pos: usize, spec: &Spec, finder: &memmem::Finder<'_>) -> Option<usize> {
    let lit = finder.needle();
    let mut from = pos;
    if lit[0] != b' ' {
        // The value ends at a literal such as `:` or `]`: more spaces than the value may
        // contain means the line has another layout (`host 1.2.3.4 - [t:…` is not `%v:%p`).
        let p = from + find(line, from, lit, finder)?;
        let spaces = line[pos..p].iter().filter(|&&b| b == b' ').count();
        return (spaces <= usize::from(spec.spaces)).then_some(p);
    }
    for _ in 0..spec.spaces {
        from += memchr::memchr(b' ', &line[from..])? + 1;
    }
    loop {
        let p = from + find(line, from, lit, finder)?;
        // `203.0.113.7, 10.0.0.1`: a list of addresses goes on after a comma.
        let list =
            matches!(spec.role, Role::Client | Role::Addrs) && p > pos && line[p - 1] == b',';
        if !list {
            return Some(p);
        }
        from = p + 1;
    }
}

/// Where `lit` next occurs from `from`, relative to `from`. Literals between fields are short
/// and their first byte is rare enough that `memchr` plus a comparison beats a substring search.
#[inline]
fn find(line: &[u8], from: usize, lit: &[u8], finder: &memmem::Finder<'_>) -> Option<usize> {
    if lit.len() > 4 {
        return finder.find(&line[from..]);
    }
    let mut at = from;
    loop {
        let p = at + memchr::memchr(lit[0], &line[at..])?;
        if has_at(line, p, lit) {
            return Some(p - from);
        }
        at = p + 1;
    }
}

/// Whether `lit` occurs at `pos`: a plain loop, as literals are a few bytes long.
#[inline]
fn has_at(line: &[u8], pos: usize, lit: &[u8]) -> bool {
    line.len() - pos >= lit.len() && lit.iter().zip(&line[pos..]).all(|(a, b)| a == b)
}

impl Check {
    /// Whether `value` passes this check.
    pub fn passes(self, value: &[u8]) -> bool {
        match self {
            Check::Any => true,
            Check::Status => {
                value == b"-" || (value.len() == 3 && value.iter().all(u8::is_ascii_digit))
            }
            Check::Number => {
                value == b"-"
                    || (!value.is_empty()
                        && value
                            .iter()
                            .all(|&b| b.is_ascii_digit() || b == b'.' || b == b'-'))
            }
            Check::Date => time::date(value).is_some(),
            Check::Port => {
                value == b"-" || (!value.is_empty() && value.iter().all(u8::is_ascii_digit))
            }
            Check::Client => {
                value == b"-"
                    || value.starts_with(b"unix:")
                    || (!value.is_empty()
                        && value.iter().all(|&b| {
                            b.is_ascii_alphanumeric()
                                || matches!(
                                    b,
                                    b'.' | b'-' | b'_' | b':' | b',' | b' ' | b'[' | b']' | b'%'
                                )
                        })
                        && value.iter().any(|&b| b == b'.' || b == b':'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clf_like() -> Template {
        let mut b = Template::builder();
        b.field(Spec::new(Role::Client).check(Check::Client))
            .literal(b" ")
            .field(Spec::new(Role::Plain))
            .literal(b" ")
            .field(Spec::new(Role::User))
            .literal(b" ")
            .field(Spec::new(Role::Time).spaces(1).check(Check::Date))
            .literal(b" \"")
            .field(Spec::new(Role::Request))
            .literal(b"\" ")
            .field(Spec::new(Role::Plain).check(Check::Status))
            .literal(b" ")
            .field(Spec::new(Role::Plain).check(Check::Number))
            .literal(b" \"")
            .field(Spec::new(Role::Referrer))
            .literal(b"\" \"")
            .field(Spec::new(Role::Text))
            .literal(b"\"");
        b.build().unwrap()
    }

    fn values<'a>(line: &'a str, fields: &[Field]) -> Vec<&'a str> {
        fields.iter().map(|f| &line[f.range.clone()]).collect()
    }

    #[test]
    fn matches_layouts() {
        let t = clf_like();
        let mut fields = Vec::new();
        let cases: &[(&str, Option<&[&str]>)] = &[
            (
                r#"1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "ua""#,
                Some(&[
                    "1.2.3.4",
                    "-",
                    "bob",
                    "[10/Oct/2000:13:55:36 -0700]",
                    "GET / HTTP/1.1",
                    "200",
                    "5",
                    "-",
                    "ua",
                ]),
            ),
            // Escaped and bare quotes inside quoted values.
            (
                r#"::1 - - [10/Oct/2000:13:55:36 -0700] "GET /\"a\" HTTP/1.1" 200 5 "x"y" "ua "quoted" \" end""#,
                Some(&[
                    "::1",
                    "-",
                    "-",
                    "[10/Oct/2000:13:55:36 -0700]",
                    r#"GET /\"a\" HTTP/1.1"#,
                    "200",
                    "5",
                    r#"x"y"#,
                    r#"ua "quoted" \" end"#,
                ]),
            ),
            // A list of addresses as the client.
            (
                r#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "ua""#,
                Some(&[
                    "10.0.0.2, 10.0.0.1, 127.0.0.1",
                    "-",
                    "-",
                    "[10/Oct/2000:13:55:36 -0700]",
                    "GET / HTTP/1.1",
                    "200",
                    "5",
                    "-",
                    "ua",
                ]),
            ),
            // Trailing bytes after the last literal's expected place end up in the last field.
            (
                r#"1.2.3.4 - - [t x] "GET / HTTP/1.1" 200 5 "-" "ua" "10.1.1.1""#,
                Some(&[
                    "1.2.3.4",
                    "-",
                    "-",
                    "[t x]",
                    "GET / HTTP/1.1",
                    "200",
                    "5",
                    "-",
                    r#"ua" "10.1.1.1"#,
                ]),
            ),
            (r#"1.2.3.4 - - [t x] "GET / HTTP/1.1" 200 5"#, None),
            ("", None),
            ("garbage", None),
        ];
        for (line, want) in cases {
            let ok = t.parse(line.as_bytes(), &mut fields);
            assert_eq!(ok, want.is_some(), "{line}");
            if let Some(want) = want {
                assert_eq!(values(line, &fields), want.to_vec(), "{line}");
                for w in fields.windows(2) {
                    assert!(w[0].range.end <= w[1].range.start);
                }
            }
        }
    }

    #[test]
    fn checks_tell_formats_apart() {
        let t = clf_like();
        let mut fields = Vec::new();
        let good = br#"1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "ua""#;
        assert!(t.matches(good, &mut fields));
        let bad_status =
            br#"1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" OK 5 "-" "ua""#;
        assert!(t.parse(bad_status, &mut fields));
        assert!(!t.matches(bad_status, &mut fields));
        let bad_date = br#"1.2.3.4 - bob [yesterday noon] "GET / HTTP/1.1" 200 5 "-" "ua""#;
        assert!(!t.matches(bad_date, &mut fields));
    }

    #[test]
    fn adjacent_fields_merge() {
        let mut b = Template::builder();
        b.field(Spec::new(Role::Url))
            .field(Spec::new(Role::Plain))
            .field(Spec::new(Role::Query))
            .literal(b" ")
            .field(Spec::new(Role::Plain).check(Check::Status));
        let t = b.build().unwrap();
        assert_eq!(t.len(), 2);
        let mut fields = Vec::new();
        assert!(t.parse(b"/a?b=c 200", &mut fields));
        assert_eq!(fields[0], Field::new(0..6, Role::Url));
        let mut b = Template::builder();
        b.field(Spec::new(Role::Client))
            .field(Spec::new(Role::Time));
        assert!(b.build().unwrap().parse(b"x", &mut fields));
        assert_eq!(fields[0].role, Role::Text);
    }

    #[test]
    fn literals_that_join_fields_are_found() {
        type Case = (&'static [u8], &'static [u8], Option<&'static [u8]>);
        let cases: &[Case] = &[
            (b" ", b" ", None),
            (b":", b" [", None),
            (b"=", b".", None),
            (b":17 use", b" ", Some(b":17 use")),
            (b" ", b"a ", Some(b"a ")),
            (b".1 ", b" ", Some(b".1 ")),
            (b" ", b" x.1", None),
        ];
        for &(first, second, want) in cases {
            let mut b = Template::builder();
            b.field(Spec::new(Role::Text))
                .literal(first)
                .field(Spec::new(Role::Text))
                .literal(second);
            let t = b.build().unwrap();
            assert_eq!(t.joining_literal(), want, "{first:?} {second:?}");
        }
    }

    #[test]
    fn literal_only_is_not_a_template() {
        let mut b = Template::builder();
        b.literal(b"abc");
        assert!(b.build().is_none());
    }
}
