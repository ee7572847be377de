//! An explanation page as data: a title and blocks of prose, lists and command lines. The
//! catalogue writes pages; `present::page` lays them out (wrapped to the terminal, commands
//! never broken).

/// One part of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph, wrapped; command lines inside it (`keyprobe …`, `mock-sts …`) are kept
    /// on one line.
    Text(String),
    /// A list, one item per entry, each wrapped with a hanging indent.
    Bullets(Vec<String>),
    /// A command line, shown as it is to be typed: never wrapped.
    Command(String),
    /// Name/description pairs (the `--list` index).
    Pairs(Vec<(String, String)>),
}

/// A page for `keyprobe explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Page {
    pub fn new(title: impl Into<String>) -> Self {
        Page {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub fn heading(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Text(text.into()));
        self
    }

    pub fn bullets<I, S>(&mut self, items: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let items: Vec<String> = items.into_iter().map(Into::into).collect();
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
        self
    }

    pub fn command(&mut self, line: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Command(line.into()));
        self
    }

    /// Every block of `other` after this page's own, its title as a heading.
    pub fn append(&mut self, other: Page) -> &mut Self {
        self.blocks.push(Block::Heading(other.title));
        self.blocks.extend(other.blocks);
        self
    }

    /// The page as plain text without wrapping (the local page's explanations, tests).
    pub fn plain(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for block in &self.blocks {
            match block {
                Block::Heading(h) => out.push_str(&format!("\n{h}\n")),
                Block::Text(t) => out.push_str(&format!("{t}\n")),
                Block::Bullets(items) => {
                    for i in items {
                        out.push_str(&format!("  - {i}\n"));
                    }
                }
                Block::Command(c) => out.push_str(&format!("  {c}\n")),
                Block::Pairs(pairs) => {
                    for (k, v) in pairs {
                        out.push_str(&format!("  {k}  {v}\n"));
                    }
                }
            }
        }
        out
    }
}
