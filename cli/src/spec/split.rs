//! Parsing the items of a spec's top-level `tools:` sequence in parallel,
//! each as a small YAML document of its own, when the text's layout makes
//! that provably the same as parsing the document whole.
//!
//! [`parse`] answers `None` whenever anything is unusual; the caller then
//! parses the document whole, so every error and its location still comes
//! from that one path. Most of a large spec is its tools, and serde_yaml
//! parses a document on one thread, collecting all of its events first.
//!
//! # Why a successful split parse equals the whole parse
//!
//! The text is cut into the *rest* (the document with the section from the
//! `tools:` line up to the next line at column 0 replaced by `tools: []`)
//! and one *chunk* per item (`tools:` followed by the item's lines, so each
//! item sits exactly as deep as in the whole document and serde_yaml's
//! recursion limit judges it the same). Every character of the text is in
//! exactly one part, so anything libyaml refuses anywhere fails some part.
//!
//! - The rest must parse to a mapping whose `tools` is `[]`, its first
//!   significant line starts a plain key at column 0, and no other line at
//!   column 0 could be a `tools` key or anything but a plain key or a
//!   comment. So the replaced line is an entry of the root block mapping,
//!   and the whole document reaches the `tools:` line in the same state as
//!   the rest (the text before it is the same, and a line at column 0 ends
//!   any plain or block scalar before it either way).
//! - Items start at lines of exactly the first item's indentation `k ≥ 1`
//!   followed by `- ` (or a lone `-`). A chunk parses only if every quoted
//!   scalar and flow collection it opens is closed within it: a cut inside
//!   one leaves it open at the chunk's end, which is an error. A block or
//!   plain scalar needs more indentation than `k` (it is inside the
//!   sequence), so the next item's line ends it in the whole document just
//!   as the end of the chunk does. A block-context token left of `k` would
//!   end the sequence, and then anything but the end of the document is an
//!   error in the root mapping, so a chunk that parses leaves the sequence
//!   at `k` open. Hence the next item's line continues that sequence in the
//!   whole document, as a new entry, and the whole document parses each
//!   item exactly as its chunk does. After the last item, the line at
//!   column 0 closes the sequence, leaving the root mapping in the state the
//!   rest's `[]` leaves it in, so the text after the section parses the same.
//! - The section must define no anchors (no `&` that could start one), so
//!   an alias in an item names an anchor its chunk lacks, which is an error,
//!   and the text after the section resolves its aliases to the same
//!   anchors. The rest then expands aliases exactly as often as the whole
//!   document, which has more events, so serde_yaml's repetition limit
//!   (events × 100) cannot refuse the whole document once the rest passed.
//! - Line breaks other than `\n` and `\r\n`, and byte order marks, which
//!   libyaml also honours, make the line scan unreliable: no split.
//! - Key order is kept: the rest's `tools` entry sits where the section was.

use std::ops::Range;

use rayon::prelude::*;
use serde_json::{Map, Value};

/// The top-level key whose items are parsed in parallel.
const KEY: &str = "tools";

/// A spec parsed in parts.
#[derive(Debug)]
pub struct Parts {
    /// The document with `tools: []` in place of its items.
    pub rest: Map<String, Value>,
    /// The items of `tools`, in order.
    pub tools: Vec<Value>,
}

#[cfg(test)]
impl Parts {
    /// The tree the whole document parses to.
    pub fn into_tree(mut self) -> Value {
        self.rest.insert(KEY.to_owned(), Value::Array(self.tools));
        Value::Object(self.rest)
    }
}

/// Where the parts are in the text.
#[derive(Debug, PartialEq, Eq)]
struct Layout {
    /// From the start of the `tools:` line to the first line after the
    /// section (the end of the text if none).
    section: Range<usize>,
    /// Where each item's first line starts; the first item's chunk starts at
    /// the `tools:` line instead, so no byte of the text is left out.
    items: Vec<usize>,
}

