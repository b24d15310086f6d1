//! Edit-to-reload latency of a running `factsheet serve`: the time from writing a file to the
//! reload event arriving on the server's events stream, as a browser would get it.
//!
//! ```text
//! factsheet serve --root DIR --port 1111 &            # in release mode, for real numbers
//! cargo run --release --example reload_latency -- \
//!     --url http://127.0.0.1:1111/ --file DIR/content/risks.md [--n 30] [--pause-ms 300]
//! ```
//!
//! It starts nothing itself. It subscribes to `/__factsheet/events` with an HTTP client,
//! appends a short paragraph to the file `--n` times (each edit a separate write, after the
//! previous reload arrived and a pause), and prints the median and 95th percentile of
//! write -> reload latency. The file is restored byte for byte at the end, also after an error
//! or Ctrl-C... except a kill -9.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
#[command(about = "Measure write -> reload-event latency of a running `factsheet serve`")]
struct Args {
    /// The server's URL, as `factsheet serve` prints it.
    #[arg(long, default_value = "http://127.0.0.1:1111/")]
    url: String,
    /// The file to edit (a Markdown page of the served project).
    #[arg(long)]
    file: PathBuf,
    /// How many edits to measure.
    #[arg(long, default_value_t = 30)]
    n: usize,
    /// Pause between a reload and the next edit, so each edit is its own burst.
    #[arg(long, default_value_t = 300)]
    pause_ms: u64,
    /// Give up on one edit after this long.
    #[arg(long, default_value_t = 30)]
    timeout_s: u64,
}

/// One event off the stream, with the moment it was read.
struct Received {
    name: String,
    data: serde_json::Value,
    at: Instant,
}

/// Puts the file back as it was, whatever happens.
struct Restore {
    path: PathBuf,
    original: Vec<u8>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        match std::fs::write(&self.path, &self.original) {
            Ok(()) => eprintln!("restored {}", self.path.display()),
            Err(e) => eprintln!("error: could not restore {}: {e}", self.path.display()),
        }
    }
}

fn subscribe(url: &str) -> mpsc::Receiver<Received> {
    let (tx, rx) = mpsc::channel();
    let url = url.to_string();
    std::thread::spawn(move || {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(true)
            .build()
            .new_agent();
        let response = match agent.get(&url).header("Accept", "text/event-stream").call() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot subscribe to {url}: {e}");
                return;
            }
        };
        let reader = BufReader::new(response.into_body().into_reader());
        let (mut name, mut data) = (String::new(), String::new());
        for line in reader.lines() {
            let Ok(line) = line else { break };
            if line.is_empty() {
                if !name.is_empty() || !data.is_empty() {
                    let at = Instant::now();
                    let received = Received {
                        name: std::mem::take(&mut name),
                        data: serde_json::from_str(&std::mem::take(&mut data)).unwrap_or_default(),
                        at,
                    };
                    if tx.send(received).is_err() {
                        break;
                    }
                }
            } else if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.strip_prefix(' ').unwrap_or(v));
            }
        }
    });
    rx
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let original = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let text =
        String::from_utf8(original.clone()).map_err(|_| "the file is not UTF-8".to_string())?;
    let events_url = format!("{}/__factsheet/events", args.url.trim_end_matches('/'));
    let rx = subscribe(&events_url);
    let timeout = Duration::from_secs(args.timeout_s);
    let hello = rx
        .recv_timeout(timeout)
        .map_err(|_| format!("no hello from {events_url}: is `factsheet serve` running there?"))?;
    if hello.name != "hello" {
        return Err(format!("expected a hello event, got `{}`", hello.name));
    }
    if hello.data["error"] == true {
        return Err("the site has errors now: fix them first".into());
    }

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc_flag(stop);
    }
    let _restore = Restore {
        path: args.file.clone(),
        original,
    };
    let nonce = std::process::id();
    let mut latencies = Vec::with_capacity(args.n);
    let mut last_generation = hello.data["generation"].as_u64().unwrap_or(0);
    eprintln!("editing {} {} times", args.file.display(), args.n);
    for i in 0..args.n {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // Drain anything left over (a late event of the previous edit).
        while rx.try_recv().is_ok() {}
        let edited = format!("{text}\n\nReload latency probe {nonce} number {i}.\n");
        let start = Instant::now();
        write_file(&args.file, edited.as_bytes())?;
        let deadline = start + timeout;
        let event = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let e = rx
                .recv_timeout(left)
                .map_err(|_| format!("edit {i}: no event within {} s", args.timeout_s))?;
            let generation = e.data["generation"].as_u64().unwrap_or(0);
            if generation <= last_generation && e.name != "hello" {
                continue;
            }
            match e.name.as_str() {
                "reload" | "css" | "ok" => break e,
                "build-error" => {
                    return Err(format!("edit {i} broke the build: {}", e.data["text"]));
                }
                _ => {}
            }
        };
        last_generation = event.data["generation"].as_u64().unwrap_or(last_generation);
        let ms = event.at.duration_since(start).as_secs_f64() * 1000.0;
        if event.name != "reload" {
            eprintln!("edit {i}: got `{}`, not reload", event.name);
        }
        latencies.push(ms);
        std::thread::sleep(Duration::from_millis(args.pause_ms));
    }
    if latencies.is_empty() {
        return Err("nothing measured".into());
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "write -> reload event over {} edits of {}: median {:.1} ms, p95 {:.1} ms (min {:.1}, max {:.1})",
        sorted.len(),
        args.file.display(),
        percentile(&sorted, 50.0),
        percentile(&sorted, 95.0),
        sorted[0],
        sorted[sorted.len() - 1]
    );
    Ok(())
}

/// Write in place, as most editors' plain save does (open, truncate, write, close).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Set `flag` on Ctrl-C so that the loop ends and the file is restored. Uses a tokio signal
/// handler on a small thread (tokio is already a dependency of the project).
fn ctrlc_flag(flag: Arc<AtomicBool>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        runtime.block_on(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
                eprintln!("stopping after this edit (the file will be restored)");
            }
        });
    });
    Ok(())
}
