//! The versioned tool registry: every version of every tool with its schemas,
//! compiled validators, migration chains (arguments up, results down) and
//! `tools/list` entries, built once at start.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rmcp::model::{JsonObject, MetaObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::access::guard::Guard;
use crate::handler::ErasedHandler;
use crate::manifest::{self, Deprecation, Manifest};
use crate::meta::MetaKeys;
use crate::migrate::{CustomOps, NoCustomOps, Op, invert_all};
use crate::pins::Pins;

/// Why a registry could not be built. Every one of these is a bug in the
/// generator or a hand-edited generated file, so the server refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `manifest.json` is not valid.
    #[error("the embedded manifest is malformed: {0}")]
    Manifest(#[from] serde_json::Error),
    /// The manifest was written by an incompatible generator.
    #[error(
        "the embedded manifest has format {found}, this runtime reads format {expected}; regenerate the crate"
    )]
    Format {
        /// What the manifest says.
        found: u32,
        /// What this runtime reads.
        expected: u32,
    },
    /// A version, range or date does not parse.
    #[error("tool `{tool}`: {message}")]
    Invalid {
        /// The tool.
        tool: String,
        /// What is wrong.
        message: String,
    },
    /// A schema does not compile.
    #[error("tool `{tool}` {version}: a schema does not compile: {message}")]
    Schema {
        /// The tool.
        tool: String,
        /// The version.
        version: String,
        /// What the validator said.
        message: String,
    },
    /// A tool has no versions.
    #[error("tool `{0}` has no versions")]
    NoVersions(String),
    /// The access rules do not compile.
    #[error(transparent)]
    Access(#[from] crate::access::PolicyError),
    /// A tool in the manifest has no handler.
    #[error("tool `{0}` has no handler")]
    MissingHandler(String),
}

/// One version of a tool, ready to serve.
pub struct ToolVersion {
    /// The version.
    pub version: semver::Version,
    /// Its input schema as advertised.
    pub input: Arc<JsonObject>,
    /// Its output schema, if any.
    pub output: Option<Arc<JsonObject>>,
    /// Its deprecation notice, if any.
    pub deprecated: Option<Deprecation>,
    /// The day it stops being served.
    pub sunset: Option<jiff::civil::Date>,
    /// The ops that bring arguments of this version to the handler's version.
    pub upgrade: Vec<Op>,
    /// The ops that bring results of the handler's version to this version.
    pub downgrade: Vec<Op>,
    /// The compiled input schema.
    pub validator: jsonschema::Validator,
    /// The compiled output schema.
    pub output_validator: Option<jsonschema::Validator>,
    /// How `tools/list` shows the tool to a caller at this version.
    pub listing: Tool,
    /// Whether a call at this version was already logged as deprecated.
    pub(crate) deprecation_logged: AtomicBool,
}

impl ToolVersion {
    /// Whether the version is past its sunset on `today`.
    pub fn is_sunset(&self, today: jiff::civil::Date) -> bool {
        self.sunset.is_some_and(|sunset| sunset <= today)
    }
}

/// A tool with all its versions and its handler.
pub struct ToolEntry {
    /// The MCP name.
    pub name: String,
    /// Ascending; the last one is the handler's.
    pub versions: Vec<ToolVersion>,
    /// The tool body.
    pub handler: Arc<dyn ErasedHandler>,
    /// What the audit log records of its calls.
    pub audit: manifest::ToolAudit,
    /// Its name as access rules see it (`tools/<name>`), built once rather
    /// than on every call.
    pub resource: String,
}

impl ToolEntry {
    /// The index of the handler's version.
    pub fn newest(&self) -> usize {
        self.versions.len() - 1
    }
}

/// What a tool name reaches: a tool, possibly held to one major (`search_v1`).
#[derive(Clone)]
pub struct Route {
    /// The tool.
    pub tool: Arc<ToolEntry>,
    /// For a major alias, the versions it serves (`^1`).
    pub major: Option<semver::VersionReq>,
    /// For a major alias, its own `tools/list` entry.
    pub alias_listing: Option<Tool>,
}