/// Parses `text` in parts, or `None` when it cannot be shown to give what
/// parsing it whole gives (then the caller must parse it whole).
pub fn parse(text: &str) -> Option<Parts> {
    let layout = layout(text)?;
    let Layout { section, items } = &layout;
    let chunk = |i: usize| -> (usize, usize) {
        let start = if i == 0 { section.start } else { items[i] };
        let end = items.get(i + 1).copied().unwrap_or(section.end);
        (start, end)
    };
    let (rest, tools) = rayon::join(
        || parse_rest(text, section),
        || {
            (0..items.len())
                .into_par_iter()
                .map(|i| {
                    let (start, end) = chunk(i);
                    if i == 0 {
                        // Starts with the `tools:` line itself.
                        parse_item(&text[start..end])
                    } else {
                        let mut doc = String::with_capacity(KEY.len() + 2 + end - start);
                        doc.push_str(KEY);
                        doc.push_str(":\n");
                        doc.push_str(&text[start..end]);
                        parse_item(&doc)
                    }
                })
                .collect::<Option<Vec<Value>>>()
        },
    );
    Some(Parts {
        rest: rest?,
        tools: tools?,
    })
}

/// The document without its items: a mapping whose `tools` is `[]`.
fn parse_rest(text: &str, section: &Range<usize>) -> Option<Map<String, Value>> {
    let mut doc = String::with_capacity(text.len() - section.len() + 16);
    doc.push_str(&text[..section.start]);
    doc.push_str(KEY);
    doc.push_str(": []\n");
    doc.push_str(&text[section.end..]);
    match serde_yaml::from_str::<Value>(&doc).ok()? {
        Value::Object(map) if matches!(map.get(KEY), Some(Value::Array(a)) if a.is_empty()) => {
            Some(map)
        }
        _ => None,
    }
}

/// One chunk: `{tools: [item]}` and nothing else, or `None`.
fn parse_item(doc: &str) -> Option<Value> {
    match serde_yaml::from_str::<Value>(doc).ok()? {
        Value::Object(map) if map.len() == 1 => match map.into_iter().next()? {
            (key, Value::Array(mut items)) if key == KEY && items.len() == 1 => items.pop(),
            _ => None,
        },
        _ => None,
    }
}

/// One line of the text: where it starts and its text without the line
/// break.
struct Line<'a> {
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn first(&self) -> Option<u8> {
        self.text.as_bytes().first().copied()
    }

    /// Only spaces, or a comment after them.
    fn is_blank_or_comment(&self) -> bool {
        let body = self.text.trim_start_matches(' ');
        body.is_empty() || body.starts_with('#')
    }

    /// `tools:`, optionally followed by blanks and a comment.
    fn is_section_key(&self) -> bool {
        self.text
            .strip_prefix(KEY)
            .and_then(|r| r.strip_prefix(':'))
            .is_some_and(|after| {
                let trimmed = after.trim_start_matches([' ', '\t']);
                trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
            })
    }

    /// Could this line at column 0 be a `tools` key (`tools:`, `tools :`)?
    fn may_be_section_key(&self) -> bool {
        self.text
            .strip_prefix(KEY)
            .is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(':'))
    }

    /// The indentation of a block-sequence entry (`- …` or a lone `-`).
    fn entry_indent(&self) -> Option<usize> {
        let body = self.text.trim_start_matches(' ');
        let rest = body.strip_prefix('-')?;
        (rest.is_empty() || rest.starts_with(' ')).then_some(self.text.len() - body.len())
    }
}

/// The lines of `text`, each without its `\n` or `\r\n`.
fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let line = Line {
            start,
            text: raw
                .strip_suffix('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .unwrap_or(raw),
        };
        start += raw.len();
        line
    })
}

/// Finds the section and its items, or `None` when the text is anything but
/// plainly laid out (see the module docs for why each condition matters).
/// The text is scanned line by line without collecting the lines: a large
/// spec has hundreds of thousands, and fresh memory is costly.
fn layout(text: &str) -> Option<Layout> {
    // Line breaks and marks libyaml knows but the line scan does not.
    if !text.is_ascii() && text.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}']) {
        return None;
    }
    if text
        .match_indices('\r')
        .any(|(at, _)| text.as_bytes().get(at + 1) != Some(&b'\n'))
    {
        return None;
    }
    // The root must be a block mapping whose first key is plain, at column 0.
    let first = lines(text).find(|l| !l.is_blank_or_comment())?;
    if !first.first().is_some_and(is_plain_start) {
        return None;
    }
    let mut keys = lines(text).filter(Line::is_section_key);
    let key = keys.next()?;
    if keys.next().is_some() {
        return None;
    }
    let mut section_end = text.len();
    let mut indent = None;
    let mut items = Vec::new();
    let mut in_section = false;
    for line in lines(text) {
        if line.start == key.start {
            in_section = true;
            continue;
        }
        if in_section {
            // The section runs up to the next line that starts with anything
            // but a space or a comment (an empty line stays inside).
            if line.first().is_some_and(|c| c != b' ' && c != b'#') {
                in_section = false;
                section_end = line.start;
            } else {
                match indent {
                    // Only blank lines and comments before the first item.
                    None if line.is_blank_or_comment() => {}
                    None => {
                        indent = Some(line.entry_indent().filter(|&k| k >= 1)?);
                        items.push(line.start);
                    }
                    Some(k) => {
                        if line.entry_indent() == Some(k) {
                            items.push(line.start);
                        }
                    }
                }
                continue;
            }
        }
        // Every other line at column 0 is a plain key that is not `tools`,
        // or a comment: nothing there can be a second `tools`, a flow
        // collection, a document marker or a directive.
        match line.first() {
            None | Some(b' ' | b'#') => {}
            Some(c) if is_plain_start(c) => {
                if line.may_be_section_key() {
                    return None;
                }
            }
            Some(_) => return None,
        }
    }
    if items.is_empty() {
        return None;
    }
    let section = key.start..section_end;
    if may_define_anchor(&text[section.clone()]) {
        return None;
    }
    Some(Layout { section, items })
}

