//! Timing `mcpgen generate` on synthetic specs: N tools × 3 versions, each
//! version with a realistic input schema and a rename plus an add between
//! versions.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::child::{self, Usage};
use crate::suite::NOISY_ATTEMPTS;

/// Tools per spec module, so module count grows with the spec as it would.
const TOOLS_PER_MODULE: usize = 50;

/// What generating one spec size cost.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Size of the spec, in bytes.
    pub spec_bytes: u64,
    /// The figures, or why mcpgen refused the spec.
    pub result: Result<Figures, String>,
}

/// The figures of a spec mcpgen generated.
#[derive(Clone, Debug)]
pub struct Figures {
    /// Timed runs.
    pub runs: usize,
    /// Median wall time.
    pub wall: Duration,
    /// Fastest and slowest run.
    pub wall_range: (Duration, Duration),
    /// Every run's wall time, in the order they ran.
    pub walls: Vec<Duration>,
    /// Median CPU time (user + system, all threads).
    pub cpu: Duration,
    /// Median peak RSS, in KiB.
    pub peak_rss_kib: u64,
    /// The most CPU the rest of the machine took during a run, in cores.
    pub noise_cores: f64,
    /// Files written.
    pub files: usize,
    /// Lines of Rust written.
    pub rust_lines: usize,
}

/// A synthetic spec written to disk, ready to be generated again and again,
/// each time into a new empty directory.
pub struct Prepared {
    mcpgen: PathBuf,
    dir: tempfile::TempDir,
    spec: PathBuf,
    /// Size of the spec, in bytes.
    pub spec_bytes: u64,
    tools: usize,
    runs_started: usize,
}

impl Prepared {
    /// Writes a `tools` × 3 spec under `work` (the system temporary
    /// directory if `None`).
    pub fn new(mcpgen: &Path, tools: usize, work: Option<&Path>) -> anyhow::Result<Self> {
        let dir = match work {
            Some(work) => tempfile::tempdir_in(work)?,
            None => tempfile::tempdir()?,
        };
        let spec = dir.path().join("mcpgen.yaml");
        std::fs::write(&spec, synthetic_spec(tools))?;
        let spec_bytes = std::fs::metadata(&spec)?.len();
        Ok(Self {
            mcpgen: mcpgen.to_path_buf(),
            dir,
            spec,
            spec_bytes,
            tools,
            runs_started: 0,
        })
    }

    /// One run into a new directory. Output directories are removed only
    /// at the end: on ext4, creating files right after deleting as many
    /// makes inode allocation skip the recently freed ones, which cost up to
    /// a second of system time per run in trials and is not the generator's
    /// doing.
    fn run_once(&mut self) -> anyhow::Result<(Usage, PathBuf)> {
        self.runs_started += 1;
        let out = self.dir.path().join(format!("out-{}", self.runs_started));
        std::fs::create_dir(&out)?;
        let args: Vec<OsString> = vec![
            "generate".into(),
            "--spec".into(),
            self.spec.clone().into(),
            "--out".into(),
            out.clone().into(),
        ];
        Ok((child::measure(&self.mcpgen, &args)?, out))
    }

    /// The untimed first run, which also checks mcpgen accepts the spec:
    /// the files and lines of Rust it wrote.
    pub fn first(&mut self) -> anyhow::Result<(usize, usize)> {
        let (_, out) = self.run_once()?;
        count_output(&out)
    }

    /// One timed run, run again (up to [`NOISY_ATTEMPTS`] tries) while other
    /// work took more than `max_noise` cores.
    pub fn timed(&mut self, max_noise: f64) -> anyhow::Result<Usage> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (usage, _) = self.run_once()?;
            if usage.noise_cores <= max_noise || attempt == NOISY_ATTEMPTS {
                return Ok(usage);
            }
            eprintln!(
                "  generate {} × 3: run discarded, other work took {:.2} cores",
                self.tools, usage.noise_cores
            );
        }
    }
}

/// Generates a `tools` × 3 spec `runs` times, each into a new empty
/// directory under `work` (the system temporary directory if `None`), after
/// one untimed run that also checks the generator accepts the spec. A spec
/// mcpgen refuses or fails on is reported, not an error. `between` runs
/// before each timed run (the growth figure times the base size there).
pub fn time_generate(
    mcpgen: &Path,
    tools: usize,
    runs: usize,
    work: Option<&Path>,
    max_noise: f64,
    mut between: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<Timing> {
    let mut prepared = Prepared::new(mcpgen, tools, work)?;
    let spec_bytes = prepared.spec_bytes;
    let (files, rust_lines) = match prepared.first() {
        Ok(counts) => counts,
        // A spec mcpgen cannot generate is a result for the table, not a
        // reason to lose the other rows.
        Err(error) => {
            return Ok(Timing {
                spec_bytes,
                result: Err(failure(&format!("{error:#}"))),
            });
        }
    };
    let mut usages = Vec::with_capacity(runs);
    for _ in 0..runs {
        between()?;
        usages.push(prepared.timed(max_noise)?);
    }
    let mut walls: Vec<Duration> = usages.iter().map(|u| u.wall).collect();
    walls.sort_unstable();
    let mut peaks: Vec<u64> = usages.iter().map(|u| u.peak_rss_kib).collect();
    peaks.sort_unstable();
    let mut cpus: Vec<Duration> = usages.iter().map(|u| u.cpu).collect();
    cpus.sort_unstable();
    Ok(Timing {
        spec_bytes,
        result: Ok(Figures {
            runs,
            wall: walls[walls.len() / 2],
            wall_range: (walls[0], walls[walls.len() - 1]),
            walls: usages.iter().map(|u| u.wall).collect(),
            cpu: cpus[cpus.len() / 2],
            peak_rss_kib: peaks[peaks.len() / 2],
            noise_cores: usages.iter().map(|u| u.noise_cores).fold(0.0, f64::max),
            files,
            rust_lines,
        }),
    })
}

/// A one-line account of why mcpgen failed, from its stderr.
fn failure(message: &str) -> String {
    if message.contains("spec-too-large") {
        return "refused: `spec-too-large`".to_owned();
    }
    let last = message
        .lines()
        .find_map(|line| line.find("error:").map(|at| line[at..].trim()))
        .unwrap_or("see the bench's stderr");
    format!("failed: {last}")
}

/// Files under `dir`, and the lines of its `.rs` files.
fn count_output(dir: &Path) -> anyhow::Result<(usize, usize)> {
    let mut files = 0;
    let mut lines = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            files += 1;
            if path.extension().is_some_and(|e| e == "rs") {
                lines += std::fs::read_to_string(&path)?.lines().count();
            }
        }
    }
    Ok((files, lines))
}

