//! Completion candidates that do not restrict what may be typed: `explain` takes any text, yet
//! shells should offer its codes.

use clap::builder::{PossibleValue, TypedValueParser};

/// Accepts any text for `explain` and offers every code and name it has a page for.
#[derive(Debug, Clone, Copy)]
pub(super) struct ExplainNames;

impl TypedValueParser for ExplainNames {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            crate::catalogue::known_codes()
                .into_iter()
                .map(PossibleValue::new),
        ))
    }
}
