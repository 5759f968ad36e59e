//! Editing the spec as text so that every byte outside the edit stays as it
//! was: where a tool's `versions:` list ends, how its entries are indented,
//! and the extent of a scalar. Positions come from the spec's source map.

use crate::diag::SpecPath;
use crate::spec::source::{Location, SourceMap};

/// Where a new version entry goes and how it is indented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Byte offset to insert at: the start of the line after the last
    /// entry (comments and blank lines after it belong to what follows).
    pub insert_at: usize,
    /// Column (from 0) of the entries' `-`.
    pub dash: usize,
    /// Column (from 0) of the entries' keys.
    pub keys: usize,
    /// The text does not end with a line break where the insertion goes.
    pub needs_newline: bool,
    /// The file's line break (`\n`, or `\r\n` when it uses that).
    pub newline: &'static str,
}

/// The layout of `tools[tool].versions`, which has `count` entries.
pub fn versions(
    text: &str,
    source: &SourceMap,
    tool: usize,
    count: usize,
) -> Result<Layout, String> {
    let list = SpecPath::root().key("tools").index(tool).key("versions");
    let start = source
        .value(&list)
        .ok_or("the tool's `versions` are not in the file")?;
    if char_at(text, start) == Some('[') {
        return Err(
            "the tool's `versions` are a flow list (`[...]`); write them as a block list (`- version: …` lines) to add versions"
                .into(),
        );
    }
    let last = source
        .value(&list.index(count.saturating_sub(1)))
        .ok_or("the tool has no version entries in the file")?;
    let lines = lines(text);
    let (_, line) = lines[last.line - 1];
    let key_column = last.column - 1;
    let prefix: String = line.chars().take(key_column).collect();
    let before_keys = prefix.trim_end_matches(' ');
    let well_formed = before_keys.ends_with('-')
        && before_keys.len() < prefix.len()
        && before_keys[..before_keys.len() - 1]
            .chars()
            .all(|c| c == ' ');
    if !well_formed {
        return Err(
            "the last version entry does not start with `- key: value` on one line; bump needs that layout"
                .into(),
        );
    }
    let dash = before_keys.len() - 1;
    if matches!(char_at(text, last), Some('{' | '&' | '*')) {
        return Err(
            "the last version entry is a flow mapping, an anchor or an alias; write it as a block mapping to add versions"
                .into(),
        );
    }
    let mut end = last.line - 1;
    for (index, (_, line)) in lines.iter().enumerate().skip(last.line) {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if trimmed.trim().is_empty() {
            continue;
        }
        if indent <= dash {
            if trimmed.starts_with('#') {
                continue;
            }
            break;
        }
        end = index;
    }
    let insert_at = lines.get(end + 1).map_or(text.len(), |(offset, _)| *offset);
    Ok(Layout {
        insert_at,
        dash,
        keys: key_column,
        needs_newline: insert_at == text.len() && !text.is_empty() && !text.ends_with('\n'),
        newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
    })
}

/// The byte range of the scalar starting at `at`: a quoted scalar up to its
/// closing quote, a plain one up to a comment or the end of the line.
pub fn scalar(text: &str, at: Location) -> Option<(usize, usize)> {
    let start = offset(text, at)?;
    let rest = &text[start..];
    let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
    let length = match line.chars().next()? {
        quote @ ('"' | '\'') => line[1..].find(quote)? + 2,
        _ => line.find(" #").unwrap_or(line.len()),
    };
    let value = line[..length].trim_end();
    Some((start, start + value.len()))
}

/// The anchor (`&name`) or alias (`*name`) the node at `at` starts with, by
/// name.
pub fn anchor_or_alias(text: &str, at: Location) -> Option<String> {
    let start = offset(text, at)?;
    let rest = &text[start..];
    let name = rest.strip_prefix('&').or_else(|| rest.strip_prefix('*'))?;
    let end = name
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
        .unwrap_or(name.len());
    (end > 0).then(|| name[..end].to_owned())
}

/// The 1-based line of byte `offset`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Each line's starting byte offset and text (without its line break).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        out.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    out
}

fn offset(text: &str, at: Location) -> Option<usize> {
    let (start, line) = *lines(text).get(at.line - 1)?;
    let column = line
        .char_indices()
        .nth(at.column - 1)
        .map_or(line.len(), |(i, _)| i);
    Some(start + column)
}

fn char_at(text: &str, at: Location) -> Option<char> {
    text[offset(text, at)?..].chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
tools:
  - name: a
    versions:
      - version: 1.0.0 # first
        input: &in
          type: object
        # about 1.0.0
      - version: \"2.0.0\"
        input: *in

      # next tool
  - name: b
";

    #[test]
    fn finds_the_end_of_the_list_and_its_indentation() {
        let source = SourceMap::build(SPEC);
        let layout = versions(SPEC, &source, 0, 2).unwrap();
        assert_eq!(
            &SPEC[layout.insert_at..],
            "\n      # next tool\n  - name: b\n"
        );
        assert_eq!((layout.dash, layout.keys), (6, 8));
        assert!(!layout.needs_newline);
    }

    #[test]
    fn scalars_anchors_and_aliases() {
        let source = SourceMap::build(SPEC);
        let versions = SpecPath::root().key("tools").index(0).key("versions");
        let first = source.value(&versions.index(0).key("version")).unwrap();
        let (start, end) = scalar(SPEC, first).unwrap();
        assert_eq!(&SPEC[start..end], "1.0.0");
        let second = source.value(&versions.index(1).key("version")).unwrap();
        let (start, end) = scalar(SPEC, second).unwrap();
        assert_eq!(&SPEC[start..end], "\"2.0.0\"");
        let anchored = source.value(&versions.index(0).key("input")).unwrap();
        assert_eq!(anchor_or_alias(SPEC, anchored).as_deref(), Some("in"));
        let alias = source.value(&versions.index(1).key("input")).unwrap();
        assert_eq!(anchor_or_alias(SPEC, alias).as_deref(), Some("in"));
    }

    #[test]
    fn flow_lists_are_refused() {
        let text = "tools:\n  - name: a\n    versions: [ { version: 1.0.0 } ]\n";
        let source = SourceMap::build(text);
        assert!(
            versions(text, &source, 0, 1)
                .unwrap_err()
                .contains("flow list")
        );
    }

    #[test]
    fn a_file_without_a_final_newline() {
        let text = "tools:\n  - versions:\n      - version: 1.0.0";
        let source = SourceMap::build(text);
        let layout = versions(text, &source, 0, 1).unwrap();
        assert_eq!(layout.insert_at, text.len());
        assert!(layout.needs_newline);
    }
}
