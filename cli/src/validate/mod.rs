//! Semantic checks of a decoded spec. Every rule pushes diagnostics and goes
//! on, so one run reports every problem; the IR is built only when no rule
//! found an error.

mod access;
mod audit;
mod chains;
mod changes;
mod names;
mod schemas;
mod tenants;
mod versioning;
mod versions;

use std::collections::HashSet;

use crate::diag::{self, Diagnostic, Segment, Severity, SpecPath};
use crate::ir::{self, Ir};
use crate::spec::{Loaded, raw};

/// A spec that passed validation.
#[derive(Debug)]
pub struct Validated {
    /// What to generate from.
    pub ir: Ir,
    /// Findings that do not stop generation.
    pub warnings: Vec<Diagnostic>,
}

/// The seed of the instances migration chains are tested on, unless a run
/// names another: fixed, so the same spec always gets the same report.
pub const DEFAULT_SEED: u64 = 0;

/// Settings of a validation run that do not come from the spec.
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed of the random instances migration chains are tested on.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { seed: DEFAULT_SEED }
    }
}

/// Checks `loaded` and lowers it to the IR. On failure returns every
/// diagnostic (errors and warnings), located and sorted.
pub fn validate(loaded: Loaded, spec_file: &str) -> Result<Validated, Vec<Diagnostic>> {
    validate_with(loaded, spec_file, &Options::default())
}

/// [`validate`] with explicit settings.
pub fn validate_with(
    loaded: Loaded,
    spec_file: &str,
    options: &Options,
) -> Result<Validated, Vec<Diagnostic>> {
    let spec = &loaded.spec;
    let mut found = Vec::new();
    names::check(spec, &mut found);
    versions::check(spec, &mut found);
    versioning::check(spec, &mut found);
    access::check(spec, &mut found);
    tenants::check(spec, &mut found);
    let schemas_ok = schemas::check(spec, &mut found);
    if schemas_ok {
        audit::check(spec, &mut found);
        changes::check(spec, &mut found);
        // Chains of tools with errors would only repeat them.
        chains::check(spec, &tools_with_errors(&found), options.seed, &mut found);
    }
    diag::locate(&mut found, &loaded.text);
    if found.iter().any(|d| d.severity == Severity::Error) {
        return Err(found);
    }
    Ok(Validated {
        ir: ir::lower(loaded.spec, spec_file),
        warnings: found,
    })
}

/// The indexes of tools that some error is about.
fn tools_with_errors(found: &[Diagnostic]) -> HashSet<usize> {
    found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| match d.path.segments() {
            [Segment::Key(key), Segment::Index(tool), ..] if key == "tools" => Some(*tool),
            _ => None,
        })
        .collect()
}

/// The spec path of `tools[tool]`.
fn tool_path(tool: usize) -> SpecPath {
    SpecPath::root().key("tools").index(tool)
}

/// The spec path of `tools[tool].versions[version]`.
fn version_path(tool: usize, version: usize) -> SpecPath {
    tool_path(tool).key("versions").index(version)
}

/// Iterates `(tool index, version index, tool, version)` over the spec.
fn versions_of(
    spec: &raw::Spec,
) -> impl Iterator<Item = (usize, usize, &raw::Tool, &raw::Version)> {
    spec.tools.iter().enumerate().flat_map(|(t, tool)| {
        tool.versions
            .iter()
            .enumerate()
            .map(move |(v, version)| (t, v, tool, version))
    })
}
