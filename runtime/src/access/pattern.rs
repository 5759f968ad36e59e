//! Resource patterns: `tools/<glob>[@<semver range>]`, `resources/<glob>`,
//! `prompts/<glob>`, parsed and compiled into `globset` matchers.
//!
//! Glob semantics (pinned by tests and by `docs/security.md`): `*` matches any
//! run of characters within one `/`-separated segment, `?` one character other
//! than `/`, and `**` — only as a whole segment — any number of segments
//! (`tools/**` also matches `tools/a/b`; `**/x` also matches `x`). Matching is
//! case-sensitive and byte-exact: resource names are compared as the server
//! knows them, never after decoding. Character classes, alternations and
//! escapes are refused so that the pattern language stays this small.

use std::fmt;

use globset::{Glob, GlobBuilder, GlobMatcher};

/// The kinds of resource a pattern may name, by their first segment.
pub const KINDS: [&str; 3] = ["tools", "resources", "prompts"];

/// A parsed resource pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The glob over `kind/name`.
    pub glob: String,
    /// For `tools/…@range`: the tool versions it covers.
    pub range: Option<semver::VersionReq>,
}

/// Why a pattern does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Parses `text`. A range is read only after `tools/`: resource URIs may
    /// themselves contain `@`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let fail = |message: String| Err(PatternError(message));
        if text.is_empty() {
            return fail("a resource pattern must not be empty".into());
        }
        let (glob, range) = match text.strip_prefix("tools/") {
            Some(rest) => match rest.split_once('@') {
                Some((name, range)) => {
                    let range = semver::VersionReq::parse(range.trim()).map_err(|e| {
                        PatternError(format!("`{range}` is not a semver range: {e}"))
                    })?;
                    (format!("tools/{name}"), Some(range))
                }
                None => (text.to_owned(), None),
            },
            None => (text.to_owned(), None),
        };
        if let Some(c) = glob.chars().find(|c| "[]{}\\".contains(*c)) {
            return fail(format!(
                "`{c}` is not supported in resource patterns; use `*`, `?` and `**`"
            ));
        }
        for segment in glob.split('/') {
            if segment.contains("**") && segment != "**" {
                return fail(format!(
                    "`**` must be a whole segment (`tools/**`), not part of `{segment}`"
                ));
            }
        }
        let first = glob.split('/').next().unwrap_or_default();
        let wildcard = first.contains(['*', '?']);
        if !wildcard && !KINDS.contains(&first) {
            return fail(format!(
                "`{first}` is not a kind of resource; patterns start with `tools/`, `resources/` or `prompts/`"
            ));
        }
        Ok(Self { glob, range })
    }

    /// The glob, compiled with the semantics above.
    pub fn glob(&self) -> Glob {
        GlobBuilder::new(&self.glob)
            .literal_separator(true)
            .backslash_escape(false)
            .build()
            .expect("parse refused everything globset rejects")
    }

    /// A matcher for the glob.
    pub fn matcher(&self) -> GlobMatcher {
        self.glob().compile_matcher()
    }

    /// Whether the pattern matches every resource of every kind.
    pub fn matches_everything(&self) -> bool {
        self.range.is_none() && self.glob == "**"
    }
}

/// The resource name of a tool, as patterns see it.
pub fn tool_resource(name: &str) -> String {
    format!("tools/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, resource: &str) -> bool {
        Pattern::parse(pattern)
            .unwrap()
            .matcher()
            .is_match(resource)
    }

    /// The table in `docs/security.md`, row by row.
    #[test]
    fn documented_glob_table() {
        let table = [
            ("tools/*", "tools/search", true),
            ("tools/*", "tools/a/b", false),
            ("tools/**", "tools/a/b", true),
            ("tools/**", "tools/search", true),
            ("tools/search*", "tools/search_v2", true),
            ("tools/search*", "tools/research", false),
            ("tools/?earch", "tools/search", true),
            ("tools/search", "tools/Search", false),
            ("*", "tools/search", false),
            ("**", "tools/search", true),
            ("*/search", "tools/search", true),
            ("*/search", "prompts/search", true),
            ("**/search", "tools/search", true),
            ("resources/file:*", "resources/file:notes.txt", true),
            ("resources/file:*", "resources/file:a/b.txt", false),
            ("resources/docs/**", "resources/docs/a/b.txt", true),
            ("resources/reports/*", "resources/reports/../secrets", false),
        ];
        for (pattern, resource, expected) in table {
            assert_eq!(
                matches(pattern, resource),
                expected,
                "{pattern} vs {resource}"
            );
        }
    }

    #[test]
    fn unicode_forms_are_distinct() {
        let nfc = "resources/caf\u{e9}/*";
        assert!(matches(nfc, "resources/caf\u{e9}/menu"));
        assert!(!matches(nfc, "resources/cafe\u{301}/menu"));
        assert!(!matches(
            "resources/cafe\u{301}/*",
            "resources/caf\u{e9}/menu"
        ));
    }

    #[test]
    fn ranges_only_follow_tools() {
        let p = Pattern::parse("tools/search@^2").unwrap();
        assert_eq!(p.glob, "tools/search");
        assert!(p.range.unwrap().matches(&semver::Version::new(2, 1, 0)));
        let r = Pattern::parse("resources/mailto:a@b").unwrap();
        assert_eq!(r.glob, "resources/mailto:a@b");
        assert!(r.range.is_none());
    }

    #[test]
    fn refuses_what_the_language_lacks() {
        for bad in [
            "",
            "tools/[ab]",
            "tools/{a,b}",
            "tools/a\\*",
            "tools/a**",
            "files/*",
            "tools/x@not a range",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }
}
