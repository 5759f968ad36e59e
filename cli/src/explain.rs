//! `mcpgen explain`: judges one request against a spec's access rules with
//! the runtime's own policy and says which rule decided.
//!
//! Exit codes: 0 allowed; 1 denied; 2 usage (bad arguments, an unreadable or
//! invalid spec, an unknown principal, tool or version).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mcpgen_runtime::access::constraints::parse_instant;
use mcpgen_runtime::access::pattern::tool_resource;
use mcpgen_runtime::access::rules::{Access, Capability};
use mcpgen_runtime::access::{Action, Decision, Holder, Policy, Reason, Request, RuleRef};
use serde_json::{Value, json};

use crate::diag::{self, ErrorFormat};
use crate::ir::Ir;

const ALLOWED: u8 = 0;
const DENIED: u8 = 1;
const USAGE: u8 = 2;

/// `mcpgen explain` arguments.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The spec file.
    #[arg(long, short, default_value = "mcpgen.yaml")]
    pub spec: PathBuf,
    /// Who asks (one of `access.principals`).
    #[arg(long)]
    pub principal: String,
    /// The tool called.
    #[arg(long)]
    pub tool: String,
    /// The tool version the call is served at (default: the newest).
    #[arg(long)]
    pub version: Option<String>,
    /// When: an RFC 3339 timestamp or a date (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// What the request does.
    #[arg(long, value_enum, default_value_t = ActionArg::Execute)]
    pub action: ActionArg,
    /// The call's arguments as JSON; without them argument conditions are
    /// not judged.
    #[arg(long, value_name = "JSON")]
    pub arguments: Option<String>,
    /// Text, or one JSON document on stdout (`github` prints text).
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// An action on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ActionArg {
    /// Call the tool.
    Execute,
    /// See it in `tools/list`.
    List,
}

/// What was asked, resolved against the spec.
struct Asked {
    version: semver::Version,
    at: jiff::Timestamp,
    arguments: Option<Value>,
}

/// Runs `mcpgen explain`.
pub fn run(args: &ExplainArgs) -> u8 {
    match explain(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            USAGE
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<u8, String> {
    let file = args.spec.to_string_lossy().into_owned();
    let text =
        std::fs::read_to_string(&args.spec).map_err(|e| format!("cannot read {file}: {e}"))?;
    let name = args.spec.file_name().map_or_else(
        || "mcpgen.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let ir = match crate::compile(&text, &name) {
        Ok(validated) => validated.ir,
        Err(diagnostics) => {
            eprint!("{}", diag::render(&diagnostics, &file, ErrorFormat::Text));
            return Err(format!("{file} is not a valid spec"));
        }
    };
    let asked = resolve(args, &ir)?;
    let action = match args.action {
        ActionArg::Execute => Action::Execute,
        ActionArg::List => Action::List,
    };
    let Some(access) = &ir.access else {
        let verdict = json!({
            "allowed": true,
            "reason": "the spec has no access rules, so nothing is enforced",
            "rule": null,
        });
        print(args, &asked, action, &verdict, None);
        return Ok(ALLOWED);
    };
    let policy = Policy::compile(access).map_err(|e| e.to_string())?;
    let tenant = policy
        .tenant_of(&args.principal)
        .ok_or_else(|| {
            let known: Vec<&str> = access.principals.iter().map(|p| p.id.as_str()).collect();
            format!(
                "`{}` is not a principal of the spec; principals: {}",
                args.principal,
                known.join(", ")
            )
        })?
        .to_string();
    let resource = tool_resource(&args.tool);
    let decision = policy.decide(&Request {
        principal: &args.principal,
        tenant: Some(&tenant),
        action,
        resource: &resource,
        version: Some(&asked.version),
        arguments: asked.arguments.as_ref(),
        now: asked.at,
    });
    let verdict = verdict(access, &decision, &tenant);
    print(args, &asked, action, &verdict, Some(&decision));
    Ok(if decision.allowed { ALLOWED } else { DENIED })
}

fn resolve(args: &ExplainArgs, ir: &Ir) -> Result<Asked, String> {
    let tool = ir
        .tools
        .iter()
        .find(|t| t.name == args.tool)
        .ok_or_else(|| format!("`{}` is not a tool of the spec", args.tool))?;
    let versions: Vec<&semver::Version> = tool.versions.iter().map(|v| &v.version).collect();
    let version = match &args.version {
        None => (*versions.last().expect("a validated tool has versions")).clone(),
        Some(text) => {
            let version = semver::Version::parse(text)
                .map_err(|e| format!("`{text}` is not a semver version: {e}"))?;
            if !versions.contains(&&version) {
                let listed: Vec<String> = versions.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "`{}` has no version {version}; versions: {}",
                    args.tool,
                    listed.join(", ")
                ));
            }
            version
        }
    };
    let at = match &args.at {
        None => jiff::Timestamp::now(),
        Some(text) => parse_instant(text)?,
    };
    let arguments = args
        .arguments
        .as_deref()
        .map(serde_json::from_str::<Value>)
        .transpose()
        .map_err(|e| format!("--arguments is not JSON: {e}"))?;
    Ok(Asked {
        version,
        at,
        arguments,
    })
}

