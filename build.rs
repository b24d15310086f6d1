//! Puts the commit into `--version`: "0.1.0 (commit 5ae82c6, 2026-12-07)". Built from a
//! tarball without git, the version is the bare package version; FACTSHEET_COMMIT set in the
//! environment (a packager's build) is used as it is.

use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    println!("cargo:rerun-if-env-changed=FACTSHEET_COMMIT");
    // include_dir (src/init.rs) sees changes to the files it embeds, not files added to or
    // removed from these folders: a folder's time changes when its entries do.
    for dir in [
        "templates",
        "static",
        "i18n",
        "src/init/starter",
        "src/init/starter/content",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    let commit = std::env::var("FACTSHEET_COMMIT").ok().or_else(|| {
        for path in ["HEAD", "refs/heads", "packed-refs"] {
            if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        git(&["log", "-1", "--format=%h, %cs"])
    });
    let full = match commit {
        Some(c) if !c.is_empty() => format!("{version} (commit {c})"),
        _ => version.to_string(),
    };
    println!("cargo:rustc-env=FACTSHEET_VERSION={full}");
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
