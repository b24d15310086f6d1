//! `factsheet init DIR`: a working starter site written from the binary itself.
//!
//! The theme (`templates/`), `static/` and the UI strings (`i18n/`) are this repository's own
//! folders, read at compile time, so a starter is always the theme this binary was built
//! with. Beside them it writes a commented `site.toml`, a `sources.toml` with one example
//! source and, in English and Ukrainian, the home page, one content page, the emergency
//! partial and the pages the theme links to (search, sources, print, handout): `src/init/starter/`.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostic::Diagnostic;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");
static I18N: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/i18n");
static STARTER: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/init/starter");

/// How long a page may go before its next review, from the day it was checked. The project's
/// own pages use six months (content/*.md).
const REVIEW_MONTHS: u32 = 6;

/// Write a starter site into `dir`, which must be empty or not exist yet. Returns the files
/// written, relative to `dir`, sorted.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    refuse_non_empty(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let today = crate::content::today();
    let next = review_after(&today);
    let mut written = Vec::new();
    for (folder, tree) in [
        ("templates", &TEMPLATES),
        ("static", &STATIC),
        ("i18n", &I18N),
    ] {
        for (rel, bytes) in files(tree) {
            let rel = Path::new(folder).join(rel);
            write(dir, &rel, bytes)?;
            written.push(rel);
        }
    }
    for (rel, bytes) in files(&STARTER) {
        // Not `.gitignore` in the source tree: git would apply it to this repository.
        let rel = if rel == Path::new("gitignore") {
            PathBuf::from(".gitignore")
        } else {
            rel.to_path_buf()
        };
        let text = String::from_utf8_lossy(bytes)
            .replace("{{TODAY}}", &today)
            .replace("{{NEXT_REVIEW}}", &next);
        write(dir, &rel, text.as_bytes())?;
        written.push(rel);
    }
    written.sort();
    Ok(written)
}

/// Every file of an embedded folder, with its path inside it.
fn files<'a>(dir: &'a Dir<'a>) -> Vec<(&'a Path, &'a [u8])> {
    let mut out = Vec::new();
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => out.extend(files(d)),
            include_dir::DirEntry::File(f) => out.push((f.path(), f.contents())),
        }
    }
    out
}

/// A starter must not mix with files already there: `init` in a project would overwrite the
/// editors' `site.toml` and pages.
fn refuse_non_empty(dir: &Path) -> Result<(), Diagnostic> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(());
            }
            Err(Diagnostic::error(format!(
                "{} is not empty: factsheet init writes a new site only into an empty folder",
                dir.display()
            ))
            .with_help("give a new folder: factsheet init my-factsheet"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(Diagnostic::error(format!(
            "{} is a file, not a folder",
            dir.display()
        ))
        .with_help("give a new folder: factsheet init my-factsheet")),
        Err(e) => Err(io_error(dir, &e)),
    }
}

fn write(dir: &Path, rel: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
    }
    std::fs::write(&path, bytes).map_err(|e| io_error(&path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write {}: {e}", path.display()))
}

/// The review date [`REVIEW_MONTHS`] after `today` (`YYYY-MM-DD`); a day that does not exist
/// in that month (31 August + 6 months) becomes the month's last day.
pub(crate) fn review_after(today: &str) -> String {
    chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.checked_add_months(chrono::Months::new(REVIEW_MONTHS)))
        .map_or_else(|| today.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_is_six_months_on() {
        assert_eq!(review_after("2026-12-07"), "2027-06-07");
        assert_eq!(review_after("2026-08-31"), "2027-02-28");
    }

    #[test]
    fn the_starter_holds_the_theme_and_every_string_file() {
        assert!(TEMPLATES.get_file("base.html").is_some());
        assert!(STATIC.get_file("style.css").is_some());
        assert!(I18N.get_file("en.toml").is_some() && I18N.get_file("uk.toml").is_some());
    }
}
