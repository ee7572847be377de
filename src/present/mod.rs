//! Presenters: render reports for people (terminal) or programs (JSON). Nothing else.

pub mod human;
pub mod json;
pub mod timeline;
