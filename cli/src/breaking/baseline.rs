//! Reading the earlier spec to compare against: a file, or the spec as it
//! was at a git revision (`git show REV:PATH`, run in the spec's directory
//! with the spec's path from the repository root), which is what users have.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the earlier spec comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Against {
    /// A file.
    File(PathBuf),
    /// A git revision (`HEAD~1`, `main`, a tag).
    Revision(String),
}

impl Against {
    /// An existing file wins over a revision of the same name.
    pub fn parse(text: &str) -> Self {
        let path = Path::new(text);
        if path.is_file() {
            Against::File(path.to_path_buf())
        } else {
            Against::Revision(text.to_owned())
        }
    }
}

/// The earlier spec's text, or `None` when the spec did not exist at that
/// revision (nothing was published yet).
pub fn read(against: &Against, spec: &Path) -> Result<Option<String>, String> {
    match against {
        Against::File(path) => std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        Against::Revision(revision) => at_revision(revision, spec),
    }
}

fn at_revision(revision: &str, spec: &Path) -> Result<Option<String>, String> {
    let dir = match spec.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = spec
        .file_name()
        .ok_or_else(|| format!("{} is not a file", spec.display()))?
        .to_string_lossy()
        .into_owned();
    let prefix = git(&dir, &["rev-parse", "--show-prefix"])
        .map_err(|e| format!("{} is not in a git repository: {e}", dir.display()))?;
    let commit = format!("{revision}^{{commit}}");
    git(&dir, &["rev-parse", "--verify", "--quiet", &commit])
        .map_err(|_| format!("`{revision}` is not a git revision (or a file)"))?;
    let object = format!("{revision}:{}{name}", prefix.trim_end_matches(['\n', '\r']));
    if git(&dir, &["cat-file", "-e", &object]).is_err() {
        return Ok(None);
    }
    git(&dir, &["show", &object]).map(Some)
}

/// Runs git in `dir` and returns its stdout.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    String::from_utf8(output.stdout).map_err(|_| "git printed text that is not UTF-8".to_owned())
}
