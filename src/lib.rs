//! factsheet: a static site generator for bilingual patient fact sheets.
//!
//! The build is a pipeline: load config, load content, render, check links, write
//! ([`site::Site::load`], [`site::Site::render`], [`output::Staging::commit`]).

// A `Diagnostic` is large (message, file, snippet, help) but only travels on the error path,
// where its size costs nothing measurable; boxing it everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod content;
pub mod diagnostic;
pub(crate) mod fs;
pub mod links;
pub mod markdown;
pub mod output;
pub mod readability;
pub mod templates;
pub mod serve;
pub mod site;
pub mod urls;
pub mod watch;

use std::path::{Path, PathBuf};

use diagnostic::Diagnostics;
use site::{LoadOptions, Report, Site, Strictness};

/// Why a command failed: the site has problems, or the command was asked to do something
/// unsafe or impossible (a usage error).
#[derive(Debug)]
pub enum Failure {
    Content(Diagnostics),
    Usage(Diagnostics),
}

/// Build the site at `root` into `output` (default `root/public`), replacing the previous
/// output only if everything succeeded.
pub fn build(
    root: &Path,
    output: Option<&Path>,
    options: &LoadOptions,
) -> Result<(Report, PathBuf), Failure> {
    let output = output.map_or_else(|| root.join("public"), Path::to_path_buf);
    output::check_output_dir(root, &output).map_err(|d| Failure::Usage(d.into()))?;
    let site = Site::load(root, options).map_err(Failure::Content)?;
    let staging = output::Staging::new(&output).map_err(|d| Failure::Content(d.into()))?;
    let report = site
        .render(&staging.sink, Strictness::Build)
        .map_err(Failure::Content)?;
    staging.commit().map_err(|d| Failure::Content(d.into()))?;
    Ok((report, output))
}

/// Render everything in memory and run every check, writing nothing.
pub fn check(root: &Path, options: &LoadOptions) -> Result<Report, Diagnostics> {
    let site = Site::load(root, options)?;
    site.render(&output::NullSink, Strictness::Check)
}
