//! The `keyprobe` command line: flags (args), input gathering (sources), and running (run).

mod args;
mod batch;
mod complete;
mod man;
mod paste;
mod run;
mod sources;

pub use args::Cli;
pub use run::run;
