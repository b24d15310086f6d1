//! `build --zip FILE`: the built folder packed into one zip file, the offline copy for a USB
//! stick or a download link. Entries are sorted and carry no clock time, so the same build
//! gives the same bytes.

use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::diagnostic::{Diagnostic, Diagnostics};

/// Pack every file under `folder` into `file`, inside one top folder named after the zip
/// (`factsheet.zip` unpacks to `factsheet/`). The zip is written beside its final place and
/// renamed, so a failure leaves no half-written file.
pub fn zip_folder(folder: &Path, file: &Path) -> Result<(), Diagnostics> {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> Diagnostics {
        Diagnostic::error(format!("cannot write {}: {what}: {e}", file.display())).into()
    };
    if let (Ok(out), Some(parent)) = (folder.canonicalize(), file.parent()) {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if parent.canonicalize().is_ok_and(|p| p.starts_with(&out)) {
            return Err(Diagnostic::error(format!(
                "the zip file {} would be inside the output folder {}, which the next build replaces",
                file.display(),
                folder.display()
            ))
            .with_help("write it somewhere else, e.g. --zip factsheet-offline.zip")
            .into());
        }
    }
    let top = file
        .file_stem()
        .map_or_else(|| "site".into(), |s| s.to_string_lossy().into_owned());
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| fail("a temporary file", &e))?;
    let mut zip = zip::ZipWriter::new(tmp);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| fail("reading the output", &e))?;
    entries.retain(|e| e.file_type().is_file());
    for entry in entries {
        let rel = entry.path().strip_prefix(folder).unwrap_or(entry.path());
        let name = format!("{top}/{}", rel.to_string_lossy().replace('\\', "/"));
        if name.ends_with(crate::output::MARKER) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| fail("reading the output", &e))?;
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(&bytes).map_err(Into::into))
            .map_err(|e| fail("packing", &e))?;
    }
    let tmp = zip.finish().map_err(|e| fail("packing", &e))?;
    tmp.persist(file).map_err(|e| fail("saving", &e.error))?;
    Ok(())
}
