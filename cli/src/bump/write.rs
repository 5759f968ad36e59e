//! Writing a bump into the spec text: the `changes:` block with its review
//! notes, a whole new entry or the completion of a draft, inserted where the
//! layout says, and the read-back check that nothing else changed.

use mcpgen_runtime::migrate::Op;
use semver::Version;
use serde_json::{Map, Value};

use super::infer::Planned;
use super::{Refusal, Request, splice, yaml};
use crate::classify::Step;
use crate::diag::SpecPath;
use crate::spec::raw;
use crate::spec::source::SourceMap;

/// What the new step's `changes` (or `compatible`) say.
pub(super) struct Block<'a> {
    pub(super) request: &'a [Planned],
    pub(super) response: &'a [Planned],
    pub(super) step: &'a Step,
    pub(super) compatible: bool,
}

impl Block<'_> {
    /// `changes:` with the ops and review notes, or `compatible: true`, as
    /// lines at `indent`.
    fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        let pad = " ".repeat(indent);
        if self.compatible {
            out.push_str(&format!("{pad}compatible: true\n"));
            return out;
        }
        out.push_str(&format!("{pad}changes:\n"));
        for (what, migration) in [
            ("old arguments", &self.step.request),
            ("results for older callers", &self.step.response),
        ] {
            for gap in &migration.gaps {
                yaml::comment(
                    &mut out,
                    &format!(
                        "review: {what} may not arrive valid: {}; add ops that fix it, or accept it",
                        gap.describe()
                    ),
                    indent + 2,
                );
            }
        }
        for (key, planned) in [("request", self.request), ("response", self.response)] {
            if planned.is_empty() {
                continue;
            }
            out.push_str(&format!("{pad}  {key}:\n"));
            ops(&mut out, planned, indent + 4);
        }
        if self.request.is_empty() && self.response.is_empty() {
            out.push_str(&format!("{pad}  request: []\n"));
        }
        out
    }
}

/// Op list items at `indent`, each under its `# review:` note; an `each`
/// with notes inside is written out so its notes sit above its own ops.
fn ops(out: &mut String, planned: &[Planned], indent: usize) {
    for p in planned {
        match &p.op {
            Op::Each(scoped) if p.nested.iter().any(|n| n.review.is_some()) => {
                let pad = " ".repeat(indent);
                if let Some(note) = &p.review {
                    yaml::comment(out, &format!("review: {note}"), indent);
                }
                out.push_str(&format!("{pad}- each:\n"));
                let path = Value::String(scoped.path.to_string());
                yaml::entry(out, "path", &path, indent + 4);
                out.push_str(&format!("{pad}    ops:\n"));
                ops(out, &p.nested, indent + 6);
            }
            op => {
                let op = serde_json::to_value(op).expect("ops serialise");
                yaml::list_item(out, &op, indent, p.review.as_deref());
            }
        }
    }
}

/// Appends a whole version entry after the last one.
pub(super) fn append_entry(
    text: &str,
    layout: &splice::Layout,
    candidate: &raw::Version,
    to: &Version,
    block: &Block,
    aliases: (Option<String>, Option<String>),
) -> (String, (usize, usize)) {
    let keys = layout.keys;
    let mut entry = String::new();
    entry.push_str(&" ".repeat(layout.dash));
    entry.push('-');
    entry.push_str(&" ".repeat(keys - layout.dash - 1));
    entry.push_str(&format!("version: {to}\n"));
    if let Some(description) = &candidate.description {
        yaml::entry(
            &mut entry,
            "description",
            &Value::String(description.clone()),
            keys,
        );
    }
    entry.push_str(&block.render(keys));
    match &aliases.0 {
        Some(anchor) => entry.push_str(&format!("{}input: *{anchor}\n", " ".repeat(keys))),
        None => yaml::entry(&mut entry, "input", &candidate.input, keys),
    }
    if let Some(output) = &candidate.output {
        match &aliases.1 {
            Some(anchor) => entry.push_str(&format!("{}output: *{anchor}\n", " ".repeat(keys))),
            None => yaml::entry(&mut entry, "output", output, keys),
        }
    }
    insert(text, layout, &entry)
}

