//! The examples `mcpgen new` starts from, embedded at build time: each one is
//! a checked-in spec plus the hand-written files of its crate.

use crate::diag::{Diagnostic, SpecPath};
use crate::plan::{FilePlan, Ownership, PlanOptions};
use crate::spec::source::SourceMap;

/// An embedded example.
#[derive(Debug)]
pub struct Example {
    /// Its name (`--example NAME`).
    pub name: &'static str,
    /// Its `mcpgen.yaml`.
    pub spec: &'static str,
    /// Files the user owns (handlers, data), by path in the crate.
    pub files: &'static [(&'static str, &'static str)],
}

macro_rules! example_file {
    ($example:literal, $path:literal) => {
        (
            $path,
            include_str!(concat!("../../examples/", $example, "/", $path)),
        )
    };
}

/// Every example.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "minimal",
        spec: include_str!("../../examples/minimal/mcpgen.yaml"),
        files: &[example_file!("minimal", "src/handlers/greet.rs")],
    },
    Example {
        name: "search",
        spec: include_str!("../../examples/search/mcpgen.yaml"),
        files: &[
            example_file!("search", "src/handlers/search.rs"),
            example_file!("search", "src/handlers/corpus.rs"),
            example_file!("search", "src/handlers/mod.rs"),
            example_file!("search", "data/corpus.json"),
        ],
    },
];

/// The example names, for argument parsing.
pub fn names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(EXAMPLES.iter().map(|e| e.name))
}

/// The example called `name`.
pub fn get(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

/// The files of a new server called `server_name`, made from `example`.
pub fn instantiate(
    example: &Example,
    server_name: &str,
    options: &PlanOptions,
) -> Result<FilePlan, Vec<Diagnostic>> {
    let spec = rename_server(example.spec, server_name);
    let (mut plan, _) = crate::generate(&spec, "mcpgen.yaml", options)?;
    plan.insert("mcpgen.yaml", Ownership::Scaffold, spec);
    for (path, contents) in example.files {
        plan.insert(*path, Ownership::Scaffold, (*contents).to_owned());
    }
    Ok(plan)
}

/// `spec` with `server.name` replaced, keeping every other byte (comments
/// included). Examples write the name as a plain scalar.
fn rename_server(spec: &str, name: &str) -> String {
    let path = SpecPath::root().key("server").key("name");
    let Some(location) = SourceMap::build(spec).value(&path) else {
        return spec.to_owned();
    };
    let mut out = String::with_capacity(spec.len() + name.len());
    for (i, line) in spec.split_inclusive('\n').enumerate() {
        if i + 1 != location.line {
            out.push_str(line);
            continue;
        }
        let start: usize = line
            .char_indices()
            .nth(location.column - 1)
            .map_or(line.len(), |(i, _)| i);
        let end = line[start..]
            .find(|c: char| c.is_whitespace() || c == ',' || c == '}')
            .map_or(line.len(), |e| start + e);
        // A name that is not a plain scalar is quoted so validation sees it
        // as written and reports it if it is not a valid server name.
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let value = if plain {
            name.to_owned()
        } else {
            serde_json::Value::String(name.to_owned()).to_string()
        };
        out.push_str(&line[..start]);
        out.push_str(&value);
        out.push_str(&line[end..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_keeps_comments_and_layout() {
        let spec = "# top\nmcpgen: 1\nserver:\n  name: minimal # the name\n  version: 1.0.0\n";
        assert_eq!(
            rename_server(spec, "my-server"),
            "# top\nmcpgen: 1\nserver:\n  name: my-server # the name\n  version: 1.0.0\n"
        );
        assert!(rename_server(spec, "bad name").contains("name: \"bad name\" # the name"));
    }

    #[test]
    fn every_example_spec_is_valid() {
        for example in EXAMPLES {
            if let Err(diagnostics) = crate::compile(example.spec, "mcpgen.yaml") {
                panic!("{}: {diagnostics:#?}", example.name);
            }
        }
    }
}
