//! The versioned tool registry: every version of every tool with its schemas,
//! compiled validators and upgrade chain, built once at start.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rmcp::model::{JsonObject, MetaObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::handler::ErasedHandler;
use crate::manifest::{self, Deprecation, Manifest};
use crate::meta;
use crate::migrate::Op;

/// Why a registry could not be built. Every one of these is a bug in the
/// generator or a hand-edited generated file, so the server refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `manifest.json` is not valid.
    #[error("the embedded manifest is malformed: {0}")]
    Manifest(#[from] serde_json::Error),
    /// The manifest was written by an incompatible generator.
    #[error("the embedded manifest has format {found}, this runtime reads format {expected}")]
    Format {
        /// What the manifest says.
        found: u32,
        /// What this runtime reads.
        expected: u32,
    },
    /// A version string is not semver.
    #[error("tool `{tool}`: `{version}` is not a semver version: {source}")]
    Version {
        /// The tool.
        tool: String,
        /// The offending text.
        version: String,
        /// The parse error.
        source: semver::Error,
    },
    /// A schema does not compile.
    #[error("tool `{tool}` {version}: the input schema does not compile: {message}")]
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
    /// The ops that bring arguments of this version to the handler's version.
    pub upgrade: Vec<Op>,
    /// The compiled input schema.
    pub validator: jsonschema::Validator,
    /// Whether a call at this version was already logged as deprecated.
    pub(crate) deprecation_logged: AtomicBool,
}

/// A tool with all its versions and its handler.
pub struct ToolEntry {
    /// The MCP name.
    pub name: String,
    /// Ascending; the last one is the handler's.
    pub versions: Vec<ToolVersion>,
    /// How `tools/list` shows the tool.
    pub listing: Tool,
    /// The listing without descriptions and `_meta`: cheap to copy for
    /// rmcp's per-request lookups.
    pub lookup: Tool,
    /// The tool body.
    pub handler: Arc<dyn ErasedHandler>,
}

impl ToolEntry {
    /// The index of the handler's version.
    pub fn newest(&self) -> usize {
        self.versions.len() - 1
    }
}

/// Handlers keyed by tool name, as generated code registers them.
#[derive(Default)]
pub struct HandlerSet {
    handlers: HashMap<String, Arc<dyn ErasedHandler>>,
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
}

/// Every tool the server serves.
pub struct Registry {
    server: manifest::Server,
    tools: Vec<Arc<ToolEntry>>,
    by_name: HashMap<String, Arc<ToolEntry>>,
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
        let mut tools = Vec::with_capacity(manifest.tools.len());
        for tool in manifest.tools {
            let handler = handlers
                .handlers
                .remove(&tool.name)
                .ok_or_else(|| BuildError::MissingHandler(tool.name.clone()))?;
            tools.push(Arc::new(build_tool(tool, handler)?));
        }
        let by_name = tools.iter().map(|t| (t.name.clone(), t.clone())).collect();
        Ok(Self {
            server: manifest.server,
            tools,
            by_name,
        })
    }

    /// The server's identity and transports.
    pub fn server(&self) -> &manifest::Server {
        &self.server
    }

    /// All tools in spec order.
    pub fn tools(&self) -> &[Arc<ToolEntry>] {
        &self.tools
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<ToolEntry>> {
        self.by_name.get(name)
    }
}

fn build_tool(
    tool: manifest::Tool,
    handler: Arc<dyn ErasedHandler>,
) -> Result<ToolEntry, BuildError> {
    if tool.versions.is_empty() {
        return Err(BuildError::NoVersions(tool.name));
    }
    let mut versions = Vec::with_capacity(tool.versions.len());
    for spec in &tool.versions {
        let version =
            semver::Version::parse(&spec.version).map_err(|source| BuildError::Version {
                tool: tool.name.clone(),
                version: spec.version.clone(),
                source,
            })?;
        let schema = Value::Object(spec.input.clone());
        let validator = jsonschema::validator_for(&schema).map_err(|e| BuildError::Schema {
            tool: tool.name.clone(),
            version: spec.version.clone(),
            message: e.to_string(),
        })?;
        versions.push(ToolVersion {
            version,
            input: Arc::new(spec.input.clone()),
            output: spec.output.clone().map(Arc::new),
            deprecated: spec.deprecated.clone(),
            upgrade: Vec::new(),
            validator,
            deprecation_logged: AtomicBool::new(false),
        });
    }
    // Version i upgrades through the changes of every later version, in order.
    for (i, version) in versions.iter_mut().enumerate() {
        version.upgrade = tool.versions[i + 1..]
            .iter()
            .flat_map(|v| v.changes.iter().cloned())
            .collect();
    }
    let listing = listing(&tool, &versions);
    let mut lookup = Tool::new(listing.name.clone(), "", listing.input_schema.clone());
    lookup.output_schema = listing.output_schema.clone();
    Ok(ToolEntry {
        name: tool.name,
        versions,
        listing,
        lookup,
        handler,
    })
}

/// The `tools/list` entry: the newest version's schemas, and every version
/// with its deprecation under `_meta`.
fn listing(tool: &manifest::Tool, versions: &[ToolVersion]) -> Tool {
    let newest = versions.last().expect("a tool has at least one version");
    let mut listed = Tool::new(
        tool.name.clone(),
        tool.description.clone(),
        newest.input.clone(),
    );
    listed.title = tool.title.clone();
    listed.output_schema = newest.output.clone();
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
        "current": newest.version.to_string(),
        "supported": versions.iter().map(|v| v.version.to_string()).collect::<Vec<_>>(),
    });
    if !deprecated.is_empty() {
        info["deprecated"] = json!(deprecated);
    }
    let mut meta = JsonObject::new();
    meta.insert(meta::VERSIONS.to_owned(), info);
    listed.meta = Some(MetaObject(meta));
    listed
}