/// Handlers and custom migration functions, as generated code registers them.
#[derive(Default)]
pub struct HandlerSet {
    handlers: HashMap<String, Arc<dyn ErasedHandler>>,
    custom: Option<Arc<dyn CustomOps>>,
}

impl HandlerSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler of `tool`.
    pub fn insert(&mut self, tool: &str, handler: Arc<dyn ErasedHandler>) {
        self.handlers.insert(tool.to_owned(), handler);
    }

    /// Registers the functions behind `custom` migration ops.
    pub fn custom_ops(&mut self, custom: Arc<dyn CustomOps>) {
        self.custom = Some(custom);
    }
}

/// Every tool the server serves.
pub struct Registry {
    server: manifest::Server,
    routes: HashMap<String, Route>,
    tools: Vec<Arc<ToolEntry>>,
    aliases: Vec<Route>,
    pins: Pins,
    meta: MetaKeys,
    versioning: manifest::Versioning,
    custom: Arc<dyn CustomOps>,
    access: Option<Arc<Guard>>,
    tenants: Vec<manifest::Tenant>,
    tenant_config: Option<serde_json::Value>,
}

impl Registry {
    /// Builds the registry from the embedded manifest and the handlers.
    pub fn new(manifest_json: &str, mut handlers: HandlerSet) -> Result<Self, BuildError> {
        let manifest: Manifest = serde_json::from_str(manifest_json)?;
        if manifest.format != manifest::FORMAT {
            return Err(BuildError::Format {
                found: manifest.format,
                expected: manifest::FORMAT,
            });
        }
        let meta = MetaKeys::new(&manifest.versioning.meta_prefix);
        let mut tools = Vec::with_capacity(manifest.tools.len());
        for tool in &manifest.tools {
            let handler = handlers
                .handlers
                .remove(&tool.name)
                .ok_or_else(|| BuildError::MissingHandler(tool.name.clone()))?;
            tools.push(Arc::new(build_tool(tool, handler, &meta)?));
        }
        let mut routes: HashMap<String, Route> = tools
            .iter()
            .map(|tool| {
                let route = Route {
                    tool: tool.clone(),
                    major: None,
                    alias_listing: None,
                };
                (tool.name.clone(), route)
            })
            .collect();
        let aliases = if manifest.versioning.major_aliases {
            tools
                .iter()
                .flat_map(|tool| major_aliases(tool, &routes))
                .collect()
        } else {
            Vec::new()
        };
        for alias in &aliases {
            let name = alias
                .alias_listing
                .as_ref()
                .expect("aliases are listed")
                .name
                .to_string();
            routes.insert(name, alias.clone());
        }
        let pins = Pins::from_manifest(&manifest).map_err(|message| BuildError::Invalid {
            tool: "(pins)".to_owned(),
            message,
        })?;
        let access = Guard::new(manifest.access.as_ref())?.map(Arc::new);
        Ok(Self {
            access,
            tenants: manifest.tenants,
            tenant_config: manifest.tenant_config,
            server: manifest.server,
            routes,
            tools,
            aliases,
            pins,
            meta,
            versioning: manifest.versioning,
            custom: handlers.custom.unwrap_or_else(|| Arc::new(NoCustomOps)),
        })
    }

    /// The spec's tenants.
    pub fn tenants(&self) -> &[manifest::Tenant] {
        &self.tenants
    }

    /// The JSON Schema the spec sets for tenant configs.
    pub fn tenant_config_schema(&self) -> Option<&serde_json::Value> {
        self.tenant_config.as_ref()
    }

    /// The server's identity and transports.
    pub fn server(&self) -> &manifest::Server {
        &self.server
    }

    /// All tools in spec order.
    pub fn tools(&self) -> &[Arc<ToolEntry>] {
        &self.tools
    }

    /// Major aliases (`search_v1`), when the spec turns them on.
    pub fn aliases(&self) -> &[Route] {
        &self.aliases
    }

    /// What the tool name `name` reaches.
    pub fn route(&self, name: &str) -> Option<&Route> {
        self.routes.get(name)
    }

