//! Fetching an issuer's JWK set over HTTP: which URLs may be fetched at all
//! (the SSRF rule), and one GET bounded in time and size that follows no
//! redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::{Url, header, redirect};

use super::jwks::KeySet;
use super::jwks_cache::Fetch;

/// The longest a connection to the JWKS endpoint may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest one fetch may take, connection and body included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWK set body read: real sets are a few KiB, and a bigger
/// answer is not a key set worth holding in memory.
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;

const FIELD: &str = "auth.jwt.jwks_url";

/// Checks `text` against the SSRF rule: `https://` anywhere, `http://` only
/// to a loopback host (127.0.0.0/8, ::1, `localhost`), which local identity
/// providers use; nothing else, so the config cannot point the server's
/// fetches at plain-text internal services.
pub fn check_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{FIELD}: `{text}` is not a URL: {e}"))?;
    // Credentials in the URL would end up in every log line naming it.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{FIELD}: the URL must not carry credentials (user:password@)"
        ));
    }
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "{FIELD}: `{text}`: http:// is allowed only to a loopback host (127.0.0.0/8, ::1, localhost); use https://"
        )),
        scheme => Err(format!(
            "{FIELD}: `{text}`: the scheme `{scheme}` is not allowed; use https://"
        )),
    }
}

/// Whether `url`'s host is a loopback address or `localhost`. The URL
/// parser has already normalised the host (`127.1` → `127.0.0.1`,
/// lower case), so comparing its text is exact.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host == "localhost" {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Fetches the JWK set at one checked URL.
pub struct HttpFetcher {
    client: reqwest::Client,
    url: Url,
}

impl HttpFetcher {
    /// A fetcher for `url`, which [`check_url`] accepted.
    pub fn new(url: Url) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            // A redirect could lead anywhere, past the SSRF rule: a 3xx
            // answer is a failed fetch.
            .redirect(redirect::Policy::none())
            // A proxy from the environment would make a loopback URL reach
            // another host; the URL is fetched directly.
            .no_proxy()
            // `localhost` passed the rule as loopback, so it must resolve
            // to loopback whatever the resolver says.
            .resolve_to_addrs(
                "localhost",
                &[
                    SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                ],
            )
            .user_agent(concat!("mcpgen-runtime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("{FIELD}: cannot build the HTTP client: {e}"))?;
        Ok(Self { client, url })
    }

    async fn body(&self) -> Result<Vec<u8>, String> {
        let mut response = self
            .client
            .get(self.url.clone())
            .header(
                header::ACCEPT,
                "application/jwk-set+json, application/json;q=0.9",
            )
            .send()
            .await
            .map_err(|e| chain(&e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(format!("HTTP {status}: redirects are not followed"));
        }
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let too_large = || format!("the response is larger than {MAX_JWKS_BYTES} bytes");
        if response
            .content_length()
            .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
        {
            return Err(too_large());
        }
        // Read chunk by chunk: a missing or false Content-Length must not
        // let the body grow past the cap.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| chain(&e))? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

impl Fetch for HttpFetcher {
    async fn fetch(&self) -> Result<KeySet, String> {
        let body = self.body().await?;
        let (keys, skipped) = KeySet::parse_published(&body)?;
        for note in skipped {
            tracing::debug!(url = %self.url, "{note}");
        }
        Ok(keys)
    }

    fn describe(&self) -> String {
        self.url.to_string()
    }
}

/// An error with its causes, which reqwest keeps apart (the top level says
/// only "error sending request").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// Serves one canned HTTP answer per connection on 127.0.0.1, counting
    /// connections; returns the URL of `/jwks.json` there.
    async fn answering(head: &'static str, body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request).await;
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        (url, connections)
    }

    fn fetcher(url: &str) -> HttpFetcher {
        HttpFetcher::new(check_url(url).unwrap()).unwrap()
    }

    const JWKS: &str = r#"{"keys": [{"kty": "EC", "crv": "P-256", "kid": "a",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    #[tokio::test]
    async fn a_set_is_fetched_and_parsed() {
        let (url, _) = answering(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
            JWKS.as_bytes().to_vec(),
        )
        .await;
        let keys = fetcher(&url).fetch().await.unwrap();
        assert!(keys.find(Some("a")).is_some());
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let (url, connections) = answering(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            Vec::new(),
        )
        .await;
        let error = fetcher(&url).fetch().await.err().unwrap();
        assert!(error.contains("redirects are not followed"), "{error}");
        assert_eq!(connections.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_error_status_fails_the_fetch() {
        let (url, _) = answering(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            Vec::new(),
        )
        .await;
        let error = fetcher(&url).fetch().await.err().unwrap();
        assert!(error.contains("503"), "{error}");
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused_with_or_without_a_length() {
        let big = vec![b' '; MAX_JWKS_BYTES + 1];
        // No Content-Length: the body is cut off while it is read.
        let (url, _) = answering("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", big.clone()).await;
        let error = fetcher(&url).fetch().await.err().unwrap();
        assert!(error.contains("larger than"), "{error}");
        // A Content-Length over the cap: refused before the body is read.
        let (url, _) = answering(
            "HTTP/1.1 200 OK\r\nContent-Length: 1048577\r\nConnection: close\r\n\r\n",
            big,
        )
        .await;
        let error = fetcher(&url).fetch().await.err().unwrap();
        assert!(error.contains("larger than"), "{error}");
    }

    #[test]
    fn https_anywhere_and_http_only_to_loopback() {
        for allowed in [
            "https://issuer.example/.well-known/jwks.json",
            "https://10.0.0.1/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://127.1.2.3/jwks",
            "http://127.1/jwks",
            "http://localhost:9000/jwks",
            "http://LOCALHOST/jwks",
            "http://[::1]:9000/jwks",
        ] {
            assert!(check_url(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "http://issuer.example/jwks",
            "http://10.0.0.1/jwks",
            "http://169.254.169.254/latest",
            "http://0.0.0.0/jwks",
            "http://[::]/jwks",
            "http://localhost.issuer.example/jwks",
            "http://127.0.0.1.nip.io/jwks",
            "ftp://issuer.example/jwks",
            "file:///etc/jwks.json",
            "https://user:secret@issuer.example/jwks",
            "issuer.example/jwks",
        ] {
            let error = check_url(refused)
                .err()
                .unwrap_or_else(|| panic!("{refused}"));
            assert!(error.starts_with("auth.jwt.jwks_url: "), "{error}");
            assert!(!error.contains("secret"), "{error}");
        }
    }
}
