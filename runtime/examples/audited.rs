//! A small server whose `login` tool opts into audit records of its
//! arguments and results with sensitive fields: the binary the audit tests
//! serve, crash and verify with. Its spec requires a strict audit log.

use std::process::ExitCode;

use mcpgen_runtime::handler::structured;
use mcpgen_runtime::{GeneratedServer, HandlerSet, ToolError};
use serde_json::{Value, json};

const MANIFEST: &str = r#"{
  "format": 4,
  "server": {"name": "audited", "version": "1.0.0", "transports": ["stdio", "http"], "audit": "strict"},
  "tools": [{
    "name": "login",
    "description": "Checks a password.",
    "audit": {"arguments": true, "results": true, "sensitive": ["password", "filters.token", "ticket"]},
    "versions": [{
      "version": "0.9.0",
      "input": {"type": "object", "properties": {"user": {"type": "string"}, "password": {"type": "string"}}},
      "deprecated": {"message": "use 1.0.0", "sunset": "2020-01-01", "successor": "1.0.0"}
    }, {
      "version": "1.0.0",
      "input": {"type": "object", "required": ["user", "password"], "additionalProperties": false,
                "properties": {"user": {"type": "string"}, "password": {"type": "string"},
                               "filters": {"type": "object", "properties": {"token": {"type": "string"}}}}},
      "output": {"type": "object", "properties": {"user": {"type": "string"}, "ticket": {"type": "string"}}}
    }]
  }]
}"#;

fn main() -> ExitCode {
    let mut handlers = HandlerSet::new();
    handlers.insert(
        "login",
        structured(|_context, arguments: Value| async move {
            let user = arguments["user"].as_str().unwrap_or_default().to_owned();
            let password = arguments["password"].as_str().unwrap_or_default();
            if password == "wrong" {
                // Echoes the secret, as careless handlers do: the record must not.
                return Err(ToolError::new(format!(
                    "bad password {password} for {user}"
                )));
            }
            Ok(json!({"user": user, "ticket": format!("ticket-of-{password}")}))
        }),
    );
    mcpgen_runtime::cli::main(GeneratedServer::new(MANIFEST, handlers))
}
