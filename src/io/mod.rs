//! Files in and out: model JSON, CSV tables, and atomic output files.

pub(crate) mod atomic;
#[cfg(feature = "cli")]
pub(crate) mod columns;
#[cfg(feature = "cli")]
pub(crate) mod csv_records;
#[cfg(feature = "cli")]
pub(crate) mod csv_split;
#[cfg(feature = "cli")]
pub(crate) mod table_reader;
#[cfg(feature = "cli")]
pub(crate) mod table_writer;

/// Where a table comes from or goes to: a file, or `-` for stdin / stdout.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Std,
    Path(std::path::PathBuf),
}

#[cfg(feature = "cli")]
impl Endpoint {
    /// `-` means stdin / stdout; anything else is a path.
    pub fn parse(text: &str) -> Self {
        if text == "-" {
            Endpoint::Std
        } else {
            Endpoint::Path(text.into())
        }
    }

    /// The name used in error messages.
    pub fn label(&self, std_name: &str) -> String {
        match self {
            Endpoint::Std => std_name.to_string(),
            Endpoint::Path(p) => p.display().to_string(),
        }
    }
}

/// The longest part of a cell or column name shown in a message, in characters.
#[cfg(feature = "cli")]
const SHOWN_CHARS: usize = 80;

/// The first [`SHOWN_CHARS`] characters of `text` (invalid UTF-8 shown as U+FFFD), and its
/// length in bytes when that is not all of it. Only the shown bytes are decoded.
#[cfg(feature = "cli")]
fn shorten(text: &[u8]) -> (String, Option<usize>) {
    // At most 4 bytes per character.
    let head = &text[..text.len().min(4 * SHOWN_CHARS)];
    let decoded = String::from_utf8_lossy(head);
    match decoded.char_indices().nth(SHOWN_CHARS) {
        None if head.len() == text.len() => (decoded.into_owned(), None),
        cut => {
            let end = cut.map_or(decoded.len(), |(i, _)| i);
            (decoded[..end].to_string(), Some(text.len()))
        }
    }
}

/// `text` quoted for an error message: at most 80 characters, then `... (N bytes)` when
/// cut, so that a 1 GB cell gives a one-line message.
#[cfg(feature = "cli")]
pub(crate) fn quote(text: &[u8]) -> String {
    match shorten(text) {
        (shown, None) => format!("{shown:?}"),
        (shown, Some(len)) => format!("{shown:?}... ({len} bytes)"),
    }
}

/// A list of names for a message: the first ten, each cut to 80 characters, then how many
/// more there are.
#[cfg(feature = "cli")]
pub(crate) fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    const SHOWN: usize = 10;
    let mut text = names
        .iter()
        .take(SHOWN)
        .map(|n| match shorten(n.as_ref().as_bytes()) {
            (shown, None) => shown,
            (shown, Some(len)) => format!("{shown}... ({len} bytes)"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text += &format!(" and {} more", names.len() - SHOWN);
    }
    text
}
