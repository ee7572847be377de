use clap::Parser;

fn main() {
    let cli = keyprobe::cli::args::Cli::parse();
    std::process::exit(keyprobe::cli::run::run(cli));
}
