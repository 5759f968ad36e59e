//! The `ops` MCP server.

/// Written by `mcpgen generate`, which formats it itself: `rustfmt::skip`
/// keeps `cargo fmt` from changing it and tripping `mcpgen generate --check`.
#[rustfmt::skip]
mod generated;

mod handlers;

fn main() -> std::process::ExitCode {
    mcpgen_runtime::cli::main(generated::server(handlers::App::default()))
}