/// Fills in a draft: its version (unless the author already chose a later
/// one) and its `changes`, appended after its last line.
pub(super) fn complete_draft(
    text: &str,
    source: &SourceMap,
    layout: &splice::Layout,
    draft: &SpecPath,
    to: &Version,
    block: &Block,
    request: &Request,
) -> Result<(String, (usize, usize)), Refusal> {
    let mut lines = String::new();
    if let Some(description) = &request.description {
        yaml::entry(
            &mut lines,
            "description",
            &Value::String(description.clone()),
            layout.keys,
        );
    }
    lines.push_str(&block.render(layout.keys));
    let (mut new_text, inserted) = insert(text, layout, &lines);
    let location = source
        .value(&draft.key("version"))
        .ok_or_else(|| Refusal::Layout("the draft's `version` is not in the file".into()))?;
    let (start, end) = splice::scalar(text, location)
        .ok_or_else(|| Refusal::Layout("cannot read the draft's `version`".into()))?;
    let written = to.to_string();
    let unchanged = text[start..end].trim_matches(['"', '\'']) == written;
    if !unchanged {
        // The version comes before the insertion point, so the inserted
        // range moves by the difference in length.
        new_text.replace_range(start..end, &written);
        let shift = written.len() as isize - (end - start) as isize;
        let moved = |o: usize| (o as isize + shift) as usize;
        return Ok((new_text, (moved(inserted.0), moved(inserted.1))));
    }
    Ok((new_text, inserted))
}

/// Inserts `block` (written with `\n`) at the layout's insertion point.
fn insert(text: &str, layout: &splice::Layout, block: &str) -> (String, (usize, usize)) {
    let mut block = block.replace('\n', layout.newline);
    if layout.needs_newline {
        block.insert_str(0, layout.newline);
    }
    let mut out = String::with_capacity(text.len() + block.len());
    out.push_str(&text[..layout.insert_at]);
    out.push_str(&block);
    out.push_str(&text[layout.insert_at..]);
    (out, (layout.insert_at, layout.insert_at + block.len()))
}

/// Checks that the new text reads back as the old spec plus exactly the new
/// version: the guard against a layout the text edit misjudged.
pub(super) fn verify(
    old_text: &str,
    new_text: &str,
    tool: usize,
    draft: bool,
    candidate: &raw::Version,
    to: &Version,
    compatible: bool,
) -> Result<(), Refusal> {
    let read = |text: &str| serde_yaml::from_str::<Value>(text).ok();
    let (Some(mut expected), Some(actual)) = (read(old_text), read(new_text)) else {
        return Err(Refusal::Layout("the edited spec is not valid YAML".into()));
    };
    let Some(Value::Array(versions)) = expected.pointer_mut(&format!("/tools/{tool}/versions"))
    else {
        return Err(Refusal::Layout("cannot find the tool's versions".into()));
    };
    let mut entry = if draft {
        versions
            .pop()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    } else {
        Map::new()
    };
    entry.insert("version".into(), Value::String(to.to_string()));
    if let Some(description) = &candidate.description {
        entry.insert("description".into(), Value::String(description.clone()));
    }
    if compatible {
        entry.insert("compatible".into(), Value::Bool(true));
    } else {
        let changes = candidate.changes.clone().unwrap_or_default();
        let ops = |ops: &[Op]| serde_json::to_value(ops).expect("ops serialise");
        let mut written = Map::new();
        if !changes.request.is_empty() || changes.response.is_empty() {
            written.insert("request".into(), ops(&changes.request));
        }
        if !changes.response.is_empty() {
            written.insert("response".into(), ops(&changes.response));
        }
        entry.insert("changes".into(), Value::Object(written));
    }
    if !draft {
        entry.insert("input".into(), candidate.input.clone());
        if let Some(output) = &candidate.output {
            entry.insert("output".into(), output.clone());
        }
    }
    versions.push(Value::Object(entry));
    if expected == actual {
        Ok(())
    } else {
        Err(Refusal::Layout(
            "appending the version would change other values in the file (an unusual layout); nothing was written"
                .into(),
        ))
    }
}

/// The `# review:` notes in the inserted range, with their lines.
pub(super) fn reviews(text: &str, inserted: (usize, usize)) -> Vec<(usize, String)> {
    let first = splice::line_of(text, inserted.0);
    text[inserted.0..inserted.1]
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let note = line.trim_start().strip_prefix("# review: ")?;
            Some((first + i, note.to_owned()))
        })
        .collect()
}
