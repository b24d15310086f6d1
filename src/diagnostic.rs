//! Errors and warnings shown to editors, in the style of rustc and cargo:
//!
//! ```text
//! error: unknown front matter key `titel`
//!   --> content/risks.md:2:1
//!    |
//!  2 | titel = "Risks"
//!    | ^^^^^
//!    = help: did you mean `title`?
//! ```
//!
//! Every problem the build finds becomes a [`Diagnostic`]; the build collects as many as it
//! can before stopping so an editor can fix them in one pass.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Error,
    Warning,
    /// Not a problem: something the editor should know once (a language without word rules).
    Info,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A position in a source file, 1-based, with the text of that line for the snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// How many characters of the line to underline (at least 1).
    pub(crate) width: usize,
    pub(crate) line_text: String,
}

impl Location {
    /// The location of byte `offset` in `text`, underlining `len` bytes (clamped to the line).
    pub(crate) fn at(text: &str, offset: usize, len: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let line = text[..offset].matches('\n').count() + 1;
        let column = text[line_start..offset].chars().count() + 1;
        let end = floor_char_boundary(text, (offset + len).min(line_start + line_text.len()));
        let width = text[offset..end.max(offset)].chars().count().max(1);
        Location {
            line,
            column,
            width,
            line_text: line_text.to_string(),
        }
    }

    /// The location of the first occurrence of `needle` on a line of `text`, if any.
    pub(crate) fn find(text: &str, needle: &str) -> Option<Location> {
        text.find(needle)
            .map(|offset| Location::at(text, offset, needle.len()))
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub message: String,
    /// The file, relative to the project root where possible.
    pub(crate) file: Option<PathBuf>,
    pub(crate) location: Option<Location>,
    /// Text printed under the caret.
    pub(crate) label: Option<String>,
    pub(crate) help: Option<String>,
    /// Why a file could not be written into the output (`No space left on device`): a full
    /// disk fails every file after the first, so [`Diagnostics::merge_repeats`] tells each
    /// reason once.
    pub(crate) output_failure: Option<OutputFailure>,
}

/// A file the build could not write into the output, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputFailure {
    file: String,
    reason: String,
}

impl Diagnostic {
    /// `rel` (from the output root) could not be written: the output folder's problem, not
    /// any content file's.
    pub(crate) fn cannot_write(rel: &str, e: &std::io::Error) -> Self {
        Diagnostic {
            output_failure: Some(OutputFailure {
                file: rel.to_string(),
                reason: e.to_string(),
            }),
            ..Diagnostic::error(format!("cannot write {rel}: {e}"))
        }
    }

    pub(crate) fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            location: None,
            label: None,
            help: None,
            output_failure: None,
        }
    }

    pub(crate) fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub(crate) fn info(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error(message)
        }
    }

    pub(crate) fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub(crate) fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Point at byte `offset` (and `len` bytes) of `text`, the whole content of the file.
    pub(crate) fn at_offset(self, text: &str, offset: usize, len: usize) -> Self {
        self.at(Location::at(text, offset, len))
    }

    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// At most this many characters of a source line are echoed: a minified file or a 10 MB line
/// would otherwise flood the terminal. Longer lines show a window around the column.
const MAX_LINE_SHOWN: usize = 150;

impl Location {
    /// The line as shown under the file name: at most [`MAX_LINE_SHOWN`] characters around
    /// the column (`…` where it was cut), control characters made visible (a NUL is `␀`).
    /// Returns the text with the column and width of the underline in it.
    pub(crate) fn excerpt(&self) -> (String, usize, usize) {
        let total = self.line_text.chars().count();
        let col = self.column.saturating_sub(1).min(total);
        let (start, end) = if total <= MAX_LINE_SHOWN {
            (0, total)
        } else {
            let start = col.saturating_sub(MAX_LINE_SHOWN / 3);
            let end = (start + MAX_LINE_SHOWN).min(total);
            (end.saturating_sub(MAX_LINE_SHOWN), end)
        };
        let mut text = String::new();
        if start > 0 {
            text.push('…');
        }
        text.extend(
            self.line_text
                .chars()
                .skip(start)
                .take(end - start)
                .map(visible),
        );
        if end < total {
            text.push('…');
        }
        let column = col - start + 1 + usize::from(start > 0);
        let width = self.width.min(end.saturating_sub(col)).max(1);
        (text, column, width)
    }
}

/// Control characters as their Unicode pictures (U+2400...), so that they show, one column
/// wide, instead of acting on the terminal.
fn visible(c: char) -> char {
    match c as u32 {
        0x09 => c,
        n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        0x80..=0x9f => '\u{fffd}',
        _ => c,
    }
}

