//! The source map: for every node of the YAML tree, where its key and value
//! start in the file, so semantic diagnostics get `line:col` too.
//!
//! serde_yaml keeps no positions for values it has parsed, so the file is read
//! a second time with an event parser that reports spans. It only ever runs on
//! a file serde_yaml already accepted, which bounds its depth; it never expands
//! aliases.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

use crate::diag::SpecPath;

/// A 1-based position in the spec file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl Default for Location {
    fn default() -> Self {
        Self { line: 1, column: 1 }
    }
}

/// Where each node of the spec starts.
#[derive(Debug, Default)]
pub struct SourceMap {
    values: HashMap<SpecPath, Location>,
    keys: HashMap<SpecPath, Location>,
}

enum Frame {
    Mapping {
        path: SpecPath,
        pending_key: Option<String>,
    },
    Sequence {
        path: SpecPath,
        next_index: usize,
    },
}

impl SourceMap {
    /// Indexes `text`. A document the event parser rejects yields the positions
    /// gathered up to that point.
    pub fn build(text: &str) -> Self {
        let mut map = Self::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            let location = Location {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            match event {
                Event::Scalar(value, ..) => {
                    map.node(&mut stack, location, Some(value.to_string()));
                }
                Event::Alias(_) => {
                    map.node(&mut stack, location, None);
                }
                Event::MappingStart(..) => {
                    let path = map.node(&mut stack, location, None);
                    stack.push(Frame::Mapping {
                        path,
                        pending_key: None,
                    });
                }
                Event::SequenceStart(..) => {
                    let path = map.node(&mut stack, location, None);
                    stack.push(Frame::Sequence {
                        path,
                        next_index: 0,
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::DocumentEnd => break,
                _ => {}
            }
        }
        map
    }

    /// Records a node starting at `location`; `scalar` is its text when it is
    /// a scalar (needed when it turns out to be a mapping key). Returns the
    /// node's path.
    fn node(
        &mut self,
        stack: &mut [Frame],
        location: Location,
        scalar: Option<String>,
    ) -> SpecPath {
        let path = match stack.last_mut() {
            None => SpecPath::root(),
            Some(Frame::Sequence { path, next_index }) => {
                *next_index += 1;
                path.index(*next_index - 1)
            }
            Some(Frame::Mapping { path, pending_key }) => match pending_key.take() {
                Some(key) => path.key(key),
                None => {
                    // This node is a key. Complex (non-scalar) keys get a
                    // placeholder; serde rejects them later anyway.
                    let key = scalar.unwrap_or_else(|| "?".to_owned());
                    let key_path = path.key(key.clone());
                    self.keys.entry(key_path.clone()).or_insert(location);
                    *pending_key = Some(key);
                    return key_path;
                }
            },
        };
        self.values.entry(path.clone()).or_insert(location);
        path
    }

    /// The best location for `path`: the node itself, else its nearest
    /// enclosing node, else the start of the file.
    pub fn locate(&self, path: &SpecPath, at_key: bool) -> Location {
        let mut current = Some(path.clone());
        let mut first = true;
        while let Some(path) = current {
            let table = if at_key && first {
                &self.keys
            } else {
                &self.values
            };
            if let Some(location) = table.get(&path).or_else(|| self.values.get(&path)) {
                return *location;
            }
            first = false;
            current = path.parent();
        }
        Location::default()
    }

    /// Where the value at `path` starts, if the path exists.
    pub fn value(&self, path: &SpecPath) -> Option<Location> {
        self.values.get(path).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_values_and_sequence_items() {
        let text = "server:\n  name: x\ntools:\n  - name: a\n    versions: [ {version: 1.0.0} ]\n";
        let map = SourceMap::build(text);
        let tools = SpecPath::root().key("tools");
        assert_eq!(
            map.locate(&SpecPath::root().key("server").key("name"), false),
            Location { line: 2, column: 9 }
        );
        assert_eq!(
            map.locate(&SpecPath::root().key("server").key("name"), true),
            Location { line: 2, column: 3 }
        );
        assert_eq!(
            map.locate(&tools.index(0).key("name"), false),
            Location {
                line: 4,
                column: 11
            }
        );
        let version = tools.index(0).key("versions").index(0).key("version");
        assert_eq!(
            map.locate(&version, false),
            Location {
                line: 5,
                column: 27
            }
        );
    }

    #[test]
    fn unknown_paths_fall_back_to_the_nearest_ancestor() {
        let map = SourceMap::build("a:\n  b: 1\n");
        let missing = SpecPath::root().key("a").key("zzz").index(3);
        assert_eq!(map.locate(&missing, false), Location { line: 2, column: 3 });
        assert_eq!(
            map.locate(&SpecPath::root().key("nope"), false),
            Location { line: 1, column: 1 }
        );
    }
}
