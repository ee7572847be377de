//! The `keyprobe` command line: flags (args), input gathering (sources), and running (run).

pub mod args;
pub mod complete;
pub mod man;
pub mod paste;
pub mod run;
pub mod sources;