    /// The tool called `name` (not an alias).
    pub fn get(&self, name: &str) -> Option<&Arc<ToolEntry>> {
        self.routes
            .get(name)
            .filter(|r| r.major.is_none())
            .map(|r| &r.tool)
    }

    /// The version pins (from the spec, then the runtime config).
    pub fn pins(&self) -> &Pins {
        &self.pins
    }

    /// Replaces the pins (the runtime config's override the spec's).
    pub fn set_pins(&mut self, pins: Pins) {
        self.pins = pins;
    }

    /// The `_meta` keys, under the spec's prefix.
    pub fn meta(&self) -> &MetaKeys {
        &self.meta
    }

    /// Versioning settings.
    pub fn versioning(&self) -> &manifest::Versioning {
        &self.versioning
    }

    /// The functions behind `custom` migration ops.
    pub fn custom_ops(&self) -> &dyn CustomOps {
        self.custom.as_ref()
    }

    /// The access rules, when the spec has any.
    pub fn access(&self) -> Option<&Guard> {
        self.access.as_deref()
    }
}

fn invalid(tool: &str, message: String) -> BuildError {
    BuildError::Invalid {
        tool: tool.to_owned(),
        message,
    }
}

fn compile(
    tool: &str,
    version: &str,
    schema: &JsonObject,
) -> Result<jsonschema::Validator, BuildError> {
    jsonschema::validator_for(&Value::Object(schema.clone())).map_err(|e| BuildError::Schema {
        tool: tool.to_owned(),
        version: version.to_owned(),
        message: e.to_string(),
    })
}

fn build_tool(
    tool: &manifest::Tool,
    handler: Arc<dyn ErasedHandler>,
    meta: &MetaKeys,
) -> Result<ToolEntry, BuildError> {
    if tool.versions.is_empty() {
        return Err(BuildError::NoVersions(tool.name.clone()));
    }
    let steps = &tool.versions;
    let mut versions = Vec::with_capacity(steps.len());
    for (i, spec) in steps.iter().enumerate() {
        let version = semver::Version::parse(&spec.version).map_err(|e| {
            invalid(
                &tool.name,
                format!("`{}` is not a semver version: {e}", spec.version),
            )
        })?;
        let sunset = spec
            .deprecated
            .as_ref()
            .and_then(|d| d.sunset.as_deref())
            .map(|s| s.parse::<jiff::civil::Date>())
            .transpose()
            .map_err(|e| {
                invalid(
                    &tool.name,
                    format!("{}: bad sunset date: {e}", spec.version),
                )
            })?;
        // Arguments go up through every later step's request ops; results
        // come down through every later step's response ops, inverted, newest
        // step first.
        let upgrade = steps[i + 1..]
            .iter()
            .flat_map(|s| s.request.iter().cloned())
            .collect();
        let mut downgrade = Vec::new();
        for step in steps[i + 1..].iter().rev() {
            downgrade.extend(invert_all(&step.response).ok_or_else(|| {
                invalid(
                    &tool.name,
                    format!("{}: a response op cannot be inverted", step.version),
                )
            })?);
        }
        versions.push(ToolVersion {
            validator: compile(&tool.name, &spec.version, &spec.input)?,
            output_validator: spec
                .output
                .as_ref()
                .map(|o| compile(&tool.name, &spec.version, o))
                .transpose()?,
            version,
            input: Arc::new(spec.input.clone()),
            output: spec.output.clone().map(Arc::new),
            deprecated: spec.deprecated.clone(),
            sunset,
            upgrade,
            downgrade,
            listing: Tool::new(
                tool.name.clone(),
                tool.description.clone(),
                Arc::new(JsonObject::new()),
            ),
            deprecation_logged: AtomicBool::new(false),
        });
    }
    for i in 0..versions.len() {
        let listing = listing(tool, &versions, i, meta);
        versions[i].listing = listing;
    }
    Ok(ToolEntry {
        resource: crate::access::pattern::tool_resource(&tool.name),
        name: tool.name.clone(),
        versions,
        handler,
        audit: tool.audit.clone(),
    })
}

