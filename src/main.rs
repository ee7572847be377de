#![forbid(unsafe_code)]
// Library and binary code never unwraps or expects: input is hostile and a panic is a crash (tests may).
#![deny(clippy::unwrap_used, clippy::expect_used)]

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = keyprobe::cli::Cli::parse();
    std::process::exit(keyprobe::cli::run(cli));
}
