//! Reading the project's files: text that must be UTF-8, I/O errors in words an editor
//! understands, which files are editors' and systems' litter, and one sorted walk of a folder.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};

/// Read `abs` as UTF-8 text; errors name `rel` (the path relative to the project root) and
/// point at the first byte that is not UTF-8.
pub(crate) fn read_utf8(abs: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(abs).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read {}: {}",
            rel.display(),
            io_reason(abs, &e)
        ))
        .in_file(rel)
    })?;
    // simdutf8 checks Cyrillic text about ten times faster than the standard library, whose
    // fast path is for ASCII only: copying the checked text costs less than std's check.
    // The read of every page (twice: to load, then to render) was 2.8 % of a build's
    // instructions (callgrind, 100 pages per language).
    if let Ok(text) = simdutf8::basic::from_utf8(&bytes) {
        return Ok(text.to_owned());
    }
    // std's error says where the first bad byte is.
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let text = String::from_utf8_lossy(&bytes[..valid]).into_owned();
        let mut d = Diagnostic::error("file is not valid UTF-8 text")
            .in_file(rel)
            .with_help("save the file with UTF-8 encoding");
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        let line_end = bytes[valid..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| valid + p);
        let line_text = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
        d = d.at(Location {
            line: text.matches('\n').count() + 1,
            column: text[line_start..].chars().count() + 1,
            width: 1,
            line_text,
        });
        d.with_label("invalid byte here")
    })
}

/// Why reading `path` failed, in plain words where the operating system's are obscure.
fn io_reason(path: &Path, e: &std::io::Error) -> String {
    let dangling = e.kind() == std::io::ErrorKind::NotFound
        && path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
    if dangling {
        return "it is a symbolic link to a file that does not exist".into();
    }
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

/// Editor swap, backup and system files that are never part of the site.
pub(crate) fn is_ignored_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913" // vim's write test file
        // Word's lock file beside an open document: `~$risks.md` (a `.md` name, but never a page)
        || name.starts_with("~$")
}

/// A file found by [`walk`].
pub(crate) struct Found {
    /// Relative to the folder walked, with `/` separators: `css/print.css`.
    pub(crate) name: String,
    pub(crate) path: PathBuf,
}

/// Folders of version control systems: never part of a site, whatever else is published.
pub(crate) const VCS_FOLDERS: &[&str] = &[".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj"];

/// Hidden files and folders (`.name`) that a walk keeps, by path relative to the folder
/// walked (`.well-known`, `.nojekyll`).
pub(crate) type KeepHidden<'a> = &'a dyn Fn(&str) -> bool;

/// Keeps no hidden file or folder.
pub(crate) fn no_hidden(_: &str) -> bool {
    false
}

/// Every file under `root/dir`, following symbolic links that stay in the project, sorted by
/// path, without ignored files, version control folders, or hidden files and folders other
/// than those `keep_hidden` names. Problems (an unreadable folder, a link loop, a link out
/// of the project) go to `diags` and the walk goes on, so that every problem is reported at
/// once.
pub(crate) fn walk(
    root: &Path,
    dir: &str,
    keep_hidden: KeepHidden,
    diags: &mut Diagnostics,
) -> Vec<Found> {
    let base = root.join(dir);
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut found = Vec::new();
    let relative = |path: &Path| -> String {
        path.strip_prefix(&base)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let kept = |path: &Path| keep_hidden(&relative(path));
    let mut entries = walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(VCS_FOLDERS.contains(&name.as_ref())
                    || (e.file_type().is_dir() && name.starts_with('.') && !kept(e.path())))
        });
    while let Some(entry) = entries.next() {
        if let Ok(e) = &entry
            && e.path_is_symlink()
            && !(e.file_type().is_file() && is_ignored_file(&e.file_name().to_string_lossy()))
            && let Some(d) = link_leaving(root, &canonical_root, e.path())
        {
            diags.push(d);
            if e.file_type().is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if is_ignored_file(&e.file_name().to_string_lossy()) && !kept(e.path()) {
                    continue;
                }
                let name = relative(e.path());
                found.push(Found {
                    name,
                    path: e.into_path(),
                });
            }
            Ok(_) => {}
            Err(e) => diags.push(walk_error(root, dir, &e)),
        }
    }
    found
}

/// An error when `path` is a symbolic link whose target is outside the project (`root`, and
/// `canonical_root` its canonical form), naming the link and its target: the build would
/// publish what it points at (`static/env.txt -> /proc/self/environ` put the build's
/// environment, CI secrets included, on the site). Links within the project are fine.
pub(crate) fn link_leaving(root: &Path, canonical_root: &Path, path: &Path) -> Option<Diagnostic> {
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return None;
    }
    // A dangling link has no target to publish: reading it reports it.
    let target = path.canonicalize().ok()?;
    if target.starts_with(canonical_root) {
        return None;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let written = std::fs::read_link(path).unwrap_or_else(|_| target.clone());
    let shown = if written == target {
        target.display().to_string()
    } else {
        format!("{} ({})", written.display(), target.display())
    };
    Some(
        Diagnostic::error(format!(
            "{} is a symbolic link to {shown}, outside the project",
            rel.display(),
        ))
        .in_file(rel)
        .with_help("copy what it points at into the project, or remove the link: the build would publish it"),
    )
}

fn walk_error(root: &Path, dir: &str, e: &walkdir::Error) -> Diagnostic {
    let path = e
        .path()
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
        .unwrap_or_else(|| PathBuf::from(dir));
    if let Some(ancestor) = e.loop_ancestor() {
        let ancestor = ancestor.strip_prefix(root).unwrap_or(ancestor);
        return Diagnostic::error(format!(
            "symbolic link loop: {} points back to {}",
            path.display(),
            ancestor.display()
        ))
        .in_file(&path)
        .with_help("remove the link, or point it outside its own folder");
    }
    let reason = match (e.io_error(), e.path()) {
        (Some(io), Some(p)) => io_reason(p, io),
        _ => e.to_string(),
    };
    Diagnostic::error(format!("cannot read {}: {reason}", path.display())).in_file(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".risks.md.swp",
            "risks.md~",
            "#risks.md#",
            "4913",
            ".DS_Store",
            "~$risks.md",
            ".~lock.risks.md#",
        ] {
            assert!(is_ignored_file(name), "{name}");
        }
        assert!(!is_ignored_file("risks.md"));
    }
}