impl Diagnostic {
    /// The diagnostic with colours, as rustc shows it in a terminal. Print it through
    /// `anstream`, which drops the colours when the output is not a terminal (or `NO_COLOR`
    /// is set); `Display` gives the plain text.
    pub fn styled(&self) -> impl fmt::Display + '_ {
        Styled(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, colour: bool) -> fmt::Result {
        use anstyle::{AnsiColor, Style};
        let paint = |style: Style| if colour { style } else { Style::new() };
        let (word, accent) = match self.severity {
            Severity::Error => ("error", AnsiColor::BrightRed),
            Severity::Warning => ("warning", AnsiColor::BrightYellow),
            Severity::Info => ("info", AnsiColor::BrightGreen),
        };
        let accent = paint(Style::new().bold().fg_color(Some(accent.into())));
        let bold = paint(Style::new().bold());
        let blue = paint(
            Style::new()
                .bold()
                .fg_color(Some(AnsiColor::BrightBlue.into())),
        );
        writeln!(
            f,
            "{accent}{word}{accent:#}{bold}: {}{bold:#}",
            self.message
        )?;
        let gutter = self
            .location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(file) = &self.file {
            let file = file.display().to_string().replace('\\', "/");
            match &self.location {
                Some(l) => writeln!(f, "{pad}{blue}-->{blue:#} {file}:{}:{}", l.line, l.column)?,
                None => writeln!(f, "{pad}{blue}-->{blue:#} {file}")?,
            }
        }
        if let Some(l) = &self.location {
            let (text, column, width) = l.excerpt();
            writeln!(f, "{pad} {blue}|{blue:#}")?;
            writeln!(f, "{blue}{} |{blue:#} {text}", l.line)?;
            let caret_pad = " ".repeat(column - 1);
            let carets = "^".repeat(width);
            match &self.label {
                Some(label) => writeln!(
                    f,
                    "{pad} {blue}|{blue:#} {caret_pad}{accent}{carets} {label}{accent:#}"
                )?,
                None => writeln!(
                    f,
                    "{pad} {blue}|{blue:#} {caret_pad}{accent}{carets}{accent:#}"
                )?,
            }
        } else if let Some(label) = &self.label {
            writeln!(f, "{pad} {blue}={blue:#} {bold}note{bold:#}: {label}")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} {blue}={blue:#} {bold}help{bold:#}: {help}")?;
        }
        Ok(())
    }
}

struct Styled<'a>(&'a Diagnostic);

