//! JWT bearer tokens (MCP authorization, RFC 9068): signature against the
//! configured JWKS, exact issuer, this server's canonical URI in `aud`,
//! `exp`/`nbf` with a bounded leeway, and only allow-listed algorithms.

use std::str::FromStr;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwks::Jwks;
use super::{Credential, Principal, Refusal};
use crate::config::JwtConfig;

/// The largest clock-skew allowance the config may ask for: beyond this, an
/// expired token stays usable for too long.
pub const MAX_LEEWAY_SECONDS: u64 = 300;

/// Verifies bearer tokens of one issuer.
pub struct JwtVerifier {
    keys: Jwks,
    validation: Validation,
    principal_claim: String,
    tenant_claim: Option<String>,
}

impl JwtVerifier {
    /// Sets up the key source (reading a JWKS file; a URL is only checked
    /// here and fetched by [`Self::start`]) and fixes what every token must
    /// satisfy; `resource` is this server's canonical URI, which `aud` must
    /// contain.
    pub fn new(config: &JwtConfig, resource: &str) -> Result<Self, String> {
        let keys = Jwks::new(config)?;
        let algorithms = config
            .algorithms
            .iter()
            .map(|name| {
                let algorithm = Algorithm::from_str(name)
                    .map_err(|_| format!("auth.jwt.algorithms: unknown algorithm `{name}`"))?;
                // Shared-secret algorithms would let anyone holding the
                // public JWKS forge tokens (RS/HS confusion).
                if matches!(
                    algorithm,
                    Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
                ) {
                    return Err(format!(
                        "auth.jwt.algorithms: `{name}` is a shared-secret algorithm; use an asymmetric one"
                    ));
                }
                Ok(algorithm)
            })
            .collect::<Result<Vec<_>, String>>()?;
        let Some(first) = algorithms.first() else {
            return Err("auth.jwt.algorithms: name at least one algorithm".into());
        };
        if config.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(format!(
                "auth.jwt.leeway_seconds: at most {MAX_LEEWAY_SECONDS}"
            ));
        }
        let mut validation = Validation::new(*first);
        validation.algorithms = algorithms;
        validation.leeway = config.leeway_seconds;
        validation.validate_nbf = true;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[resource]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        Ok(Self {
            keys,
            validation,
            principal_claim: config.principal_claim.clone(),
            tenant_claim: config.tenant_claim.clone(),
        })
    }

    /// Loads the keys of a `jwks_url` and keeps them fresh from now on.
    pub async fn start(&self) {
        self.keys.start().await;
    }

    /// The principal `token` speaks for.
    pub async fn verify(&self, token: &str) -> Result<Principal, Refusal> {
        let invalid = |why: String| Refusal::Invalid(why);
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| invalid(format!("unreadable token header: {e}")))?;
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        // Only a token with a readable header and an accepted algorithm
        // gets this far, where an unknown `kid` may cause a fetch.
        let keys = self.keys.keys_for(header.kid.as_deref()).await;
        let Some(key) = keys.find(header.kid.as_deref()) else {
            return Err(invalid(format!("no key for kid {:?}", header.kid)));
        };
        if let Some(expected) = &key.algorithm
            && *expected != format!("{:?}", header.alg)
        {
            return Err(invalid(format!(
                "key {:?} is for {expected}, not {:?}",
                header.kid, header.alg
            )));
        }
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &self.validation)
            .map_err(|e| invalid(format!("token rejected: {e}")))?;
        let claims = data.claims;
        let id = claims
            .get(&self.principal_claim)
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| invalid(format!("no `{}` claim", self.principal_claim)))?;
        let tenant = match &self.tenant_claim {
            None => None,
            Some(claim) => Some(
                claims
                    .get(claim)
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| invalid(format!("no `{claim}` claim")))?,
            ),
        };
        Ok(Principal {
            id: Arc::from(id),
            tenant: tenant.map(Arc::from),
            scopes: scopes(&claims),
            via: Credential::Jwt,
        })
    }
}

/// `scope` (space-separated, RFC 8693) or `scp` (a list, common in practice).
fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(scope)), _) => scope.split_whitespace().map(str::to_owned).collect(),
        (_, Some(Value::Array(list))) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}
