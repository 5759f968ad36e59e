//! The OAuth 2.0 protected resource metadata document (RFC 9728) that tells
//! clients which authorization servers issue tokens for this server.

use serde_json::{Value, json};

use crate::config::AuthConfig;

/// Where the document is served for the MCP endpoint at `mcp_path`
/// (RFC 9728 §3.1: the well-known prefix, then the resource's path).
pub fn metadata_path(mcp_path: &str) -> String {
    format!(
        "/.well-known/oauth-protected-resource{}",
        mcp_path.trim_end_matches('/')
    )
}

/// The document's absolute URL, built from the canonical `resource` URI.
pub(super) fn metadata_url(resource: &str, mcp_path: &str) -> Result<String, String> {
    let origin_end = resource
        .find("://")
        .map(|scheme| {
            resource[scheme + 3..]
                .find('/')
                .map_or(resource.len(), |slash| scheme + 3 + slash)
        })
        .filter(|_| resource.starts_with("https://") || resource.starts_with("http://"))
        .ok_or_else(|| format!("auth.resource: `{resource}` is not an http(s) URI"))?;
    Ok(format!(
        "{}{}",
        &resource[..origin_end],
        metadata_path(mcp_path)
    ))
}

/// The document itself.
pub(super) fn metadata_document(config: &AuthConfig) -> Value {
    let mut document = json!({
        "resource": config.resource,
        "authorization_servers": config.authorization_servers,
        "bearer_methods_supported": ["header"],
    });
    if !config.scopes.is_empty() {
        document["scopes_supported"] = json!(config.scopes);
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_sits_under_the_resource_origin_and_path() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp", "/mcp").unwrap(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8000", "/").unwrap(),
            "http://127.0.0.1:8000/.well-known/oauth-protected-resource"
        );
        assert!(metadata_url("mcp.example.com/mcp", "/mcp").is_err());
    }
}