/// A character a plain key at column 0 may start with here (stricter than
/// YAML, which is fine: anything else only means no split).
fn is_plain_start(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Whether `text` has a `&` that could start an anchor. One right after a
/// letter or digit cannot (it is inside a scalar, tag or comment, or an
/// error), which keeps prose such as `R&D` splittable.
fn may_define_anchor(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('&')
        .any(|(at, _)| !(at > 0 && bytes[at - 1].is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_yaml makes of the whole document, as JSON text (which
    /// keeps key order, unlike `Value`'s equality).
    fn whole(text: &str) -> Result<String, String> {
        serde_yaml::from_str::<Value>(text)
            .map(|v| v.to_string())
            .map_err(|e| e.to_string())
    }

    /// Asserts that the split parse either declines or gives exactly the
    /// whole parse; returns whether it split.
    fn agrees(text: &str) -> bool {
        match parse(text) {
            None => false,
            Some(parts) => {
                let split = parts.into_tree().to_string();
                assert_eq!(
                    Ok(split),
                    whole(text),
                    "the split parse differs from the whole parse of:\n{text}"
                );
                true
            }
        }
    }

    const HEAD: &str = "mcpgen: 1\nserver: {name: s, version: 1.0.0}\n";

    fn spec(tools: &str) -> String {
        format!("{HEAD}tools:\n{tools}access: {{}}\n")
    }

    #[test]
    fn every_spec_in_the_repository_splits_to_its_whole_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut pending = vec![root.clone()];
        let (mut seen, mut split) = (0, 0);
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy();
                if path.is_dir() {
                    if !name.starts_with('.') && name != "target" {
                        pending.push(path);
                    }
                } else if name.ends_with(".yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    seen += 1;
                    split += usize::from(agrees(&text));
                }
            }
        }
        assert!(
            seen >= 50,
            "found only {seen} specs under {}",
            root.display()
        );
        // Most specs are plainly laid out; the rest fall back.
        assert!(split * 2 > seen, "only {split} of {seen} specs split");
    }

    #[test]
    fn plain_tools_split_and_keep_key_order() {
        let text = spec(
            "  # a comment\n  - name: a\n    description: |\n      - not an item\n        - nor this\n\n    versions: []\n# at column 0\n\n  - {name: b,\n     description: \"x\"}\n  -\n  - - nested\n    - seq\n",
        );
        assert!(agrees(&text));
        let parts = parse(&text).unwrap();
        assert_eq!(parts.tools.len(), 4);
        let keys: Vec<&String> = parts.rest.keys().collect();
        assert_eq!(keys, ["mcpgen", "server", "tools", "access"]);
    }

    #[test]
    fn a_cut_inside_a_quoted_scalar_falls_back() {
        let text = spec("  - name: a\n    description: \"one\n  - x\n  two\"\n  - name: b\n");
        assert!(whole(&text).is_ok());
        assert!(!agrees(&text));
        let single = spec("  - name: a\n    description: 'one\n  - x'\n");
        assert!(whole(&single).is_ok());
        assert!(!agrees(&single));
    }

    #[test]
    fn a_cut_inside_a_flow_collection_falls_back() {
        let spanning = spec("  - name: a\n    tags: [x,\n      y]\n  - name: b\n");
        assert!(agrees(&spanning));
        let cut = spec("  - name: a\n    tags: [x,\n  - y]\n");
        assert!(!agrees(&cut));
        let quoted_in_flow = spec("  - {name: a, d: \"q\n  - y\"}\n");
        assert!(whole(&quoted_in_flow).is_ok());
        assert!(!agrees(&quoted_in_flow));
    }

    #[test]
    fn block_scalars_that_look_like_items_agree() {
        let text = spec(
            "  - name: a\n    d: |\n      x\n  - y\n  - d: >-\n     folded\n      - more\n    e: |+\n      kept\n\n\n  - z\n",
        );
        assert!(agrees(&text));
    }

    #[test]
    fn anchors_in_the_section_fall_back() {
        let across =
            spec("  - name: a\n    input: &in {type: object}\n  - name: b\n    input: *in\n");
        assert!(whole(&across).is_ok());
        assert!(!agrees(&across));
        let within = spec("  - x: &a [1]\n    y: *a\n");
        assert!(!agrees(&within));
        // An anchor before the section, aliased in it: the chunk fails.
        let before = format!("{HEAD}a: &a 1\ntools:\n  - x: *a\n");
        assert!(whole(&before).is_ok());
        assert!(!agrees(&before));
        // An anchor in the section shadowing one the text after it uses.
        let shadow = format!("{HEAD}a: &a 1\ntools:\n  - x: &a 2\nb: *a\n");
        assert!(!agrees(&shadow));
        // `&` inside words is prose and still splits.
        assert!(agrees(&spec("  - d: R&D, Q&A\n")));
        assert!(!agrees(&spec("  - d: a && b\n")));
    }

    #[test]
    fn aliases_outside_the_section_agree() {
        let text = format!("{HEAD}a: &a {{k: v}}\ntools:\n  - x: 1\nb: *a\n");
        assert!(agrees(&text));
    }

    #[test]
    fn the_search_example_falls_back() {
        let text = include_str!("../../../examples/search/mcpgen.yaml");
        assert!(whole(text).is_ok());
        assert!(!agrees(text), "its tools share anchors");
    }

    #[test]
    fn a_tools_key_that_is_not_unique_falls_back() {
        assert!(!agrees(&format!("{}tools: []\n", spec("  - a\n"))));
        assert!(!agrees(&format!("{}\"tools\": []\n", spec("  - a\n"))));
        assert!(!agrees(&format!("{}tools : []\n", spec("  - a\n"))));
        assert!(!agrees(&format!("{}? tools\n: []\n", spec("  - a\n"))));
        assert!(!agrees(&format!("{}tools:\n  - b\n", spec("  - a\n"))));
        // A `tools:` line inside a block scalar is not at column 0 …
        let in_block = format!("{HEAD}x: |\n  tools:\n  - a\ntools:\n  - b\n");
        assert!(agrees(&in_block));
        // … and one inside a multi-line quoted scalar cannot split.
        let in_quoted = "mcpgen: 1\nserver: {name: \"x\ntools:\n  - a\n  \"}\n";
        assert!(whole(in_quoted).is_ok());
        assert!(!agrees(in_quoted));
        let plain_root = "--- |\ntools:\n  - a\n";
        assert!(!agrees(plain_root));
        let flow_root = "{mcpgen: 1,\ntools:\n  - a\n}\n";
        assert!(!agrees(flow_root));
    }

    #[test]
    fn unusual_layouts_fall_back() {
        // Items at column 0, a value on the key's line, no items, a mapping.
        assert!(!agrees(&format!("{HEAD}tools:\n- a\n- b\n")));
        assert!(!agrees(&format!("{HEAD}tools: [a]\n")));
        assert!(!agrees(&format!("{HEAD}tools:\n")));
        assert!(!agrees(&format!("{HEAD}tools:\n  a: 1\n")));
        // Something other than a comment before the first item.
        assert!(!agrees(&format!("{HEAD}tools:\n  x\n  - a\n")));
        // Line breaks and marks the scan does not know.
        for odd in ["\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}"] {
            let text = spec(&format!("  - a{odd}  - b\n"));
            assert!(!agrees(&text), "{odd:?}");
        }
        // The root indented, a directive, a document marker.
        assert!(!agrees(&format!(" {HEAD}tools:\n  - a\n")));
        assert!(!agrees(&format!("%YAML 1.1\n---\n{HEAD}tools:\n  - a\n")));
        assert!(!agrees(&format!("---\n{HEAD}tools:\n  - a\n")));
        assert!(!agrees(&format!("{}---\nx: 1\n", spec("  - a\n"))));
    }

    #[test]
    fn odd_items_agree_or_fall_back() {
        for tools in [
            "  - a\n  b\n",
            "  - a\n    b\n  - c\n",
            "  - a\n -b\n",
            "  - a\n -  b\n",
            "  - a\n  -\tb\n",
            "  - a:\n  -\n",
            "  - a\n\t- b\n",
            "    - a\n  - b\n",
            "  - a\n    - b\n",
            "  - a: b\n   c: d\n",
            "  - a: |\n  - b\n",
            "  - 'a\n# not a comment\n  '\n",
            "  - \"a\n\n  - b\"\n",
            "  - a # c\n  # - b\n",
            "  - !!str a\n  - !t {x: y}\n",
            "  - [a, *b]\n",
            "  - a: 1\n    a: 2\n",
            "  - {a: 1, a: 2}\n",
            "  - ? [a]\n    : b\n",
            "  - \x01\n",
        ] {
            agrees(&spec(tools));
            agrees(&format!("{HEAD}tools:\n{tools}"));
        }
    }

    #[test]
    fn crlf_line_endings_split() {
        let text =
            spec("  - name: a\n    d: |\n      x\n      y\n  - name: b\n").replace('\n', "\r\n");
        assert!(agrees(&text));
        let mixed = format!("{HEAD}tools:\r\n  - a\n  - b\r\n");
        assert!(agrees(&mixed));
        // Without a final line break.
        assert!(agrees(&format!("{HEAD}tools:\n  - a\n  - b")));
    }

    #[test]
    fn nesting_depth_is_judged_as_in_the_whole_document() {
        let mut verdicts = std::collections::BTreeSet::new();
        for depth in 115..135 {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let text = spec(&format!("  - name: a\n  - x: {deep}\n"));
            let whole_ok = whole(&text).is_ok();
            verdicts.insert(whole_ok);
            assert_eq!(parse(&text).is_some(), whole_ok, "depth {depth}");
            agrees(&text);
        }
        assert_eq!(verdicts.len(), 2, "the range crosses the limit");
    }

    #[test]
    fn alias_bombs_fall_back() {
        let mut bomb = String::from("  - a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
            bomb.push_str(&format!("    {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        assert!(!agrees(&spec(&bomb)));
        // Before the section: the rest holds it, and refuses it.
        let mut head = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
            head.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let text = format!("{HEAD}{head}tools:\n  - a\n");
        assert!(whole(&text).is_err());
        assert!(!agrees(&text));
        // A small one the rest allows is allowed by the whole document too.
        let small = format!("{HEAD}a: &a [x,x]\nb: &b [*a,*a]\ntools:\n  - a\n");
        assert!(agrees(&small));
    }

    /// Random documents from lines that are plain, odd or broken: the split
    /// parse must never disagree with the whole parse.
    #[test]
    fn random_documents_never_disagree() {
        const PIECES: &[&str] = &[
            "  - name: a\n",
            "  - b\n",
            "  -\n",
            "    description: \"q\n",
            "  - x\"\n",
            "    tags: [a,\n",
            "      b]\n",
            "    d: |\n",
            "      - text\n",
            "  - t\n",
            "# c\n",
            "\n",
            "   \n",
            "    k: 'v\n",
            "  '\n",
            "    m: {a: 1,\n",
            "  }\n",
            "x: 1\n",
            "tools:\n",
            "  - - y\n",
            "    - z\n",
            "   w: 1\n",
            "    n: *a\n",
            "    o: &a 1\n",
            "\t- tab\n",
            "  - >\n",
            "     folded\n",
            "    p: !!str 5\n",
            "  - \"a # b\"\n",
            "...\n",
            "  ? k\n",
            "    : v\n",
            "  - 'it''s'\n",
            "    q: |-\n",
            "\n  - r\n",
            "  -  - s\n",
            "   - u\n",
            "  - v: [w, {x: y}]\n",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut split = 0;
        for _ in 0..20_000 {
            let mut text = String::from("mcpgen: 1\ntools:\n");
            for _ in 0..next(12) {
                text.push_str(PIECES[next(PIECES.len())]);
            }
            split += usize::from(agrees(&text));
        }
        assert!(split > 1000, "only {split} documents split");
    }
}
