//! The `handoff` program: the command line of `handoff_cli`, on mimalloc.

// Parsing payloads into JSON trees allocates many small objects on every thread; mimalloc
// measured 20-30% faster than the system allocator here (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    handoff_cli::main()
}