/// The `tools/list` entry for a caller at version `at`: that version's
/// schemas, and every version with its deprecation under `_meta`.
fn listing(tool: &manifest::Tool, versions: &[ToolVersion], at: usize, meta: &MetaKeys) -> Tool {
    let shown = &versions[at];
    let mut listed = Tool::new(
        tool.name.clone(),
        tool.description.clone(),
        shown.input.clone(),
    );
    listed.title = tool.title.clone();
    listed.output_schema = advertised_output(versions, at, 0..versions.len());
    listed.annotations = tool
        .annotations
        .as_ref()
        .and_then(|a| serde_json::from_value::<ToolAnnotations>(Value::Object(a.clone())).ok());
    let deprecated: BTreeMap<String, Value> = versions
        .iter()
        .filter_map(|v| {
            Some((
                v.version.to_string(),
                serde_json::to_value(v.deprecated.as_ref()?).ok()?,
            ))
        })
        .collect();
    let mut info = json!({
        "current": shown.version.to_string(),
        "newest": versions.last().expect("a tool has versions").version.to_string(),
        "supported": versions.iter().map(|v| v.version.to_string()).collect::<Vec<_>>(),
    });
    if !deprecated.is_empty() {
        info["deprecated"] = json!(deprecated);
    }
    let mut object = JsonObject::new();
    object.insert(meta.versions.clone(), info);
    listed.meta = Some(MetaObject(object));
    listed
}

/// The `outputSchema` to advertise for a caller at version `shown` who may
/// also call any of `served`: a caller may pick another version per call,
/// and MCP clients check every result against the advertised schema, so it
/// must admit each of their results. That is the shown version's schema when
/// all of them agree, else `anyOf` their distinct schemas, the shown one
/// first. Schemas with references cannot be combined that way (their `$ref`s
/// point into their own root), so then only the shown one is advertised.
fn advertised_output(
    versions: &[ToolVersion],
    shown: usize,
    served: impl Iterator<Item = usize>,
) -> Option<Arc<JsonObject>> {
    let own = versions[shown].output.clone()?;
    let mut distinct: Vec<Arc<JsonObject>> = vec![own.clone()];
    for index in served {
        if let Some(output) = &versions[index].output
            && !distinct.iter().any(|d| d == output)
        {
            distinct.push(output.clone());
        }
    }
    let has_references = |schema: &JsonObject| {
        Value::Object(schema.clone())
            .to_string()
            .contains("\"$ref\"")
    };
    if distinct.len() == 1 || distinct.iter().any(|d| has_references(d)) {
        return Some(own);
    }
    let branches: Vec<Value> = distinct
        .iter()
        .map(|d| Value::Object((**d).clone()))
        .collect();
    let mut union = JsonObject::new();
    union.insert("type".into(), json!("object"));
    union.insert("anyOf".into(), Value::Array(branches));
    Some(Arc::new(union))
}

/// `search_v1`, `search_v2`, … for every major below the newest.
fn major_aliases(tool: &Arc<ToolEntry>, taken: &HashMap<String, Route>) -> Vec<Route> {
    let newest_major = tool.versions[tool.newest()].version.major;
    let mut majors: Vec<u64> = tool
        .versions
        .iter()
        .map(|v| v.version.major)
        .filter(|m| *m < newest_major)
        .collect();
    majors.dedup();
    majors
        .into_iter()
        .filter_map(|major| {
            let name = format!("{}_v{major}", tool.name);
            if taken.contains_key(&name) || name.len() > 64 {
                return None;
            }
            let range =
                semver::VersionReq::parse(&format!("^{major}")).expect("a caret range parses");
            let newest_in_major = tool
                .versions
                .iter()
                .rposition(|v| range.matches(&v.version))?;
            let mut listing = tool.versions[newest_in_major].listing.clone();
            listing.name = name.into();
            let in_major =
                (0..tool.versions.len()).filter(|&i| range.matches(&tool.versions[i].version));
            listing.output_schema = advertised_output(&tool.versions, newest_in_major, in_major);
            Some(Route {
                tool: tool.clone(),
                major: Some(range),
                alias_listing: Some(listing),
            })
        })
        .collect()
}
