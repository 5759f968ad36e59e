//! `mcpgen bump`: adding the next version of a tool. The new version's
//! schemas come from a draft entry, a schema file, or the newest version;
//! the step is classified, the release it needs is computed (and a smaller
//! explicit one refused), the migration ops that can be inferred are
//! scaffolded, and the spec is written back as text with every existing
//! byte kept.

pub mod command;
mod infer;
mod splice;
mod write;
mod yaml;

use semver::Version;
use serde_json::Value;

pub use infer::{Direction, Planned};

use crate::classify::{self, Impact, Part, Step};
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;
use crate::spec::source::SourceMap;

/// What to bump.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The tool's name.
    pub tool: String,
    /// The part to increment; the required one when absent.
    pub part: Option<Part>,
    /// New schemas from a file; without them, a draft entry or the newest
    /// version's schemas.
    pub schemas: Option<Schemas>,
    /// The new version's `description`.
    pub description: Option<String>,
}

/// The schemas of a new version, as read from `--schema FILE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Schemas {
    /// The input schema.
    pub input: Value,
    /// `None`: keep the previous version's output schema; `Some(None)`: no
    /// output schema.
    pub output: Option<Option<Value>>,
}

impl Schemas {
    /// Reads a schema file (YAML or JSON): either an input schema, or a
    /// mapping with only `input` and optionally `output` (`output: null`
    /// drops the output schema).
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_yaml::from_str(text).map_err(|e| format!("not YAML or JSON: {e}"))?;
        let Value::Object(map) = value else {
            return Err("the file must hold a JSON Schema (a mapping)".into());
        };
        let wrapped =
            map.contains_key("input") && map.keys().all(|k| k == "input" || k == "output");
        if !wrapped {
            return Ok(Self {
                input: Value::Object(map),
                output: None,
            });
        }
        Ok(Self {
            input: map["input"].clone(),
            output: map.get("output").map(|o| (!o.is_null()).then(|| o.clone())),
        })
    }
}

/// Where the new version's schemas came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A draft entry at the end of the list (no `changes`, no `compatible`),
    /// completed in place.
    Draft,
    /// `--schema FILE`.
    File,
    /// The newest version's schemas, unchanged.
    Copy,
}

/// A bump that can be written.
#[derive(Debug)]
pub struct Bumped {
    /// The whole new spec text.
    pub text: String,
    /// Where the schemas came from.
    pub source: Source,
    /// The previous version.
    pub from: Version,
    /// The new version.
    pub to: Version,
    /// The release the changes need.
    pub required: Impact,
    /// The step as written (findings and how its ops fare).
    pub step: Step,
    /// The spec path of the new version.
    pub path: SpecPath,
    /// Each `# review:` note with its line in the new text.
    pub reviews: Vec<(usize, String)>,
    /// Warnings the new spec validates with.
    pub warnings: Vec<Diagnostic>,
}

/// Why nothing was written.
#[derive(Debug)]
pub enum Refusal {
    /// The request does not fit the spec (unknown tool, a draft and a schema
    /// file together, …).
    Usage(String),
    /// The spec does not load, or the result would not validate.
    Invalid(Vec<Diagnostic>),
    /// The chosen version is smaller than the changes need.
    TooSmall(Box<TooSmall>),
    /// The file's layout does not allow appending without rewriting.
    Layout(String),
}

/// A version too small for the changes.
#[derive(Debug)]
pub struct TooSmall {
    /// The previous version.
    pub from: Version,
    /// The version asked for.
    pub to: Version,
    /// What the changes need.
    pub required: Impact,
    /// The version that would do.
    pub suggested: Version,
    /// The classified step.
    pub step: Step,
}

