//! `factsheet serve`: build the site into memory, serve it over HTTP, watch the project and
//! rebuild on every change, and tell open pages to reload (or to show the build's errors).
//!
//! - `watch` turns file events into bursts and decides what to rebuild.
//! - `builder` keeps the loaded site, rebuilds, and swaps the new files in.
//! - `state` is what the server shows (the last good build, the latest errors) and the
//!   events that tell the pages; `diff` compares two builds' files.
//! - `http` serves the files, the live-reload script and the events stream.
//!
//! The live-reload script is only added to the pages as they are served; the built output
//! on disk (`factsheet build`) never has it.

pub(crate) mod builder;
pub(crate) mod http;
mod state;
mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::Failure;
use crate::diagnostic::Diagnostic;
use crate::site::LoadOptions;
use builder::{Builder, Outcome};
use state::State;
use watch::{ProjectWatcher, WatchMessage};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// 0: any free port (the one chosen is printed).
    pub port: u16,
    pub open: bool,
    pub poll: bool,
    pub drafts: bool,
}

/// Run the server until Ctrl-C (or SIGTERM).
pub fn run(options: &ServeOptions) -> Result<(), Failure> {
    let root = project_root(&options.root)?;
    let listener = bind(options.interface, options.port)?;
    let addr = listener.local_addr().map_err(|e| {
        Failure::failed(Diagnostic::error(format!(
            "cannot read the server's address: {e}"
        )))
    })?;

    let state = Arc::new(State::new());
    let (tx, rx) = mpsc::channel();
    let stop_tx = tx.clone();
    let watcher = start_watcher(&root, options.poll, tx.clone());

    let load = LoadOptions {
        base_url: None,
        drafts: options.drafts,
        offline: false,
        live: true,
    };
    let mut builder = Builder::new(&root, load, state.clone());
    let first = builder.initial();
    print_initial(&first);
    let title = builder.title().unwrap_or_else(|| "the site".to_string());
    let url = url_for(addr);
    println!("Serving {title} at {url} (Ctrl-C to stop)");
    if addr.ip().is_unspecified() {
        println!("  listening on every network interface: other computers can see this site");
    } else if !addr.ip().is_loopback() {
        println!(
            "  listening on {}: other computers on that network can see this site",
            addr.ip()
        );
    }
    let _ = std::io::stdout().flush();

    let rebuilds = std::thread::Builder::new()
        .name("factsheet-rebuild".into())
        .spawn(move || rebuild_loop(builder, watcher, rx, tx))
        .map_err(|e| {
            Failure::failed(Diagnostic::error(format!(
                "cannot start the rebuild thread: {e}"
            )))
        })?;

    if options.open
        && let Err(e) = opener::open(&url)
    {
        eprintln!("warning: cannot open a browser: {e}\n  = help: open {url} yourself");
    }

    let served = serve_http(listener, state);
    let _ = stop_tx.send(WatchMessage::Stop);
    let _ = rebuilds.join();
    served?;
    println!("Stopped.");
    Ok(())
}

fn project_root(root: &Path) -> Result<PathBuf, Failure> {
    let abs = root.canonicalize().map_err(|e| {
        Failure::usage(
            Diagnostic::error(format!(
                "cannot use {} as the project folder: {e}",
                root.display()
            ))
            .with_help("pass the project folder with --root DIR"),
        )
    })?;
    crate::config::check_project(root).map_err(Failure::usage)?;
    Ok(abs)
}

