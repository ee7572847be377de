//! What the terminal wants: how wide to wrap and whether to colour.

use std::io::IsTerminal;

/// Narrowest width wrapped to; below it text is left as it is.
pub(crate) const MIN_WIDTH: usize = 40;

/// The width to wrap the human report to: `COLUMNS` when set (a request, honoured even when
/// piped), else the terminal's width when standard output is one; `None` (no wrapping) when
/// piped, so that `grep` and files get whole lines.
pub(crate) fn report_width() -> Option<usize> {
    width_from(
        std::env::var("COLUMNS").ok().as_deref(),
        std::io::stdout().is_terminal(),
        || terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)),
    )
}

fn width_from(
    columns: Option<&str>,
    is_terminal: bool,
    terminal: impl FnOnce() -> Option<usize>,
) -> Option<usize> {
    let requested = columns.and_then(|c| c.trim().parse::<usize>().ok());
    let width = match requested {
        Some(w) if w > 0 => Some(w),
        _ if is_terminal => terminal(),
        _ => None,
    };
    width.map(|w| w.max(MIN_WIDTH))
}

/// Whether to write ANSI colour to standard output (a terminal, `NO_COLOR` unset, or forced
/// with `CLICOLOR_FORCE`), as anstream decides it.
pub(crate) fn colour_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_wins_then_the_terminal_then_none() {
        assert_eq!(width_from(Some("100"), false, || Some(80)), Some(100));
        assert_eq!(width_from(None, true, || Some(132)), Some(132));
        assert_eq!(width_from(Some("junk"), true, || Some(90)), Some(90));
        assert_eq!(width_from(None, false, || Some(80)), None);
        assert_eq!(width_from(Some("10"), false, || None), Some(MIN_WIDTH));
    }
}
