//! The `factsheet` command line: parses the arguments (clap), runs one command of the
//! library, prints its problems as text, JSON or GitHub annotations, and sets the exit code
//! (0 done, 1 the site has errors, 2 the command was used wrongly).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, CommandFactory, Parser, Subcommand};
use factsheet::diagnostic::Diagnostic;
use factsheet::diagnostic_format::{self, Format};
use factsheet::site::LoadOptions;
use factsheet::{Failure, build, check};

// A build allocates many small values from both cores at once (template contexts, link data);
// mimalloc makes that 20-30 % faster than glibc's malloc. Measured in BENCHMARKS.md, with
// the memory it costs. Its `no_thp` feature (Cargo.toml) keeps it from asking Linux for
// transparent huge pages: each 2 MiB page it touched counted whole in the peak memory
// (10,000 pages per language: 304-317 MiB with them, 283-302 without, no slower;
// BENCHMARKS.md "Eighth round").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// "0.1.0 (commit 5ae82c6, 2026-12-07)", or the bare version when built without git (a
/// tarball): build.rs.
const VERSION: &str = env!("FACTSHEET_VERSION");

/// A static site generator for bilingual patient fact sheets.
#[derive(Parser)]
#[command(version = VERSION, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/).
    Build(BuildArgs),
    /// Render the whole site in memory and run every check, writing nothing.
    Check(SiteArgs),
    /// Write a new starter site (theme, strings, example pages in English and Ukrainian)
    /// into DIR, which must be empty or not exist yet.
    Init {
        /// The folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write a new page, content/SLUG.md, and its twin in every other language, as drafts.
    New {
        /// The page's name, which is its web address: side-effects, or topics/side-effects.
        slug: String,
        /// page (an ordinary page), search, sources or print.
        #[arg(long, default_value = "page")]
        kind: String,
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print a completion script for a shell: factsheet completions bash > factsheet.bash
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Build the site into memory, serve it over HTTP, and rebuild and reload the open pages
    /// on every change to the project.
    Serve(ServeArgs),
}

/// What `build` and `check` both take: which site, rendered how, and how problems are shown.
#[derive(Args)]
struct SiteArgs {
    /// The project folder (with site.toml, content/, templates/, static/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Override site.toml's base_url (used only for canonical, hreflang and sitemap URLs).
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    drafts: bool,
    /// Print only errors: no warnings, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// How to print problems: text for people, json or github for CI.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

impl SiteArgs {
    fn load_options(&self, offline: bool) -> LoadOptions {
        LoadOptions {
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            offline,
            live: false,
        }
    }
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site; replaced only when the build succeeds.
    #[arg(long, short)]
    output_dir: Option<PathBuf>,
    /// Write a copy to open from files, without a web server (a USB stick, a phone): links
    /// point at `index.html` files. Default output folder: public-offline/.
    #[arg(long)]
    offline: bool,
    /// Also pack the output into this zip file (with --offline: the one-file copy for a
    /// USB stick or a download link). Written only when the build succeeds.
    #[arg(long, value_name = "FILE")]
    zip: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
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
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(&args),
        Command::Init { dir } => run_init(&dir),
        Command::New { slug, kind, root } => run_new(&root, &slug, &kind),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "factsheet",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Serve(args) => run_serve(args),
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let BuildArgs {
        site,
        output_dir,
        offline,
        zip,
    } = args;
    let start = Instant::now();
    // Only a folder that holds a build can be "left as it was" when this one fails.
    let had_output = factsheet::output_dir(&site.root, output_dir.as_deref(), offline)
        .join(factsheet::output::MARKER)
        .is_file();
    let options = site.load_options(offline);
    let built = build(&site.root, output_dir.as_deref(), &options).and_then(|(r, out)| {
        if let Some(zip) = &zip {
            factsheet::zip_output::zip_folder(&out, zip).map_err(Failure::Failed)?;
        }
        Ok((r, out))
    });
    match built {
        Ok(_) if site.quiet => ExitCode::SUCCESS,
        Ok((report, output)) => {
            print_diagnostics(&report.warnings, site.format);
            let zipped = zip
                .map(|z| format!(" and {}", z.display()))
                .unwrap_or_default();
            summary(
                site.format,
                &format!(
                    "Built {} in {} ms -> {}{zipped}",
                    report.summary(),
                    start.elapsed().as_millis(),
                    output.display()
                ),
            );
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, "build", site.quiet, had_output, site.format),
    }
}

fn run_check(site: &SiteArgs) -> ExitCode {
    match check(&site.root, &site.load_options(false)) {
        Ok(_) if site.quiet => ExitCode::SUCCESS,
        Ok(report) => {
            print_diagnostics(&report.warnings, site.format);
            summary(
                site.format,
                &format!("Checked {}: no problems found", report.summary()),
            );
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, "check", site.quiet, false, site.format),
    }
}

fn run_init(dir: &Path) -> ExitCode {
    match factsheet::init::init(dir) {
        Ok(files) => {
            let here = dir == Path::new(".");
            let (into, cd) = if here {
                ("the current folder".to_string(), String::new())
            } else {
                (
                    dir.display().to_string(),
                    format!("\n  cd {}", dir.display()),
                )
            };
            println!(
                "Wrote a starter site of {} files into {into}. Next:{cd}\n  factsheet serve --open",
                files.len(),
            );
            ExitCode::SUCCESS
        }
        Err(d) => fail_usage(d, "create"),
    }
}

fn run_new(root: &Path, slug: &str, kind: &str) -> ExitCode {
    match factsheet::new_page::new_page(root, slug, kind) {
        Ok(files) => {
            for f in &files {
                println!("Wrote {} (a draft)", root.join(f).display());
            }
            ExitCode::SUCCESS
        }
        Err(d) => fail_usage(d, "add a page to"),
    }
}

fn run_serve(args: ServeArgs) -> ExitCode {
    let options = factsheet::serve::ServeOptions {
        root: args.root,
        interface: args.interface,
        port: args.port,
        open: args.open,
        poll: args.poll,
        drafts: args.drafts,
    };
    match factsheet::serve::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        // A port in use or a wrong folder: the message says all; "could not serve
        // the site: 1 error" after it would only repeat it.
        Err(failure @ factsheet::Failure::Usage(_)) => {
            print_diagnostics(&failure.diagnostics().0, Format::Text);
            ExitCode::from(failure.exit_code())
        }
        Err(failure) => fail(&failure, "serve", false, false, Format::Text),
    }
}

/// Text in colour on stderr; anstream drops the colours when stderr is a file or a pipe, or
/// when NO_COLOR is set. JSON and GitHub annotations go to stdout, one line each, for a
/// program to read.
fn print_diagnostics(list: &[Diagnostic], format: Format) {
    for d in list {
        match format {
            Format::Text => anstream::eprintln!("{}", d.styled()),
            Format::Json => println!("{}", diagnostic_format::json(d)),
            Format::Github => println!("{}", diagnostic_format::github(d)),
        }
    }
}

/// The closing line: on stdout for people, on stderr when stdout is for a program.
fn summary(format: Format, line: &str) {
    match format {
        Format::Text => println!("{line}"),
        Format::Json | Format::Github => eprintln!("{line}"),
    }
}

/// `init` and `new`: a problem with what was asked, told as text, with nothing kept.
fn fail_usage(d: Diagnostic, command: &str) -> ExitCode {
    fail(
        &Failure::Usage(d.into()),
        command,
        false,
        false,
        Format::Text,
    )
}

/// Print the errors (and, with `quiet`, nothing else: the warnings go) and the closing line,
/// which says the previous build is still there when there is one (`kept_output`).
fn fail(
    failure: &Failure,
    command: &str,
    quiet: bool,
    kept_output: bool,
    format: Format,
) -> ExitCode {
    let diags = failure.diagnostics();
    let shown: Vec<Diagnostic> = diags
        .0
        .iter()
        .filter(|d| !quiet || d.is_error())
        .cloned()
        .collect();
    print_diagnostics(&shown, format);
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
