//! The file plan: every file a run produces, with who owns it. The pure
//! product of generation; `write` compares it with the disk or applies it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::codegen::{migrations, scaffold, server, step_tests, tools};
use crate::ir::{Ir, Tool};
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

/// One file to render.
enum Job<'a> {
    Manifest,
    ToolsMd,
    GeneratedMod,
    /// The trait behind `custom` ops, when the spec has any.
    Migrations,
    /// Per-step property tests, when some step has ops.
    StepTests,
    ToolModule(&'a Tool),
    CargoToml,
    Readme,
    MainRs,
    HandlersMod,
    HandlerStub(&'a Tool),
    /// The author's implementation of the `custom` ops, when the spec has any.
    MigrationsStub,
}

/// Plans every file of the crate for `ir`. Every file renders on its own, so
/// all of them are spread over every core (the two largest first).
pub fn plan(ir: &Ir, options: &PlanOptions) -> FilePlan {
    let header = generated_header(&ir.spec_file);
    let mut jobs = vec![
        Job::Manifest,
        Job::ToolsMd,
        Job::GeneratedMod,
        Job::Migrations,
        Job::StepTests,
    ];
    jobs.extend(ir.tools.iter().map(Job::ToolModule));
    jobs.extend([Job::CargoToml, Job::Readme, Job::MainRs, Job::HandlersMod]);
    jobs.extend(ir.tools.iter().map(Job::HandlerStub));
    jobs.push(Job::MigrationsStub);
    let rendered: Vec<(String, Ownership, String)> = jobs
        .par_iter()
        .filter_map(|job| render(job, ir, options, &header))
        .collect();
    let mut plan = FilePlan::default();
    for (path, ownership, contents) in rendered {
        plan.insert(path, ownership, contents);
    }
    plan
}

fn render(
    job: &Job<'_>,
    ir: &Ir,
    options: &PlanOptions,
    header: &str,
) -> Option<(String, Ownership, String)> {
    use Ownership::{Generated, Scaffold};
    Some(match job {
        Job::Manifest => (
            format!("{GENERATED_DIR}/manifest.json"),
            Generated,
            manifest::manifest_json(ir),
        ),
        Job::ToolsMd => (
            "TOOLS.md".to_owned(),
            Generated,
            text::tools_md(ir, header.trim_start_matches("// ").trim_end()),
        ),
        Job::GeneratedMod => (
            format!("{GENERATED_DIR}/mod.rs"),
            Generated,
            rust::format(server::generated_mod(ir), Some(header)),
        ),
        Job::ToolModule(tool) => (
            format!("{GENERATED_DIR}/{}.rs", tool.module_ident.name()),
            Generated,
            rust::format(tools::tool_module(tool), Some(header)),
        ),
        Job::CargoToml => (
            "Cargo.toml".to_owned(),
            Scaffold,
            manifest::cargo_toml(ir, &options.runtime),
        ),
        Job::Readme => ("README.md".to_owned(), Scaffold, text::readme(ir)),
        Job::MainRs => (
            "src/main.rs".to_owned(),
            Scaffold,
            rust::format(scaffold::main_rs(ir), None),
        ),
        Job::HandlersMod => (
            "src/handlers/mod.rs".to_owned(),
            Scaffold,
            rust::format(scaffold::handlers_mod(ir), None),
        ),
        Job::HandlerStub(tool) => (
            format!("src/handlers/{}.rs", tool.module_ident.name()),
            Scaffold,
            rust::format(scaffold::handler_stub(tool), None),
        ),
        Job::Migrations => (
            format!("{GENERATED_DIR}/migrations.rs"),
            Generated,
            rust::format(migrations::migrations_module(ir)?, Some(header)),
        ),
        Job::StepTests => (
            format!("{GENERATED_DIR}/tests.rs"),
            Generated,
            rust::format(step_tests::tests_module(ir)?, Some(header)),
        ),
        Job::MigrationsStub => (
            "src/handlers/migrations.rs".to_owned(),
            Scaffold,
            rust::format(scaffold::migrations_stub(ir)?, None),
        ),
    })
}
