//! Diagnostics: what is wrong with a spec, where, and how to say it (gcc-style
//! text, JSON or GitHub annotations).

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::spec::source::{Location, SourceMap};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The spec is invalid; nothing is generated.
    Error,
    /// Worth a look; generation goes on.
    Warning,
}

/// One step of a [`SpecPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Where in the spec's tree a value is: `tools[0].versions[1].input`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpecPath {
    segments: Vec<Segment>,
}

impl SpecPath {
    /// The document root.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path followed by a mapping key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut path = self.clone();
        path.segments.push(Segment::Key(key.into()));
        path
    }

    /// This path followed by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.segments.push(Segment::Index(index));
        path
    }

    /// This path followed by the keys of a JSON Pointer (`/properties/limit`).
    pub fn pointer(&self, pointer: &str) -> Self {
        let mut path = self.clone();
        for token in pointer.split('/').skip(1) {
            let key = token.replace("~1", "/").replace("~0", "~");
            path.segments.push(match key.parse::<usize>() {
                // Keys are strings in the spec's schemas; indexes only come from arrays.
                Ok(index) if !key.starts_with('0') || key == "0" => Segment::Index(index),
                _ => Segment::Key(key),
            });
        }
        path
    }

    /// The enclosing path, if any.
    pub fn parent(&self) -> Option<Self> {
        let (_, rest) = self.segments.split_last()?;
        Some(Self {
            segments: rest.to_vec(),
        })
    }

    /// The steps from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

impl fmt::Display for SpecPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{}]", serde_json::Value::String(key.clone()))?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// One finding about a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Stable, documented identifier (`invalid-tool-name`).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where in the spec's tree.
    pub path: SpecPath,
    /// Where in the file, once resolved.
    pub location: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
    /// Point at the key rather than the value (for unknown fields).
    pub at_key: bool,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, path: SpecPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            path,
            location: None,
            help: None,
            at_key: false,
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, path: SpecPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }

    /// Adds a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points the location at the mapping key instead of its value.
    pub fn at_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    /// Sets the file location directly (for errors found before the tree exists).
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

/// Fills in file locations from the spec's text and sorts by position. The
/// source map is only built when something needs locating: valid specs,
/// the common case, never pay for it.
pub fn locate(diagnostics: &mut [Diagnostic], text: &str) {
    if diagnostics.iter().any(|d| d.location.is_none()) {
        let source = SourceMap::build(text);
        for diagnostic in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
            diagnostic.location = Some(source.locate(&diagnostic.path, diagnostic.at_key));
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.location, a.severity, a.code, &a.message)
            .cmp(&(b.location, b.severity, b.code, &b.message))
    });
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// `file:line:col: error[code]: message`, with `help:` lines.
    #[default]
    Text,
    /// One JSON document with every diagnostic.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// Renders diagnostics about `file` in `format`.
pub fn render(diagnostics: &[Diagnostic], file: &str, format: ErrorFormat) -> String {
    match format {
        ErrorFormat::Text => render_text(diagnostics, file),
        ErrorFormat::Json => render_json(diagnostics, file),
        ErrorFormat::Github => render_github(diagnostics, file),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn render_text(diagnostics: &[Diagnostic], file: &str) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let location = d.location.unwrap_or_default();
        let _ = writeln!(
            out,
            "{file}:{}:{}: {}[{}]: {}",
            location.line,
            location.column,
            severity_word(d.severity),
            d.code,
            d.message
        );
        let _ = writeln!(out, "  at: {}", d.path);
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if !diagnostics.is_empty() {
        let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    path: String,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

fn render_json(diagnostics: &[Diagnostic], file: &str) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let report = JsonReport {
        file,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let location = d.location.unwrap_or_default();
                JsonDiagnostic {
                    severity: d.severity,
                    code: d.code,
                    message: &d.message,
                    path: d.path.to_string(),
                    line: location.line,
                    column: location.column,
                    help: d.help.as_deref(),
                }
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&report).expect("a report serialises");
    json.push('\n');
    json
}

fn render_github(diagnostics: &[Diagnostic], file: &str) -> String {
    // Workflow command values escape `%`, CR and LF; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diagnostics {
        let location = d.location.unwrap_or_default();
        let mut message = format!("{} (at {})", d.message, d.path);
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            severity_word(d.severity),
            property(file),
            location.line,
            location.column,
            property(d.code),
            data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_spec_reads() {
        let path = SpecPath::root()
            .key("tools")
            .index(0)
            .key("versions")
            .index(1)
            .key("input");
        assert_eq!(path.to_string(), "tools[0].versions[1].input");
        assert_eq!(
            SpecPath::root().key("a.b").key("c").to_string(),
            r#"["a.b"].c"#
        );
        assert_eq!(SpecPath::root().to_string(), "(root)");
    }

    #[test]
    fn pointers_extend_paths() {
        let base = SpecPath::root().key("input");
        assert_eq!(
            base.pointer("/properties/a~1b/items/0").to_string(),
            r#"input.properties["a/b"].items[0]"#
        );
        assert_eq!(base.pointer("").to_string(), "input");
    }

    #[test]
    fn github_format_escapes_workflow_command_characters() {
        let d = Diagnostic::error("x", SpecPath::root().key("a"), "50% bad\nreally")
            .at(Location { line: 2, column: 3 });
        let out = render(&[d], "dir,1/spec.yaml", ErrorFormat::Github);
        assert_eq!(
            out,
            "::error file=dir%2C1/spec.yaml,line=2,col=3,title=x::50%25 bad%0Areally (at a)\n"
        );
    }
}
