//! The intermediate representation: a validated spec with every Rust name
//! resolved and every type modelled. Emitters read only this.

pub mod ident;
pub mod migrations;
pub mod types;

use mcpgen_runtime::manifest;
use mcpgen_runtime::migrate::Op;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::spec::raw;
use ident::{Case, RustIdent, Scope};
use types::{TypeBuilder, TypeSet};

/// Names the generated code declares itself in `src/generated/mod.rs` (and
/// the scaffold in `src/handlers/`), which tool modules must not take.
const RESERVED_MODULES: &[&str] = &["manifest", "migrations", "tests"];

/// A validated spec, ready to generate from.
#[derive(Clone, Debug)]
pub struct Ir {
    /// The spec file's name, for `@generated` headers.
    pub spec_file: String,
    /// The server.
    pub server: Server,
    /// Feature modules.
    pub modules: Vec<Module>,
    /// How callers pick versions (passed to the runtime as is).
    pub versioning: manifest::Versioning,
    /// Tenants, their pins and config (passed to the runtime as is).
    pub tenants: Vec<manifest::Tenant>,
    /// The schema of tenant configs (passed to the runtime as is).
    pub tenant_config: Option<serde_json::Value>,
    /// Tools in spec order.
    pub tools: Vec<Tool>,
    /// Access rules (passed to the runtime as is).
    pub access: Option<mcpgen_runtime::access::Access>,
    /// The functions behind `custom` migration ops, in first-use order.
    pub custom_fns: Vec<migrations::CustomFn>,
    /// The version steps the generated property tests check.
    pub step_checks: Vec<migrations::StepCheck>,
}

/// The server.
#[derive(Clone, Debug)]
pub struct Server {
    /// MCP server name; also the crate and binary name.
    pub name: String,
    /// Server version.
    pub version: semver::Version,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Instructions for the model.
    pub instructions: Option<String>,
    /// Offered transports.
    pub transports: Vec<raw::Transport>,
    /// The audit mode every deployment must keep.
    pub audit: Option<raw::AuditMode>,
}

