//! Presenters: render reports for people (terminal) or programs (JSON). Nothing else.

pub(crate) mod flow;
pub mod human;
pub mod json;
pub(crate) mod layout;
pub mod page;
pub mod term;
pub mod timeline;
