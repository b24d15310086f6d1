use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use factsheet::diagnostic::Diagnostic;
use factsheet::site::LoadOptions;
use factsheet::{Failure, build, check};

// A build allocates many small values from both cores at once (template contexts, link data);
// mimalloc makes that 20-30 % faster than glibc's malloc. Measured in BENCHMARKS.md, with
// the memory it costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A static site generator for bilingual patient fact sheets.
#[derive(Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/).
    Build {
        /// The project folder (with site.toml, content/, templates/, static/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; replaced only when the build succeeds.
        #[arg(long, short)]
        output_dir: Option<PathBuf>,
        /// Override site.toml's base_url (used only for canonical, hreflang and sitemap URLs).
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Print only errors: no warnings, no summary.
        #[arg(long, short)]
        quiet: bool,
        /// Write a copy to open from files, without a web server (a USB stick, a phone): links
        /// point at `index.html` files. Default output folder: public-offline/.
        #[arg(long)]
        offline: bool,
    },
    /// Render the whole site in memory and run every check, writing nothing.
    Check {
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Override site.toml's base_url.
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Print only errors: no warnings, no summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Build the site into memory, serve it over HTTP, and rebuild and reload the open pages
    /// on every change to the project.
    Serve {
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; 127.0.0.1 keeps the site on this computer.
        #[arg(long, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the web browser.
        #[arg(long)]
        open: bool,
        /// Look for changes by scanning the files, for file systems that do not report changes
        /// (network drives, some containers and virtual machines).
        #[arg(long)]
        poll: bool,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output_dir,
            base_url,
            drafts,
            quiet,
            offline,
        } => {
            let start = Instant::now();
            // Only a folder that holds a build can be "left as it was" when this one fails.
            let had_output = factsheet::output_dir(&root, output_dir.as_deref(), offline)
                .join(factsheet::output::MARKER)
                .is_file();
            let options = LoadOptions {
                base_url,
                drafts,
                offline,
                live: false,
            };
            match build(&root, output_dir.as_deref(), &options) {
                Ok(_) if quiet => ExitCode::SUCCESS,
                Ok((report, output)) => {
                    print_diagnostics(&report.warnings);
                    println!(
                        "Built {} in {} ms -> {}",
                        report.summary(),
                        start.elapsed().as_millis(),
                        output.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(failure) => fail(&failure, "build", quiet, had_output),
            }
        }
        Command::Check {
            root,
            base_url,
            drafts,
            quiet,
        } => {
            let options = LoadOptions {
                base_url,
                drafts,
                offline: false,
                live: false,
            };
            match check(&root, &options) {
                Ok(_) if quiet => ExitCode::SUCCESS,
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    println!("Checked {}: no problems found", report.summary());
                    ExitCode::SUCCESS
                }
                Err(failure) => fail(&failure, "check", quiet, false),
            }
        }
        Command::Serve {
            root,
            interface,
            port,
            open,
            poll,
            drafts,
        } => {
            let options = factsheet::serve::ServeOptions {
                root,
                interface,
                port,
                open,
                poll,
                drafts,
            };
            match factsheet::serve::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                // A port in use or a wrong folder: the message says all; "could not serve
                // the site: 1 error" after it would only repeat it.
                Err(failure @ factsheet::Failure::Usage(_)) => {
                    print_diagnostics(&failure.diagnostics().0);
                    ExitCode::from(failure.exit_code())
                }
                Err(failure) => fail(&failure, "serve", false, false),
            }
        }
    }
}

/// In colour on a terminal; anstream drops the colours when stderr is a file or a pipe, or
/// when NO_COLOR is set.
fn print_diagnostics(list: &[Diagnostic]) {
    for d in list {
        anstream::eprintln!("{}", d.styled());
    }
}

/// Print the errors (and, with `quiet`, nothing else: the warnings go) and the closing line,
/// which says the previous build is still there when there is one (`kept_output`).
fn fail(failure: &Failure, command: &str, quiet: bool, kept_output: bool) -> ExitCode {
    let diags = failure.diagnostics();
    let shown: Vec<Diagnostic> = diags
        .0
        .iter()
        .filter(|d| !quiet || d.is_error())
        .cloned()
        .collect();
    print_diagnostics(&shown);
    let n = diags.error_count();
    let s = if n == 1 { "" } else { "s" };
    let kept = if kept_output {
        "; the previous output was left as it was"
    } else {
        ""
    };
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::BrightRed.into()));
    anstream::eprintln!("{red}error{red:#}: could not {command} the site: {n} error{s}{kept}");
    ExitCode::from(failure.exit_code())
}
