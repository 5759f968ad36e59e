//! The file plan: every file a run produces, with who owns it. The pure
//! product of generation; `write` compares it with the disk or applies it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::codegen::{migrations, scaffold, server, step_tests, tools};
use crate::ir::Ir;
use crate::render::manifest::{self, RuntimeSource};
use crate::render::rust::{self, generated_header};
use crate::render::text;

/// The directory mcpgen owns completely.
pub const GENERATED_DIR: &str = "src/generated";

/// Who owns a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// Rewritten on every run; never edit by hand.
    Generated,
    /// Written when missing, then the user's.
    Scaffold,
}

/// One planned file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Its contents.
    pub contents: String,
    /// Who owns it.
    pub ownership: Ownership,
}

/// Every file of a run, by path relative to the output directory (`/`-separated).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilePlan {
    /// The files, sorted by path.
    pub files: BTreeMap<String, PlannedFile>,
}

impl FilePlan {
    /// Adds a file, replacing any planned at the same path.
    pub fn insert(&mut self, path: impl Into<String>, ownership: Ownership, contents: String) {
        self.files.insert(
            path.into(),
            PlannedFile {
                contents,
                ownership,
            },
        );
    }
}

/// Settings that do not come from the spec.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Where the scaffolded `Cargo.toml` points for `mcpgen-runtime`.
    pub runtime: RuntimeSource,
}

/// Plans every file of the crate for `ir`.
pub fn plan(ir: &Ir, options: &PlanOptions) -> FilePlan {
    let header = generated_header(&ir.spec_file);
    let mut plan = FilePlan::default();

    // Tool modules are independent; format them on every core.
    let tool_files: Vec<(String, String)> = ir
        .tools
        .par_iter()
        .map(|tool| {
            let path = format!("{GENERATED_DIR}/{}.rs", tool.module_ident.name());
            (path, rust::format(tools::tool_module(tool), Some(&header)))
        })
        .collect();
    for (path, contents) in tool_files {
        plan.insert(path, Ownership::Generated, contents);
    }
    plan.insert(
        format!("{GENERATED_DIR}/mod.rs"),
        Ownership::Generated,
        rust::format(server::generated_mod(ir), Some(&header)),
    );
    if let Some(tokens) = migrations::migrations_module(ir) {
        plan.insert(
            format!("{GENERATED_DIR}/migrations.rs"),
            Ownership::Generated,
            rust::format(tokens, Some(&header)),
        );
    }
    if let Some(tokens) = step_tests::tests_module(ir) {
        plan.insert(
            format!("{GENERATED_DIR}/tests.rs"),
            Ownership::Generated,
            rust::format(tokens, Some(&header)),
        );
    }
    plan.insert(
        format!("{GENERATED_DIR}/manifest.json"),
        Ownership::Generated,
        manifest::manifest_json(ir),
    );
    plan.insert(
        "TOOLS.md".to_owned(),
        Ownership::Generated,
        text::tools_md(ir, header.trim_start_matches("// ").trim_end()),
    );

    plan.insert(
        "Cargo.toml".to_owned(),
        Ownership::Scaffold,
        manifest::cargo_toml(ir, &options.runtime),
    );
    plan.insert(
        "README.md".to_owned(),
        Ownership::Scaffold,
        text::readme(ir),
    );
    plan.insert(
        "src/main.rs".to_owned(),
        Ownership::Scaffold,
        rust::format(scaffold::main_rs(ir), None),
    );
    plan.insert(
        "src/handlers/mod.rs".to_owned(),
        Ownership::Scaffold,
        rust::format(scaffold::handlers_mod(ir), None),
    );
    for tool in &ir.tools {
        plan.insert(
            format!("src/handlers/{}.rs", tool.module_ident.name()),
            Ownership::Scaffold,
            rust::format(scaffold::handler_stub(tool), None),
        );
    }
    if let Some(tokens) = scaffold::migrations_stub(ir) {
        plan.insert(
            "src/handlers/migrations.rs".to_owned(),
            Ownership::Scaffold,
            rust::format(tokens, None),
        );
    }
    plan
}
