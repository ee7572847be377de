//! Entra's AADSTS texts for the fixtures, taken from keyprobe-core's catalogue, so that a fixture
//! says what mock-sts says and what keyprobe explains, from one table.

use keyprobe_core::aadsts::AadCode;

/// `AADSTSnnnnn: ` and the catalogue's text for `code`, every placeholder filled from `args`.
pub fn aadsts(code: AadCode, args: &[(&str, &str)]) -> Result<String, Box<dyn std::error::Error>> {
    let entry = code.entry();
    let mut text = entry.template.to_string();
    for param in entry.params {
        let value = args
            .iter()
            .find(|(name, _)| name == param)
            .map(|(_, value)| *value)
            .ok_or_else(|| format!("AADSTS{}: no value for {{{param}}}", entry.number))?;
        text = text.replace(&format!("{{{param}}}"), value);
    }
    Ok(format!("AADSTS{}: {text}", entry.number))
}
