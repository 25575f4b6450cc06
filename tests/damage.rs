//! Damage to what is not personal, measured on the real logs of `../shared/corpus/real/`: user
//! agents, status codes and sizes, timestamps and file names in request paths must come out as
//! they went in. The only accepted change is an e-mail address removed from a user agent (a
//! bot's contact address); every other change fails the test. Run with `--nocapture` for the
//! per-file table (docs/detection.md).

mod common;

use common::{corpus, files, run};
use logscrub::format::layout::Layout;
use logscrub::format::{clf, Field, Format, Role};
use logscrub::Config;

#[derive(Default, Debug)]
struct Damage {
    lines: usize,
    agents_with_email: usize,
    agents: usize,
    numbers: usize,
    times: usize,
    file_names: usize,
    examples: Vec<String>,
}

/// The file names (segments with an extension) of a request line or target's path.
fn file_names(value: &[u8]) -> Vec<&[u8]> {
    let text = match value.iter().filter(|&&b| b == b' ').count() {
        0 => value,
        _ => value.split(|&b| b == b' ').nth(1).unwrap_or(b""),
    };
    let path = text
        .split(|&b| b == b'?' || b == b'#')
        .next()
        .unwrap_or(b"");
    path.split(|&b| b == b'/')
        .filter(|seg| {
            seg.iter().rposition(|&b| b == b'.').is_some_and(|dot| {
                let ext = &seg[dot + 1..];
                dot > 0
                    && (1..=5).contains(&ext.len())
                    && ext.iter().all(u8::is_ascii_alphanumeric)
                    && ext.iter().any(u8::is_ascii_alphabetic)
            })
        })
        .collect()
}

fn has_email(value: &[u8]) -> bool {
    value.windows(1).enumerate().any(|(at, w)| {
        w == b"@"
            && value[at + 1..].contains(&b'.')
            && at > 0
            && value[at - 1].is_ascii_alphanumeric()
    })
}

/// (role, value) pairs worth comparing in a line, as the format reads it.
fn values<'l>(
    layout: &mut Layout,
    line: &'l [u8],
    fields: &mut Vec<Field>,
) -> Option<Vec<(Role, &'l [u8])>> {
    if let Layout::Clf(_) = layout {
        let f = clf::parse(line, Format::Auto)?;
        let mut out = vec![
            (Role::Time, &line[f.time.clone()]),
            (Role::Request, &line[f.request.clone()]),
        ];
        let numbers_end = f.referrer.as_ref().map_or(f.rest.start, |r| r.start);
        out.push((Role::Plain, &line[f.request.end..numbers_end]));
        if let Some(agent) = f.agent {
            out.push((Role::Agent, &line[agent]));
        }
        return Some(out);
    }
    if layout.directive(line) || !layout.parse(line, fields) {
        return None;
    }
    Some(
        fields
            .iter()
            .filter(|f| {
                matches!(
                    f.role,
                    Role::Time | Role::Request | Role::Url | Role::Agent | Role::Plain
                )
            })
            .map(|f| (f.role, &line[f.range.clone()]))
            .filter(|(role, v)| *role != Role::Plain || v.iter().all(u8::is_ascii_digit))
            .collect(),
    )
}

fn measure(input: &[u8], output: &[u8]) -> Damage {
    let cfg = Config::default();
    let mut damage = Damage::default();
    let (mut layout_in, mut layout_out) = (cfg.layout_for(input), cfg.layout_for(output));
    let (mut fields_in, mut fields_out) = (Vec::new(), Vec::new());
    for (a, b) in input
        .split(|&b| b == b'\n')
        .zip(output.split(|&b| b == b'\n'))
    {
        damage.lines += usize::from(!a.is_empty());
        let (Some(va), Some(vb)) = (
            values(&mut layout_in, a, &mut fields_in),
            values(&mut layout_out, b, &mut fields_out),
        ) else {
            continue;
        };
        for ((role, x), (_, y)) in va.iter().zip(vb.iter()) {
            let changed = match role {
                Role::Request | Role::Url => file_names(x) != file_names(y),
                _ => x != y,
            };
            if !changed {
                continue;
            }
            let counter = match role {
                Role::Agent if has_email(x) => &mut damage.agents_with_email,
                Role::Agent => &mut damage.agents,
                Role::Time => &mut damage.times,
                Role::Plain => &mut damage.numbers,
                _ => &mut damage.file_names,
            };
            *counter += 1;
            if damage.examples.len() < 5 && !(matches!(role, Role::Agent) && has_email(x)) {
                damage.examples.push(format!(
                    "{role:?}: {} -> {}",
                    String::from_utf8_lossy(x),
                    String::from_utf8_lossy(y)
                ));
            }
        }
    }
    damage
}

#[test]
fn nothing_but_personal_data_changes_in_real_logs() {
    let Some(dir) = corpus("real") else { return };
    println!("\n| file | lines | agents changed (e-mail removed) | agents changed (other) | status/size | timestamps | file names |");
    println!("|---|---|---|---|---|---|---|");
    let mut unexplained = Vec::new();
    for path in files(&dir) {
        let input = std::fs::read(&path).unwrap();
        let out = run(&[path.to_str().unwrap()], b"");
        assert!(out.status.success());
        let d = measure(&input, &out.stdout);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            d.lines, d.agents_with_email, d.agents, d.numbers, d.times, d.file_names
        );
        if d.agents + d.numbers + d.times + d.file_names > 0 {
            unexplained.push(format!("{name}: {:?}", d.examples));
        }
    }
    assert!(
        unexplained.is_empty(),
        "unexplained changes: {unexplained:#?}"
    );
}

#[test]
fn the_measure_sees_damage() {
    let input = b"1.2.3.4 - - [10/Oct/2023:13:55:36 +0200] \"GET /a/main.4e5f.css HTTP/1.1\" 200 5 \"-\" \"Browser/3.6.28.1\"\n";
    let damaged = b"1.2.3.0 - - [10/Oct/2023:13:55:36 +0200] \"GET /a/REDACTED HTTP/1.1\" 200 6 \"-\" \"Browser/3.6.28.0\"\n";
    let d = measure(input, damaged);
    assert_eq!((d.file_names, d.numbers, d.agents), (1, 1, 1));
    assert_eq!(measure(input, input).file_names, 0);
}