/// A spec with `tools` tools of 3 versions each.
pub fn synthetic_spec(tools: usize) -> String {
    let mut spec = String::with_capacity(tools * 4096);
    spec.push_str(&format!(
        "mcpgen: 1\nserver:\n  name: synthetic\n  version: 3.0.0\n  \
         description: A synthetic spec of {tools} tools x 3 versions for timing the generator.\n\
         modules:\n"
    ));
    for module in 0..tools.div_ceil(TOOLS_PER_MODULE) {
        let _ = writeln!(
            spec,
            "  - name: group_{module:04}\n    description: Tools of group {module}."
        );
    }
    spec.push_str("tools:\n");
    for tool in 0..tools {
        write_tool(&mut spec, tool);
    }
    spec
}

fn write_tool(spec: &mut String, tool: usize) {
    let name = format!("tool_{tool:05}");
    let module = tool / TOOLS_PER_MODULE;
    let _ = write!(
        spec,
        r#"  - name: {name}
    title: Tool {tool}
    module: group_{module:04}
    description: Finds records of kind {tool} that match a query, newest first, with the total number of matches.
    annotations: {{ readOnlyHint: true, idempotentHint: true, openWorldHint: false }}
    versions:
      - version: 1.0.0
        description: First release.
        deprecated:
          message: {name} 1.x is deprecated; `count` is now `limit` and `note` is now `comment` (3.0.0).
          since: 2026-01-15
          sunset: 2027-01-15
          successor: 3.0.0
{input_v1}{output}      - version: 2.0.0
        description: "`count` is renamed `limit`; results can be ordered."
        deprecated:
          message: {name} 2.x is deprecated; `note` is now `comment` (3.0.0).
          since: 2026-06-01
          successor: 3.0.0
        changes:
          request:
            - rename: {{ from: count, to: limit }}
            - add: {{ path: order, default: newest }}
{input_v2}{output}      - version: 3.0.0
        description: "`note` is renamed `comment`; `dryRun` is added."
        changes:
          request:
            - rename: {{ from: note, to: comment }}
            - add: {{ path: dryRun, default: false }}
{input_v3}{output}"#,
        input_v1 = input(tool, 1),
        input_v2 = input(tool, 2),
        input_v3 = input(tool, 3),
        output = output(tool),
    );
}

/// An input schema of about six properties: a required string, a bounded
/// integer, an enum, an array, a nested object and an optional string, plus
/// what later versions add.
fn input(tool: usize, version: u32) -> String {
    let (count, note) = match version {
        1 => ("count", "note"),
        2 => ("limit", "note"),
        _ => ("limit", "comment"),
    };
    let mut schema = format!(
        r#"        input:
          type: object
          required: [query]
          additionalProperties: false
          properties:
            query: {{ type: string, minLength: 1, description: Words to look for in records of kind {tool}. }}
            {count}: {{ type: integer, minimum: 1, maximum: 500, description: Most records to return. }}
            mode: {{ type: string, enum: [fast, balanced, thorough], description: How hard to look. }}
            tags: {{ type: array, items: {{ type: string, minLength: 1 }}, maxItems: 20, description: Only records with every one of these tags. }}
            window:
              type: object
              description: Only records created in this window (inclusive).
              additionalProperties: false
              properties:
                from: {{ type: string, format: date }}
                to: {{ type: string, format: date }}
                timezone: {{ type: string, description: IANA time zone of the dates. }}
            {note}: {{ type: string, maxLength: 500, description: Free text kept with the request. }}
"#
    );
    if version >= 2 {
        schema.push_str(
            "            order: { type: string, enum: [newest, oldest, relevance], description: Order of the records. }\n",
        );
    }
    if version >= 3 {
        schema.push_str(
            "            dryRun: { type: boolean, description: Check the request without running it. }\n",
        );
    }
    schema
}

/// A result schema of four properties, one an array of objects.
fn output(tool: usize) -> String {
    format!(
        r#"        output:
          type: object
          required: [total, records]
          properties:
            total: {{ type: integer, minimum: 0, description: Records of kind {tool} that match. }}
            records:
              type: array
              items:
                type: object
                required: [id, name]
                properties:
                  id: {{ type: string }}
                  name: {{ type: string }}
                  score: {{ type: number }}
            cursor: {{ type: string, description: Pass back to get the next page. }}
            partial: {{ type: boolean }}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_spec_is_valid_without_warnings() {
        let validated = mcpgen::compile(&synthetic_spec(TOOLS_PER_MODULE + 1), "synthetic.yaml")
            .unwrap_or_else(|errors| panic!("mcpgen refuses the synthetic spec: {errors:#?}"));
        assert_eq!(validated.ir.tools.len(), TOOLS_PER_MODULE + 1);
        assert!(validated.warnings.is_empty(), "{:#?}", validated.warnings);
    }
}