fn bind(interface: IpAddr, port: u16) -> Result<TcpListener, Failure> {
    let addr = SocketAddr::new(interface, port);
    let listener = TcpListener::bind(addr).map_err(|e| {
        let d = match e.kind() {
            std::io::ErrorKind::AddrInUse => Diagnostic::error(format!(
                "port {port} is already in use on {interface}"
            ))
            .with_help(format!(
                "stop the program using it, or choose another port: --port {} (or --port 0 for any free port)",
                port.saturating_add(1)
            )),
            std::io::ErrorKind::PermissionDenied => Diagnostic::error(format!(
                "not allowed to listen on port {port} of {interface}"
            ))
            .with_help("ports below 1024 need special rights: choose another port, e.g. --port 1111"),
            std::io::ErrorKind::AddrNotAvailable => Diagnostic::error(format!(
                "{interface} is not an address of this computer"
            ))
            .with_help("use --interface 127.0.0.1 (the default)"),
            _ => Diagnostic::error(format!("cannot listen on {addr}: {e}"))
                .with_help("choose another port with --port, or another --interface"),
        };
        Failure::usage(d)
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Failure::failed(Diagnostic::error(format!("cannot listen on {addr}: {e}"))))?;
    Ok(listener)
}

fn url_for(addr: SocketAddr) -> String {
    let shown = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::from(std::net::Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    };
    format!("http://{shown}/")
}

fn start_watcher(
    root: &Path,
    poll: bool,
    tx: mpsc::Sender<WatchMessage>,
) -> Option<ProjectWatcher> {
    match ProjectWatcher::start(root, poll, tx.clone()) {
        Ok((w, message)) => {
            if let Some(m) = message {
                eprintln!("warning: {m}");
            } else if poll {
                println!(
                    "Watching by polling every {} ms",
                    watch::POLL_INTERVAL.as_millis()
                );
            }
            Some(w)
        }
        Err(e) if !poll => {
            // Native events are not available here: polling works everywhere.
            match ProjectWatcher::start(root, true, tx) {
                Ok((w, _)) => {
                    eprintln!(
                        "warning: cannot watch the project for changes ({e}); polling every {} ms instead",
                        watch::POLL_INTERVAL.as_millis()
                    );
                    Some(w)
                }
                Err(e) => {
                    eprintln!(
                        "warning: cannot watch the project for changes ({e}); restart to see edits"
                    );
                    None
                }
            }
        }
        Err(e) => {
            eprintln!("warning: cannot watch the project for changes ({e}); restart to see edits");
            None
        }
    }
}

fn print_initial(outcome: &Outcome) {
    if !outcome.diagnostics.is_empty() {
        eprintln!("{}", outcome.diagnostics.trim_end());
    }
    if outcome.ok {
        println!("{}", capitalise(&outcome.summary));
    } else {
        println!(
            "The site has errors ({}); pages show them until they are fixed",
            outcome.summary
        );
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "content/risks.md changed", "content/a.md, content/b.md changed", "content/a.md and 49
/// other files changed"; deleted files are "removed".
pub(crate) fn describe_changes(root: &Path, changed: &[PathBuf]) -> String {
    let paths = watch::relevant_paths(changed);
    let show = |p: &PathBuf| p.display().to_string().replace('\\', "/");
    let gone = |p: &PathBuf| !root.join(p).exists();
    match paths.as_slice() {
        [] => "nothing relevant changed".to_string(),
        [one] if gone(one) => format!("{} removed", show(one)),
        [one] => format!("{} changed", show(one)),
        [a, b] => format!("{}, {} changed", show(a), show(b)),
        [first, rest @ ..] => format!("{} and {} other files changed", show(first), rest.len()),
    }
}

fn rebuild_loop(
    mut builder: Builder,
    mut watcher: Option<ProjectWatcher>,
    rx: mpsc::Receiver<WatchMessage>,
    tx: mpsc::Sender<WatchMessage>,
) {
    let root = builder.root().to_path_buf();
    loop {
        let mut limit_hit = None;
        let mut on_error = |e: notify::Error| match watch::limit_message(&e) {
            Some(m) => limit_hit = Some(m),
            None => eprintln!("warning: file watcher: {e}"),
        };
        let Some(mut changed) = watch::next_burst(&rx, &mut on_error) else {
            break;
        };
        if let Some(message) = limit_hit
            && let Some(w) = watcher.as_mut()
            && !w.is_polling()
        {
            eprintln!("warning: {message}");
            if let Err(e) = w.fall_back_to_polling(tx.clone()) {
                eprintln!("warning: cannot poll for changes either ({e}); restart to see edits");
            }
        }
        if let Some(w) = watcher.as_mut() {
            match w.rearm_if_needed(&changed, tx.clone()) {
                Ok(again) => changed.extend(again),
                Err(e) => eprintln!(
                    "warning: cannot watch the project again after a folder came back ({e}); restart to see edits, or use --poll"
                ),
            }
        }
        if changed.is_empty() {
            continue;
        }
        let what = describe_changes(&root, &changed);
        let Some(outcome) = builder.rebuild(&changed) else {
            continue;
        };
        let time = chrono::Local::now().format("%H:%M:%S");
        println!("[{time}] {what} -> {}", outcome.summary);
        let _ = std::io::stdout().flush();
        if !outcome.diagnostics.is_empty() {
            eprintln!("{}", outcome.diagnostics.trim_end());
        }
    }
    if let Some(w) = watcher {
        w.stop();
    }
}

/// How long a connection may take to send a request's headers, and may stay open with no
/// request: a client that connects and sends nothing, or stops half-way, is let go.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections served at once, when the open-file limit allows that many: more
/// wait until one ends, instead of running the server out of file descriptors.
pub const MAX_CONNECTIONS: usize = 1024;
/// File descriptors kept for the rest of the server: the site's files, the watcher.
const RESERVED_FILES: u64 = 64;

/// How many connections to serve at once under this process's open-file limit.
fn connection_limit() -> usize {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        if let Some(files) = limit.current {
            let room = files.saturating_sub(RESERVED_FILES).max(16);
            return usize::try_from(room).map_or(MAX_CONNECTIONS, |r| r.min(MAX_CONNECTIONS));
        }
    }
    MAX_CONNECTIONS
}

/// Serve until Ctrl-C or SIGTERM, then close every events stream and wait (a little) for the
/// connections to end. hyper serves each connection (HTTP/1.1) with a header-read timeout;
/// a semaphore caps how many are open.
fn serve_http(listener: TcpListener, state: Arc<State>) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(Diagnostic::error(format!("cannot start the server: {e}"))))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Failure::failed(Diagnostic::error(format!("cannot listen: {e}"))))?;
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let app = http::router(state, shutdown_rx);
        let mut server = hyper::server::conn::http1::Builder::new();
        server
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let slots = Arc::new(tokio::sync::Semaphore::new(connection_limit()));
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let stop = stop_signal();
        tokio::pin!(stop);
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot,
                () = &mut stop => break,
            };
            let Ok(slot) = slot else { break };
            let stream = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut stop => break,
            };
            let stream = match stream {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            let connection = graceful
                .watch(server.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
            tokio::spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
        }
        println!("\nStopping...");
        let _ = shutdown_tx.send(true);
        drop(listener);
        let _ = tokio::time::timeout(Duration::from_secs(3), graceful.shutdown()).await;
        Ok(())
    })
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_descriptions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/a.md"), "").unwrap();
        std::fs::write(dir.path().join("content/b.md"), "").unwrap();
        let p = |s: &str| PathBuf::from(s);
        let d = |list: &[PathBuf]| describe_changes(dir.path(), list);
        assert_eq!(
            d(&[p("content/a.md"), p("content/.a.md.swp")]),
            "content/a.md changed"
        );
        assert_eq!(d(&[p("content/gone.md")]), "content/gone.md removed");
        assert_eq!(
            d(&[p("content/b.md"), p("content/a.md")]),
            "content/a.md, content/b.md changed"
        );
        assert_eq!(
            d(&[p("content/a.md"), p("content/b.md"), p("content/c.md")]),
            "content/a.md and 2 other files changed"
        );
    }

    #[test]
    fn urls_name_a_reachable_address() {
        assert_eq!(
            url_for("127.0.0.1:1111".parse().unwrap()),
            "http://127.0.0.1:1111/"
        );
        assert_eq!(
            url_for("0.0.0.0:80".parse().unwrap()),
            "http://127.0.0.1:80/"
        );
        assert_eq!(url_for("[::1]:1111".parse().unwrap()), "http://[::1]:1111/");
    }

    #[test]
    fn a_port_in_use_is_a_usage_error_naming_it() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        match bind(IpAddr::from([127, 0, 0, 1]), port) {
            Err(Failure::Usage(d)) => {
                let d = &d.0[0];
                assert!(d.message.contains(&port.to_string()), "{}", d.message);
                assert!(d.help.as_ref().unwrap().contains("--port"));
            }
            other => panic!("{other:?}"),
        }
    }
}
