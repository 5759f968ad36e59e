//! mcpgen: a declarative YAML spec in, a production MCP server crate on rmcp out.
//!
//! The pipeline runs in one direction: [`spec::load`] (YAML → raw types) →
//! [`validate::validate`] (semantic rules → [`ir::Ir`]) → [`codegen`] (IR →
//! token streams) → [`render`] (tokens, templates, manifests → text) →
//! [`plan::plan`] (every file with its owner) → [`write`] (the only I/O).

pub mod breaking;
pub mod bump;
pub mod classify;
pub mod codegen;
pub mod commands;
pub mod diag;
pub mod examples;
pub mod explain;
pub mod ir;
pub mod plan;
pub mod render;
pub mod spec;
pub mod validate;
pub mod write;

use diag::Diagnostic;
use plan::{FilePlan, PlanOptions};
use validate::Validated;

/// Spec text → validated IR, or every diagnostic. `spec_file` is the name
/// used in headers (`mcpgen.yaml`).
pub fn compile(text: &str, spec_file: &str) -> Result<Validated, Vec<Diagnostic>> {
    compile_with(text, spec_file, &validate::Options::default())
}

/// [`compile`] with explicit validation settings (the seed of chain checks).
pub fn compile_with(
    text: &str,
    spec_file: &str,
    options: &validate::Options,
) -> Result<Validated, Vec<Diagnostic>> {
    let loaded = spec::load(text)?;
    validate::validate_with(loaded, spec_file, options)
}

/// Spec text → file plan (and warnings), or every diagnostic.
pub fn generate(
    text: &str,
    spec_file: &str,
    options: &PlanOptions,
) -> Result<(FilePlan, Vec<Diagnostic>), Vec<Diagnostic>> {
    generate_with(text, spec_file, &validate::Options::default(), options)
}

/// [`generate`] with explicit validation settings.
pub fn generate_with(
    text: &str,
    spec_file: &str,
    checks: &validate::Options,
    options: &PlanOptions,
) -> Result<(FilePlan, Vec<Diagnostic>), Vec<Diagnostic>> {
    let validated = compile_with(text, spec_file, checks)?;
    Ok((plan::plan(&validated.ir, options), validated.warnings))
}
