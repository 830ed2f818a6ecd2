//! Object-level differences between two dumps.
//!
//! Both dumps are normalized ([`crate::normalize`]) and their entries matched
//! by identity: pg_dump's header where there is one (type, schema, name),
//! otherwise the command and the name it acts on. An object is only in A,
//! only in B, or changed, with a unified diff of its normalized text. Order
//! never matters: matching is by identity, so two dumps of the same objects
//! created in another order are identical.

use std::collections::BTreeMap;

use crate::normalize::{for_each_entry, Identity, NormalizeOptions};

/// How an object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    OnlyInA,
    OnlyInB,
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::OnlyInA => "only_in_a",
            ChangeKind::OnlyInB => "only_in_b",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One object that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub identity: Identity,
    /// The object's normalized text in A and in B.
    pub a: Option<String>,
    pub b: Option<String>,
}

impl Change {
    /// A unified diff of the object's text, A to B.
    pub fn unified_diff(&self) -> String {
        let a = self.a.as_deref().unwrap_or("");
        let b = self.b.as_deref().unwrap_or("");
        let label = self.identity.to_string();
        similar::TextDiff::from_lines(a, b)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a: {label}"), &format!("b: {label}"))
            .to_string()
    }
}

/// The differences between two dumps, in identity order.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    pub changes: Vec<Change>,
}

impl DiffReport {
    pub fn identical(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// "3 objects differ: 1 changed, 1 only in A, 1 only in B", with the
    /// dumps named as given.
    pub fn summary(&self, a: &str, b: &str) -> String {
        format!(
            "{} objects differ: {} changed, {} only in {a}, {} only in {b}",
            self.changes.len(),
            self.count(ChangeKind::Changed),
            self.count(ChangeKind::OnlyInA),
            self.count(ChangeKind::OnlyInB)
        )
    }
}

/// Compares dump `a` with dump `b`.
pub fn diff(a: &[u8], b: &[u8], options: &NormalizeOptions) -> DiffReport {
    let side = |input: &[u8]| {
        let mut objects: BTreeMap<Identity, Vec<u8>> = BTreeMap::new();
        for_each_entry(input, options, |entry| {
            let text = objects.entry(entry.identity).or_default();
            for piece in &entry.pieces {
                text.extend_from_slice(piece);
            }
        });
        objects
    };
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    let (a, mut b) = (side(a), side(b));
    let mut changes = Vec::new();
    for (identity, text_a) in a {
        match b.remove(&identity) {
            None => changes.push(Change {
                kind: ChangeKind::OnlyInA,
                identity,
                a: Some(text(text_a)),
                b: None,
            }),
            Some(text_b) if text_b != text_a => changes.push(Change {
                kind: ChangeKind::Changed,
                identity,
                a: Some(text(text_a)),
                b: Some(text(text_b)),
            }),
            Some(_) => {}
        }
    }
    for (identity, text_b) in b {
        changes.push(Change {
            kind: ChangeKind::OnlyInB,
            identity,
            a: None,
            b: Some(text(text_b)),
        });
    }
    changes.sort_by(|x, y| (&x.identity, x.kind).cmp(&(&y.identity, y.kind)));
    DiffReport { changes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, body: &str) -> String {
        format!("--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: o\n--\n\n{body}\n\n")
    }

    #[test]
    fn order_does_not_matter() {
        let a = entry("a", "CREATE TABLE public.a (x int);")
            + &entry("b", "CREATE TABLE public.b (x int);");
        let b = entry("b", "CREATE TABLE public.b (x int);")
            + &entry("a", "CREATE TABLE public.a (x int);");
        assert!(diff(a.as_bytes(), b.as_bytes(), &NormalizeOptions::default()).identical());
    }

    #[test]
    fn each_kind_of_change() {
        let a = entry("a", "CREATE TABLE public.a (x int);")
            + &entry("gone", "CREATE TABLE public.gone (x int);");
        let b = entry("a", "CREATE TABLE public.a (x bigint);")
            + &entry("new", "CREATE TABLE public.new (x int);");
        let report = diff(a.as_bytes(), b.as_bytes(), &NormalizeOptions::default());
        let kinds: Vec<(ChangeKind, String)> = report
            .changes
            .iter()
            .map(|c| (c.kind, c.identity.name.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Changed, "a".to_string()),
                (ChangeKind::OnlyInA, "gone".to_string()),
                (ChangeKind::OnlyInB, "new".to_string())
            ]
        );
        let unified = report.changes[0].unified_diff();
        assert!(
            unified.contains("-CREATE TABLE public.a (x int);")
                && unified.contains("+CREATE TABLE public.a (x bigint);"),
            "{unified}"
        );
    }
}
