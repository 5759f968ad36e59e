//! The `mcpgen` binary.

// Generation allocates many small strings and trees; mimalloc makes that
// markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mcpgen::commands::run()
}
