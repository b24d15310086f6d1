//! factsheet: a static site generator for bilingual patient fact sheets.
//!
//! The build is a pipeline: load config, load content, render, check links, write
//! ([`site::Site::load`], [`site::Site::render`], `output::Staging::commit`).
//!
//! The public surface is what the binary, the tests and the examples use; everything else is
//! `pub(crate)`.

// Keeps that true: a `pub` item that no path outside the crate reaches is flagged, so that
// `pub` means part of the surface.
#![warn(unreachable_pub)]
// A `Diagnostic` is large (message, file, snippet, help) but only travels on the error path,
// where its size costs nothing measurable; boxing it everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub(crate) mod callouts;
pub(crate) mod config;
pub mod content;
pub mod diagnostic;
pub mod diagnostic_format;
pub(crate) mod fs;
pub(crate) mod glossary;
pub mod init;
pub(crate) mod languages;
pub(crate) mod letters;
pub(crate) mod links;
pub mod markdown;
pub mod new_page;
pub(crate) mod offline;
pub mod output;
pub(crate) mod page_kind;
pub(crate) mod phones;
pub(crate) mod readability;
pub(crate) mod search;
pub mod serve;
pub mod site;
pub(crate) mod templates;
pub(crate) mod terms;
pub(crate) mod theme_pages;
pub(crate) mod urls;
pub mod zip_output;

use std::path::{Path, PathBuf};

use diagnostic::Diagnostics;
use site::{LoadOptions, Report, Site, Strictness};

/// Why a command (`build`, `check`, `serve`) failed; `main` prints the diagnostics and exits
/// with the code.
#[derive(Debug)]
pub enum Failure {
    /// The site has problems, or the command failed while it ran: exit 1.
    Failed(Diagnostics),
    /// The command was asked to do something unsafe or impossible (an output folder it must
    /// not replace, a port in use): exit 2.
    Usage(Diagnostics),
}

impl Failure {
    pub(crate) fn failed(d: impl Into<Diagnostics>) -> Failure {
        Failure::Failed(d.into())
    }

    pub(crate) fn usage(d: impl Into<Diagnostics>) -> Failure {
        Failure::Usage(d.into())
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            Failure::Failed(d) | Failure::Usage(d) => d,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Failed(_) => 1,
            Failure::Usage(_) => 2,
        }
    }
}

/// Build the site at `root` into `output` (default `root/public`, or `root/public-offline`
/// for an offline copy), replacing the previous output only if everything succeeded.
pub fn build(
    root: &Path,
    output: Option<&Path>,
    options: &LoadOptions,
) -> Result<(Report, PathBuf), Failure> {
    config::check_project(root).map_err(Failure::usage)?;
    check_base_url_option(options)?;
    content::check_today_env().map_err(Failure::usage)?;
    let output = output_dir(root, output, options.offline);
    let real = output::check_output_dir(root, &output).map_err(Failure::usage)?;
    let site = Site::load(root, options).map_err(Failure::Failed)?;
    let staging = output::Staging::new(&real).map_err(Failure::failed)?;
    let mut report = site
        .render(&staging.sink, Strictness::Build)
        .map_err(Failure::Failed)?;
    output::test_pause_before_commit();
    report
        .warnings
        .extend(staging.commit().map_err(Failure::failed)?);
    Ok((report, output))
}

/// `--base-url` is the command line's: a bad one is a usage error (exit 2), not the site's.
fn check_base_url_option(options: &LoadOptions) -> Result<(), Failure> {
    let Some(url) = &options.base_url else {
        return Ok(());
    };
    let slashed = if url.ends_with('/') {
        url.clone()
    } else {
        format!("{url}/")
    };
    match config::base_url_problem(&slashed) {
        None => Ok(()),
        Some(why) => Err(Failure::usage(
            diagnostic::Diagnostic::error(format!(
                "--base-url must be an absolute http(s) URL, not `{url}`: {why}"
            ))
            .with_help("e.g. --base-url https://example.org/factsheet/"),
        )),
    }
}

/// The folder `build` writes to: `output` as given (relative to the current folder), or by
/// default `public/` (`public-offline/` for an offline copy) in the project folder.
pub fn output_dir(root: &Path, output: Option<&Path>, offline: bool) -> PathBuf {
    let default = if offline { "public-offline" } else { "public" };
    output.map_or_else(|| root.join(default), Path::to_path_buf)
}

/// Render everything in memory and run every check, writing nothing.
pub fn check(root: &Path, options: &LoadOptions) -> Result<Report, Failure> {
    config::check_project(root).map_err(Failure::usage)?;
    check_base_url_option(options)?;
    content::check_today_env().map_err(Failure::usage)?;
    let site = Site::load(root, options).map_err(Failure::Failed)?;
    site.render(&output::NullSink, Strictness::Check)
        .map_err(Failure::Failed)
}
