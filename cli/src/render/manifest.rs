//! Machine-readable files from typed structs: the generated crate's
//! `Cargo.toml` and the runtime manifest (`src/generated/manifest.json`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ir::Ir;

/// Where the generated crate gets `mcpgen-runtime` from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A path dependency (relative to the crate, or absolute).
    Path(String),
    /// A version requirement on the registry.
    Version(String),
}

#[derive(Serialize)]
struct CargoToml<'a> {
    package: Package<'a>,
    dependencies: BTreeMap<&'static str, Dependency>,
    features: BTreeMap<&'static str, Vec<&'static str>>,
}

#[derive(Serialize)]
struct Package<'a> {
    name: &'a str,
    version: String,
    edition: &'static str,
    publish: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Dependency {
    Path { path: String },
    Version(String),
}

/// The generated crate's `Cargo.toml`.
pub fn cargo_toml(ir: &Ir, runtime: &RuntimeSource) -> String {
    let runtime = match runtime {
        RuntimeSource::Path(path) => Dependency::Path { path: path.clone() },
        RuntimeSource::Version(version) => Dependency::Version(version.clone()),
    };
    let manifest = CargoToml {
        package: Package {
            name: &ir.server.name,
            version: ir.server.version.to_string(),
            edition: "2024",
            publish: false,
            description: ir.server.description.as_deref().map(first_line),
        },
        dependencies: BTreeMap::from([("mcpgen-runtime", runtime)]),
        // The runtime's optional parts, switched on per build of the server
        // (`cargo build --features otlp`) rather than by editing this file.
        features: BTreeMap::from([("otlp", vec!["mcpgen-runtime/otlp"])]),
    };
    toml::to_string(&manifest).expect("a Cargo.toml serialises")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// `src/generated/manifest.json`.
///
/// Written a tool at a time into the pretty-printed manifest without tools:
/// a copy of the whole manifest would hold a second copy of every schema at
/// once, and for a large spec that memory is a good part of the run's cost.
/// JSON strings hold no raw line breaks, so indenting a tool's own pretty
/// text line by line gives exactly what printing the whole manifest gives.
pub fn manifest_json(ir: &Ir) -> String {
    let skeleton =
        serde_json::to_string_pretty(&ir.manifest_without_tools()).expect("a manifest serialises");
    // The only top-level key is indented by two spaces; keys in nested
    // objects are indented further.
    let empty = "\n  \"tools\": []";
    let at = skeleton
        .find(empty)
        .expect("the manifest has an empty tools list");
    let (head, tail) = skeleton.split_at(at + empty.len() - 1);
    let mut json = String::with_capacity(skeleton.len() + 4096 * ir.tools.len());
    json.push_str(head);
    for (i, tool) in ir.tools.iter().enumerate() {
        json.push_str(if i == 0 { "\n    " } else { ",\n    " });
        let text = serde_json::to_string_pretty(&tool.manifest()).expect("a tool serialises");
        for (j, line) in text.split('\n').enumerate() {
            if j > 0 {
                json.push_str("\n    ");
            }
            json.push_str(line);
        }
    }
    if !ir.tools.is_empty() {
        json.push_str("\n  ");
    }
    json.push_str(tail);
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_of(spec: &str) -> (String, String) {
        let validated = crate::compile(spec, "mcpgen.yaml").expect("the spec is valid");
        let mut whole = serde_json::to_string_pretty(&validated.ir.manifest()).unwrap();
        whole.push('\n');
        (manifest_json(&validated.ir), whole)
    }

    #[test]
    fn the_manifest_written_a_tool_at_a_time_is_the_whole_manifest() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs: Vec<_> = ["examples/search", "examples/minimal", "tests/crates/ops"]
            .iter()
            .map(|dir| root.join(dir).join("mcpgen.yaml"))
            .collect();
        for entry in std::fs::read_dir(root.join("cli/tests/fixtures/valid")).unwrap() {
            specs.push(entry.unwrap().path());
        }
        for path in specs {
            let (written, whole) = manifest_of(&std::fs::read_to_string(&path).unwrap());
            assert_eq!(written, whole, "{}", path.display());
        }
    }

    #[test]
    fn nested_tools_keys_and_no_tools_are_kept() {
        let spec = "mcpgen: 1\nserver: {name: s, version: 1.0.0}\ntenant_config:\n  type: object\n  properties:\n    tools: {type: array}\ntools:\n  - name: a\n    description: d\n    versions:\n      - version: 1.0.0\n        input: {type: object}\n";
        let (written, whole) = manifest_of(spec);
        assert_eq!(written, whole);
        let mut ir = crate::compile(spec, "mcpgen.yaml").unwrap().ir;
        ir.tools.clear();
        let mut whole = serde_json::to_string_pretty(&ir.manifest()).unwrap();
        whole.push('\n');
        assert_eq!(manifest_json(&ir), whole);
    }
}