/// A feature module.
#[derive(Clone, Debug)]
pub struct Module {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// A tool with its resolved Rust names and types.
#[derive(Clone, Debug)]
pub struct Tool {
    /// MCP name.
    pub name: String,
    /// Rust module (and file) name.
    pub module_ident: RustIdent,
    /// Handler method name.
    pub method_ident: RustIdent,
    /// Handler trait name.
    pub trait_ident: RustIdent,
    /// Title.
    pub title: Option<String>,
    /// Description, verbatim.
    pub description: String,
    /// Feature module.
    pub module: Option<String>,
    /// Annotations as JSON.
    pub annotations: Option<Map<String, Value>>,
    /// What the audit log records of its calls.
    pub audit: manifest::ToolAudit,
    /// Versions, ascending.
    pub versions: Vec<Version>,
    /// The handler's input type.
    pub input_type: RustIdent,
    /// The handler's output type, when the newest version has an `output`.
    pub output_type: Option<RustIdent>,
    /// Every type of the tool's module, input types first.
    pub types: TypeSet,
}

impl Tool {
    /// The version the handler implements.
    pub fn newest(&self) -> &Version {
        self.versions
            .last()
            .expect("validation guarantees a version")
    }
}

/// One version of a tool.
#[derive(Clone, Debug)]
pub struct Version {
    /// Version.
    pub version: semver::Version,
    /// What changed.
    pub description: Option<String>,
    /// Input schema, verbatim.
    pub input: Map<String, Value>,
    /// Output schema, verbatim.
    pub output: Option<Map<String, Value>>,
    /// Deprecation.
    pub deprecated: Option<manifest::Deprecation>,
    /// How arguments of the previous version become this version's.
    pub request: Vec<Op>,
    /// How results of the previous version became this version's.
    pub response: Vec<Op>,
}

/// Lowers a spec that passed validation. Takes the spec by value so its
/// schemas move into the IR instead of being copied.
pub fn lower(spec: raw::Spec, spec_file: &str) -> Ir {
    let mut modules = Scope::new();
    for reserved in RESERVED_MODULES {
        modules.reserve(reserved);
    }
    // Module names are claimed in spec order, so collisions resolve the
    // same way on every run; the rest of each tool lowers on its own, in
    // parallel.
    let module_idents: Vec<RustIdent> = spec
        .tools
        .iter()
        .map(|t| modules.claim(&t.name, Case::Module))
        .collect();
    let tools: Vec<Tool> = spec
        .tools
        .into_par_iter()
        .zip(module_idents)
        .map(|(t, module_ident)| lower_tool(t, module_ident))
        .collect();
    Ir {
        custom_fns: migrations::custom_fns(&tools),
        step_checks: migrations::step_checks(&tools),
        tools,
        spec_file: spec_file.to_owned(),
        server: Server {
            name: spec.server.name.clone(),
            version: semver::Version::parse(&spec.server.version).expect("validated"),
            title: spec.server.title.clone(),
            description: spec.server.description.clone(),
            instructions: spec.server.instructions.clone(),
            transports: {
                let mut transports = spec.server.transports.clone();
                transports.sort();
                transports.dedup();
                transports
            },
            audit: spec.server.audit,
        },
        versioning: manifest::Versioning {
            meta_prefix: spec.server.versioning.meta_prefix.clone(),
            pins: spec.server.versioning.pins.clone(),
            deprecation_notice: spec.server.versioning.deprecation_notice,
            major_aliases: spec.server.versioning.major_aliases,
        },
        tenants: spec
            .tenants
            .iter()
            .map(|t| manifest::Tenant {
                id: t.id.clone(),
                pins: t.pins.clone(),
                config: t.config.clone(),
            })
            .collect(),
        tenant_config: spec.tenant_config.clone(),
        access: spec.access.clone(),
        modules: spec
            .modules
            .iter()
            .map(|m| Module {
                name: m.name.clone(),
                description: m.description.clone(),
            })
            .collect(),
    }
}

fn lower_tool(tool: raw::Tool, module_ident: RustIdent) -> Tool {
    let versions: Vec<Version> = tool.versions.into_iter().map(lower_version).collect();
    let newest = versions.last().expect("validated");
    let trait_ident = ident::sanitize(&tool.name, Case::Camel);
    let mut names = Scope::new();
    names.reserve(trait_ident.name());
    let (input_type, mut types) = TypeBuilder::new(&mut names).root(
        &format!("{}Input", trait_ident.name()),
        &newest.input,
        format!("Arguments of `{}` {}.", tool.name, newest.version),
    );
    let output_type = newest.output.as_ref().map(|output| {
        let (ident, output_types) = TypeBuilder::new(&mut names).root(
            &format!("{}Output", trait_ident.name()),
            output,
            format!("Result of `{}` {}.", tool.name, newest.version),
        );
        types.defs.extend(output_types.defs);
        ident
    });
    Tool {
        module_ident,
        method_ident: ident::sanitize(&tool.name, Case::Snake),
        name: tool.name,
        trait_ident,
        title: tool.title,
        description: tool.description,
        module: tool.module,
        annotations: tool
            .annotations
            .as_ref()
            .map(|a| match serde_json::to_value(a) {
                Ok(Value::Object(map)) => map,
                _ => unreachable!("annotations serialise to an object"),
            }),
        audit: tool
            .audit
            .map(|a| manifest::ToolAudit {
                arguments: a.arguments,
                results: a.results,
                sensitive: a.sensitive,
            })
            .unwrap_or_default(),
        versions,
        input_type,
        output_type,
        types,
    }
}

fn lower_version(version: raw::Version) -> Version {
    let (request, response) = version
        .changes
        .map(|c| (c.request, c.response))
        .unwrap_or_default();
    let object = |schema: Value| match schema {
        Value::Object(map) => map,
        _ => unreachable!("validation only passes object schemas"),
    };
    Version {
        version: semver::Version::parse(&version.version).expect("validated"),
        description: version.description,
        input: object(version.input),
        output: version.output.map(object),
        deprecated: version.deprecated.map(|d| manifest::Deprecation {
            message: d.message,
            since: d.since,
            sunset: d.sunset,
            successor: d.successor,
        }),
        request,
        response,
    }
}

impl Ir {
    /// The manifest the runtime reads.
    pub fn manifest(&self) -> manifest::Manifest {
        manifest::Manifest {
            tools: self.tools.iter().map(Tool::manifest).collect(),
            ..self.manifest_without_tools()
        }
    }

    /// The manifest with no tools, for writing it a tool at a time.
    pub fn manifest_without_tools(&self) -> manifest::Manifest {
        manifest::Manifest {
            format: manifest::FORMAT,
            server: manifest::Server {
                name: self.server.name.clone(),
                version: self.server.version.to_string(),
                title: self.server.title.clone(),
                description: self.server.description.clone(),
                instructions: self.server.instructions.clone(),
                transports: self.server.transports.clone(),
                audit: self.server.audit,
            },
            versioning: self.versioning.clone(),
            tenants: self.tenants.clone(),
            tenant_config: self.tenant_config.clone(),
            tools: Vec::new(),
            access: self.access.clone(),
        }
    }
}

impl Tool {
    /// The tool's entry in the runtime manifest.
    pub fn manifest(&self) -> manifest::Tool {
        manifest::Tool {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            module: self.module.clone(),
            annotations: self.annotations.clone(),
            audit: self.audit.clone(),
            versions: self
                .versions
                .iter()
                .map(|v| manifest::Version {
                    version: v.version.to_string(),
                    input: v.input.clone(),
                    output: v.output.clone(),
                    deprecated: v.deprecated.clone(),
                    description: v.description.clone(),
                    request: v.request.clone(),
                    response: v.response.clone(),
                })
                .collect(),
        }
    }
}