/// Adds the next version of `request.tool` to the spec `text`.
pub fn bump(text: &str, spec_file: &str, request: &Request) -> Result<Bumped, Refusal> {
    let loaded = crate::spec::load(text).map_err(Refusal::Invalid)?;
    let spec = &loaded.spec;
    let Some(t) = spec.tools.iter().position(|tool| tool.name == request.tool) else {
        let names: Vec<&str> = spec.tools.iter().map(|t| t.name.as_str()).collect();
        return Err(Refusal::Usage(format!(
            "there is no tool `{}`; the spec has {}",
            request.tool,
            names.join(", ")
        )));
    };
    let tool = &spec.tools[t];
    let count = tool.versions.len();
    let Some(last) = tool.versions.last() else {
        return Err(Refusal::Usage(format!(
            "`{}` has no versions yet",
            tool.name
        )));
    };
    let draft = count >= 2 && last.changes.is_none() && last.compatible.is_none();
    let source = match (draft, &request.schemas) {
        (true, Some(_)) => {
            return Err(Refusal::Usage(format!(
                "`{}` {} is a draft (it has neither `changes` nor `compatible`); bump it without --schema, or remove it",
                tool.name, last.version
            )));
        }
        (true, None) => Source::Draft,
        (false, Some(_)) => Source::File,
        (false, None) => Source::Copy,
    };
    let base = if draft {
        &tool.versions[count - 2]
    } else {
        last
    };
    let from = Version::parse(&base.version).map_err(|e| {
        Refusal::Usage(format!(
            "{} is not a semver version ({e}); run `mcpgen check`",
            base.version
        ))
    })?;
    let mut candidate = match (&request.schemas, draft) {
        (_, true) => raw::Version {
            changes: None,
            ..last.clone()
        },
        (Some(schemas), false) => raw::Version {
            version: String::new(),
            description: None,
            input: schemas.input.clone(),
            output: schemas
                .output
                .clone()
                .unwrap_or_else(|| base.output.clone()),
            deprecated: None,
            changes: None,
            compatible: None,
        },
        (None, false) => raw::Version {
            version: String::new(),
            description: None,
            input: base.input.clone(),
            output: base.output.clone(),
            deprecated: None,
            changes: None,
            compatible: None,
        },
    };
    if let Some(description) = &request.description {
        if draft && last.description.is_some() {
            return Err(Refusal::Usage(
                "the draft already has a `description`; edit it there".into(),
            ));
        }
        candidate.description = Some(description.clone());
    }

    let request_ops = infer::ops(&base.input, &candidate.input, Direction::Request);
    let response_ops = match (&base.output, &candidate.output) {
        (Some(old), Some(new)) => infer::ops(old, new, Direction::Response),
        _ => Vec::new(),
    };
    candidate.changes = Some(raw::Changes {
        request: request_ops.iter().map(|p| p.op.clone()).collect(),
        response: response_ops.iter().map(|p| p.op.clone()).collect(),
    });
    let step = classify::versions(base, &candidate);
    let compatible = request_ops.is_empty()
        && response_ops.is_empty()
        && step.request.gaps.is_empty()
        && step.response.gaps.is_empty();
    let required = step.required();

    let drafted = Version::parse(&last.version)
        .ok()
        .filter(|v| draft && *v > from);
    let to = match (request.part, drafted) {
        (Some(part), _) => classify::increment(&from, part),
        (None, Some(version)) => version,
        (None, None) => classify::increment(&from, classify::part_for(required, &from)),
    };
    if classify::capacity(&from, &to) < required {
        let suggested = classify::increment(&from, classify::part_for(required, &from));
        return Err(Refusal::TooSmall(Box::new(TooSmall {
            from,
            to,
            required,
            suggested,
            step,
        })));
    }

    let source_map = SourceMap::build(text);
    let layout = splice::versions(text, &source_map, t, count).map_err(Refusal::Layout)?;
    let block = write::Block {
        request: &request_ops,
        response: &response_ops,
        step: &step,
        compatible,
    };
    let versions_path = SpecPath::root().key("tools").index(t).key("versions");
    let (new_text, inserted) = if draft {
        write::complete_draft(
            text,
            &source_map,
            &layout,
            &versions_path.index(count - 1),
            &to,
            &block,
            request,
        )?
    } else {
        let aliases = if source == Source::Copy {
            let at = |field: &str| {
                source_map
                    .value(&versions_path.index(count - 1).key(field))
                    .and_then(|loc| splice::anchor_or_alias(text, loc))
            };
            (at("input"), at("output"))
        } else {
            (None, None)
        };
        write::append_entry(text, &layout, &candidate, &to, &block, aliases)
    };

    write::verify(text, &new_text, t, draft, &candidate, &to, compatible)?;
    let validated = crate::compile(&new_text, spec_file).map_err(Refusal::Invalid)?;
    let reviews = write::reviews(&new_text, inserted);
    let index = if draft { count - 1 } else { count };
    Ok(Bumped {
        text: new_text,
        source,
        from,
        to,
        required,
        step,
        path: versions_path.index(index),
        reviews,
        warnings: validated.warnings,
    })
}
