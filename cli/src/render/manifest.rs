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
pub fn manifest_json(ir: &Ir) -> String {
    let mut json = serde_json::to_string_pretty(&ir.manifest()).expect("a manifest serialises");
    json.push('\n');
    json
}
