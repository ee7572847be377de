//! Laying out an explanation page: prose wrapped to the width, command lines never broken.

use textwrap::{Options, WordSeparator, WordSplitter, WrapAlgorithm};

use super::layout::{display_width, Paint, BOLD, DIM};
use crate::catalogue::page::{Block, Page};

/// Pages read best no wider than this, whatever the terminal.
const MAX_PAGE_WIDTH: usize = 100;
/// Widest name column of an index.
const MAX_NAME_COLUMN: usize = 30;
/// Words that start a command line inside prose.
const COMMANDS: &[&str] = &["keyprobe ", "mock-sts ", "openssl ", "az ", "curl "];
/// Kept between the words of a command while wrapping: textwrap breaks at ASCII spaces only.
const GLUE: char = '\u{a0}';

/// The page as lines, wrapped to `width` (capped at 100 columns; `None` leaves lines whole).
pub(crate) fn render(page: &Page, width: Option<usize>, colour: bool) -> Vec<String> {
    let width = width.map(|w| w.min(MAX_PAGE_WIDTH));
    let p = Paint(colour);
    let mut out = vec![p.on(BOLD, &page.title)];
    let mut indent = "";
    for block in &page.blocks {
        match block {
            Block::Heading(h) => {
                out.push(String::new());
                out.push(p.on(BOLD, h));
                indent = "  ";
            }
            Block::Text(t) => wrap(&mut out, width, indent, indent, t),
            Block::Bullets(items) => {
                let rest = format!("{indent}  ");
                for item in items {
                    wrap(&mut out, width, &format!("{indent}- "), &rest, item);
                }
            }
            Block::Command(c) => out.push(format!("{indent}{c}")),
            Block::Pairs(pairs) => {
                let column = pairs
                    .iter()
                    .map(|(k, _)| display_width(k))
                    .max()
                    .unwrap_or(0)
                    .min(MAX_NAME_COLUMN);
                let rest = format!("{indent}{}", " ".repeat(column + 2));
                for (name, text) in pairs {
                    let gap = " ".repeat(column.saturating_sub(display_width(name)) + 2);
                    let start = out.len();
                    wrap(
                        &mut out,
                        width,
                        &format!("{indent}{name}{gap}"),
                        &rest,
                        text,
                    );
                    if let Some(line) = out.get_mut(start) {
                        if let Some(body) = line.strip_prefix(&format!("{indent}{name}")) {
                            *line = format!("{indent}{}{body}", p.on(DIM, name));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Wraps prose without ever breaking a command or a long word (a URL) across lines.
fn wrap(out: &mut Vec<String>, width: Option<usize>, first: &str, rest: &str, text: &str) {
    let glued = glue_commands(text);
    let Some(width) = width else {
        out.push(format!("{first}{text}"));
        return;
    };
    let options = Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        .word_separator(WordSeparator::AsciiSpace)
        .word_splitter(WordSplitter::NoHyphenation)
        .wrap_algorithm(WrapAlgorithm::FirstFit);
    out.extend(
        textwrap::wrap(&glued, options)
            .into_iter()
            .map(|l| l.replace(GLUE, " ").trim_end().to_string()),
    );
}

/// `text` with the spaces inside each command line (from `keyprobe `, `mock-sts `, … to the
/// end of the clause) replaced by [`GLUE`].
fn glue_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, _)) = COMMANDS
        .iter()
        .filter_map(|c| find_word(rest, c).map(|i| (i, c)))
        .min_by_key(|(i, _)| *i)
    {
        out.push_str(&rest[..start]);
        let span_end = clause_end(&rest[start..]) + start;
        out.push_str(&rest[start..span_end].replace(' ', &GLUE.to_string()));
        rest = &rest[span_end..];
    }
    out.push_str(rest);
    out
}

/// Where `word` starts `text` or follows a space or an opening mark.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word).map(|i| i + from) {
        let before = text[..i].chars().next_back();
        if before.is_none_or(|c| c == ' ' || c == '(' || c == '"' || c == '`' || c == '\'') {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// The end of a command inside prose: before `: `, `; `, `, `, `. `, ` (`, a closing
/// parenthesis or quote, or the text's final full stop.
fn clause_end(text: &str) -> usize {
    let delimiters = [": ", "; ", ", ", ". ", " (", ")", "\"", "`"];
    let mut end = delimiters
        .iter()
        .filter_map(|d| text.find(d))
        .min()
        .unwrap_or(text.len());
    if end == text.len() && text.ends_with('.') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_stay_on_one_line() {
        let mut page = Page::new("t");
        page.text("Confirm with keyprobe inspect TOKEN --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration: the evidence lists the keys, and mock-sts --scenario missing-signing-key reproduces it.");
        let lines = render(&page, Some(60), false);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("keyprobe inspect TOKEN --metadata https://login")),
            "{lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("mock-sts --scenario missing-signing-key")),
            "{lines:#?}"
        );
    }

    #[test]
    fn prose_wraps_and_pairs_align() {
        let mut page = Page::new("t");
        page.text("word ".repeat(40));
        page.blocks.push(Block::Pairs(vec![
            (
                "key-not-found".into(),
                "the input names its signing key and no trusted key matches".into(),
            ),
            ("alg-none".into(), "an unsecured JWS".into()),
        ]));
        let lines = render(&page, Some(50), false);
        assert!(lines.iter().all(|l| display_width(l) <= 50), "{lines:#?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("alg-none       an unsecured JWS")),
            "{lines:#?}"
        );
    }

    #[test]
    fn glue_ends_at_the_clause() {
        assert_eq!(
            glue_commands("run keyprobe explain x, then stop"),
            "run keyprobe\u{a0}explain\u{a0}x, then stop"
        );
        assert_eq!(glue_commands("no command here"), "no command here");
    }
}
