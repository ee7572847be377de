use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = keyprobe::cli::args::Cli::parse();
    std::process::exit(keyprobe::cli::run::run(cli));
}