impl fmt::Display for Styled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, true)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// Everything that went wrong in one run; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub(crate) fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Split off the warnings, keeping the errors.
    pub(crate) fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let (warnings, errors) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|d| !d.is_error());
        self.0 = errors;
        warnings
    }

    /// Report each problem once: the same template error is met by every page that uses the
    /// template, and listing it 22 times hides everything else. Repeats differing only in
    /// which page was rendering ("while rendering ...") are merged into the first, which
    /// then says how many other pages met it.
    pub fn merge_repeats(&mut self) {
        const RENDERING: &str = "while rendering ";
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        let mut repeats: Vec<usize> = Vec::new();
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.0.len());
        // Files that could not be written for the same reason: the first, and how many more.
        let mut failures: std::collections::HashMap<String, (usize, usize)> = Default::default();
        for d in std::mem::take(&mut self.0) {
            if let Some(failure) = &d.output_failure {
                match failures.get_mut(&failure.reason) {
                    Some((_, more)) => *more += 1,
                    None => {
                        failures.insert(failure.reason.clone(), (kept.len(), 0));
                        repeats.push(0);
                        kept.push(d);
                    }
                }
                continue;
            }
            let label = d.label.as_deref().filter(|l| !l.starts_with(RENDERING));
            let key = format!(
                "{:?}\0{}\0{:?}\0{:?}\0{:?}\0{:?}",
                d.severity, d.message, d.file, d.location, label, d.help
            );
            match first.get(&key) {
                Some(&i) => repeats[i] += 1,
                None => {
                    first.insert(key, kept.len());
                    repeats.push(0);
                    kept.push(d);
                }
            }
        }
        for (d, n) in kept.iter_mut().zip(repeats) {
            if let Some(label) = d.label.as_mut().filter(|l| l.starts_with(RENDERING))
                && n > 0
            {
                let pages = if n == 1 { "page" } else { "pages" };
                label.push_str(&format!(" and {n} other {pages}"));
            }
        }
        for (i, more) in failures.into_values().filter(|&(_, more)| more > 0) {
            let d = &mut kept[i];
            if let Some(OutputFailure { file, reason }) = &d.output_failure {
                let files = if more == 1 { "file" } else { "files" };
                d.message = format!("cannot write {file} and {more} other {files}: {reason}");
            }
        }
        self.0 = kept;
    }

    /// `Err(self)` when any error was collected, so a stage can end with `diags.into_result()?`.
    pub(crate) fn into_result(self) -> Result<(), Diagnostics> {
        if self.has_errors() { Err(self) } else { Ok(()) }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The name of the closest candidate, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let (a, b) = (input.to_lowercase(), c.to_lowercase());
            let score =
                strsim::jaro_winkler(&a, &b).max(strsim::normalized_damerau_levenshtein(&a, &b));
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        // On a tie the first in alphabetical order, whatever order the candidates came in
        // (a hash set's differs from run to run).
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let text = "+++\ntitel = \"Risks\"\n+++\n";
        let d = Diagnostic::error("unknown front matter key `titel`")
            .in_file("content/risks.md")
            .at_offset(text, 4, 5)
            .with_help("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "error: unknown front matter key `titel`\n --> content/risks.md:2:1\n  |\n2 | titel = \"Risks\"\n  | ^^^^^\n  = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "## Ризики [@S99]\n";
        let offset = text.find("[@").unwrap();
        let l = Location::at(text, offset, 6);
        assert_eq!((l.line, l.column, l.width), (1, 11, 6));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}BAD{}", "a".repeat(5_000_000), "b".repeat(5_000_000));
        let d = Diagnostic::error("x")
            .in_file("content/big.md")
            .at_offset(&line, 5_000_000, 3);
        let shown = d.to_string();
        assert!(shown.len() < 1_000, "{} bytes", shown.len());
        let lines: Vec<&str> = shown.lines().collect();
        let text = lines[3].split_once(" | ").unwrap().1;
        let carets = lines[4].split_once(" | ").unwrap().1;
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        let at = carets.find('^').unwrap();
        assert_eq!(&text.chars().skip(at).take(3).collect::<String>(), "BAD");
        assert_eq!(carets.trim(), "^^^");
        assert!(
            lines[1].ends_with("content/big.md:1:5000001"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let d = Diagnostic::error("x").at_offset("a\0b\x1b[31m", 1, 1);
        assert!(d.to_string().contains("a\u{2400}b\u{241b}[31m"), "{d}");
    }

    #[test]
    fn colours_only_when_asked() {
        let d = Diagnostic::error("bad").in_file("a.md").with_help("fix it");
        assert!(!d.to_string().contains('\x1b'));
        let styled = d.styled().to_string();
        assert!(styled.contains("\x1b["), "{styled:?}");
        assert_eq!(
            anstream::adapter::strip_str(&styled).to_string(),
            d.to_string()
        );
    }

    #[test]
    fn repeats_are_reported_once() {
        let e = |page: &str| {
            Diagnostic::error("template error: x")
                .in_file("templates/page.html")
                .with_label(format!("while rendering {page}"))
        };
        let mut d = Diagnostics(vec![
            e("content/a.md"),
            Diagnostic::error("other"),
            e("content/b.md"),
            e("content/c.md"),
            Diagnostic::error("other"),
        ]);
        d.merge_repeats();
        assert_eq!(d.0.len(), 2);
        assert_eq!(
            d.0[0].label.as_deref(),
            Some("while rendering content/a.md and 2 other pages")
        );
    }

    #[test]
    fn a_full_disk_is_told_once_for_all_the_files_it_stopped() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let mut d = Diagnostics(vec![
            Diagnostic::cannot_write("risks/index.html", &full),
            Diagnostic::cannot_write("uk/risks/index.html", &full),
            Diagnostic::error("unknown source `S9`"),
            Diagnostic::cannot_write("style.css", &denied),
            Diagnostic::cannot_write("index.html", &full),
        ]);
        d.merge_repeats();
        let messages: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                format!("cannot write risks/index.html and 2 other files: {full}").as_str(),
                "unknown source `S9`",
                &format!("cannot write style.css: {denied}"),
            ]
        );
        assert_eq!(
            d.0[0].file, None,
            "a full disk is not a content file's fault"
        );
    }

    #[test]
    fn suggests_near_names_only() {
        let keys = ["title", "description", "weight"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }

    /// Sources come from a hash set, whose order changes from run to run: the suggestion
    /// must not.
    #[test]
    fn a_tie_suggests_the_same_name_in_any_order() {
        assert_eq!(did_you_mean("S10", ["S11", "S12"]), Some("S11"));
        assert_eq!(did_you_mean("S10", ["S12", "S11"]), Some("S11"));
    }
}
