//! Presenters: render reports for people (terminal) or programs (JSON). Nothing else.

pub(crate) mod flow;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod json_line;
pub(crate) mod layout;
pub(crate) mod page;
pub(crate) mod term;
pub(crate) mod timeline;
