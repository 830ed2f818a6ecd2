//! A self-contained HTML report of a diff, for a reviewer's browser.
//!
//! One file, no scripts, no external resources: a summary of the counts, then
//! one section per object, changed objects side by side (A on the left, B on
//! the right) with changed lines marked. Everything from the dumps is
//! HTML-escaped.

use std::fmt::Write;

use similar::{DiffTag, TextDiff};

use crate::diff::{Change, ChangeKind, DiffReport};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}\
table{border-collapse:collapse;width:100%;table-layout:fixed}\
td{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre-wrap;vertical-align:top;padding:0 .5em;border-left:1px solid #ddd}\
th{text-align:left;font-weight:normal;color:#666}\
.del{background:#fdd}.add{background:#dfd}.kind{font-size:.8em;padding:.1em .4em;border-radius:.3em;background:#eee}\
.only_in_a .kind{background:#fcc}.only_in_b .kind{background:#cfc}.changed .kind{background:#ffd58a}";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The report for `report`, comparing the dumps named `a` and `b`.
pub fn html(report: &DiffReport, a: &str, b: &str) -> String {
    let mut out = String::new();
    let (a, b) = (escape(a), escape(b));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>pgsplit diff: {a} / {b}</title><style>{STYLE}</style></head><body>\n\
         <h1>pgsplit diff</h1><p>A: <code>{a}</code><br>B: <code>{b}</code></p>\n"
    );
    if report.identical() {
        out.push_str("<p id=\"summary\">The dumps hold the same objects.</p>\n");
    } else {
        let _ = writeln!(out, "<p id=\"summary\">{}.</p>", report.summary("A", "B"));
    }
    for change in &report.changes {
        section(&mut out, change);
    }
    out.push_str("</body></html>\n");
    out
}

fn section(out: &mut String, change: &Change) {
    let kind = change.kind.as_str();
    let label = match change.kind {
        ChangeKind::Changed => "changed",
        ChangeKind::OnlyInA => "only in A",
        ChangeKind::OnlyInB => "only in B",
    };
    let _ = writeln!(
        out,
        "<section class=\"{kind}\"><h2><span class=\"kind\">{label}</span> <span class=\"object\">{}</span></h2>\
         <table><tr><th>A</th><th>B</th></tr>",
        escape(&change.identity.to_string())
    );
    let a = change.a.as_deref().unwrap_or("");
    let b = change.b.as_deref().unwrap_or("");
    let diff = TextDiff::from_lines(a, b);
    let (old, new) = (diff.old_slices(), diff.new_slices());
    let cell = |lines: &[&str], i: usize, class: &str| match lines.get(i) {
        Some(line) => format!(
            "<td class=\"{class}\">{}</td>",
            escape(line.trim_end_matches('\n'))
        ),
        None => "<td></td>".to_string(),
    };
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_lines = &old[old_range];
        let new_lines = &new[new_range];
        // A replaced line sits beside its replacement.
        for i in 0..old_lines.len().max(new_lines.len()) {
            let (left, right) = match tag {
                DiffTag::Equal => (cell(old_lines, i, "same"), cell(new_lines, i, "same")),
                _ => (cell(old_lines, i, "del"), cell(new_lines, i, "add")),
            };
            let _ = writeln!(out, "<tr>{left}{right}</tr>");
        }
    }
    out.push_str("</table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Identity;

    #[test]
    fn changed_lines_are_marked_and_escaped() {
        let report = DiffReport {
            changes: vec![Change {
                kind: ChangeKind::Changed,
                identity: Identity {
                    object_type: "TABLE".into(),
                    schema: "public".into(),
                    name: "t<1>".into(),
                },
                a: Some("CREATE TABLE t (a int);\n".into()),
                b: Some("CREATE TABLE t (a bigint);\n".into()),
            }],
        };
        let page = html(&report, "a.sql", "b.sql");
        assert!(page.contains("TABLE public.t&lt;1&gt;"), "{page}");
        assert!(
            page.contains("<td class=\"del\">CREATE TABLE t (a int);</td>"),
            "{page}"
        );
        assert!(
            page.contains("<td class=\"add\">CREATE TABLE t (a bigint);</td>"),
            "{page}"
        );
        assert!(page.contains("1 objects differ: 1 changed"));
    }
}
