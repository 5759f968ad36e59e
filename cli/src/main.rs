//! The `mcpgen` binary.

fn main() -> std::process::ExitCode {
    mcpgen::commands::run()
}