/// The decision as data: what the text and JSON outputs both show.
fn verdict(access: &Access, decision: &Decision, tenant: &str) -> Value {
    let rule = decision.rule.as_ref().map(|rule| {
        let (holder, id) = match &rule.holder {
            Holder::Principal(id) => ("principal", id),
            Holder::Role(id) => ("role", id),
        };
        let capability = capability(access, rule);
        json!({
            "holder": holder,
            "id": &**id,
            "index": rule.index,
            "path": spec_path(access, rule),
            "resource": capability.map(|c| c.resource.clone()),
            "actions": capability.map(|c| c.actions.clone()),
            "constraints": capability.map(|c| c.constraints.clone()),
        })
    });
    json!({
        "allowed": decision.allowed,
        "tenant": tenant,
        "reason": decision.reason.to_string(),
        "reason_code": reason_code(&decision.reason),
        "rule": rule,
    })
}

fn reason_code(reason: &Reason) -> &'static str {
    match reason {
        Reason::Granted => "granted",
        Reason::UnknownPrincipal => "unknown-principal",
        Reason::OtherTenant { .. } => "other-tenant",
        Reason::NoRuleGrants => "no-rule-grants",
        Reason::NotYetValid { .. } => "not-yet-valid",
        Reason::Expired { .. } => "expired",
        Reason::Argument { .. } => "argument",
    }
}

fn capability<'a>(access: &'a Access, rule: &RuleRef) -> Option<&'a Capability> {
    match &rule.holder {
        Holder::Principal(id) => access
            .principals
            .iter()
            .find(|p| *p.id == **id)?
            .capabilities
            .get(rule.index),
        Holder::Role(id) => access
            .roles
            .iter()
            .find(|r| *r.id == **id)?
            .capabilities
            .get(rule.index),
    }
}

fn spec_path(access: &Access, rule: &RuleRef) -> Option<String> {
    let (list, position) = match &rule.holder {
        Holder::Principal(id) => (
            "principals",
            access.principals.iter().position(|p| *p.id == **id)?,
        ),
        Holder::Role(id) => ("roles", access.roles.iter().position(|r| *r.id == **id)?),
    };
    Some(format!(
        "access.{list}[{position}].capabilities[{}]",
        rule.index
    ))
}

fn print(
    args: &ExplainArgs,
    asked: &Asked,
    action: Action,
    verdict: &Value,
    decision: Option<&Decision>,
) {
    let request = json!({
        "principal": args.principal,
        "action": action.to_string(),
        "tool": args.tool,
        "version": asked.version.to_string(),
        "at": asked.at.to_string(),
        "arguments": asked.arguments,
    });
    if matches!(args.error_format, ErrorFormat::Json) {
        let mut document = verdict.clone();
        document["request"] = request;
        println!(
            "{}",
            serde_json::to_string_pretty(&document).expect("JSON serialises")
        );
        return;
    }
    let allowed = verdict["allowed"].as_bool().unwrap_or(false);
    println!(
        "{}: `{}` {} {} `{}` {} at {}",
        if allowed { "allowed" } else { "denied" },
        args.principal,
        if allowed { "may" } else { "may not" },
        action,
        args.tool,
        asked.version,
        asked.at
    );
    if let Some(tenant) = verdict["tenant"].as_str() {
        println!("  tenant: {tenant}");
    }
    println!(
        "  reason: {}",
        verdict["reason"].as_str().unwrap_or_default()
    );
    match (&verdict["rule"], decision.and_then(|d| d.rule.as_ref())) {
        (Value::Object(rule), Some(reference)) => {
            let path = rule["path"].as_str().unwrap_or_default();
            println!("  rule: {reference} ({path})");
            println!(
                "    resource: {}",
                rule["resource"].as_str().unwrap_or_default()
            );
            println!("    actions: {}", rule["actions"]);
            if rule["constraints"]
                .as_object()
                .is_some_and(|c| !c.is_empty())
            {
                println!("    constraints: {}", rule["constraints"]);
            }
        }
        _ if decision.is_some() => println!("  rule: none (deny by default)"),
        _ => {}
    }
    let conditional = decision.is_some_and(|d| d.allowed)
        && asked.arguments.is_none()
        && verdict["rule"]["constraints"]["arguments"].is_object();
    if conditional {
        println!("  note: argument conditions were not judged; pass --arguments to judge them");
    }
}
