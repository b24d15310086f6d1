//! The site as a web app, for readers who lose their connection: the list of files the
//! service worker (`static/sw.js`) stores, with the hash of each, and a web app manifest
//! per language. Written by `factsheet build` only: the offline copy opens from `file://`,
//! where service workers do not run, and `factsheet serve` must never leave a stored copy
//! of a draft behind in a browser.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::output::{Sink, Written};

use super::Site;
use super::page::PageResult;

/// The list of files the service worker stores, beside it at the site root.
pub(super) const OFFLINE_MANIFEST: &str = "offline-manifest.json";
/// The service worker itself: it never stores itself (the browser keeps it).
const SERVICE_WORKER: &str = "sw.js";

/// The web app manifest of `lang`, linked from every page of that language.
pub(super) fn web_manifest_file(lang: &str) -> String {
    format!("app.{lang}.webmanifest")
}

/// Passes every write on to `inner`, keeping the hash of each file's bytes. A streamed file
/// is hashed as `inner` takes it: `check`'s sink, which writes nothing, takes nothing.
pub(super) struct HashingSink<'s> {
    inner: &'s dyn Sink,
    hashes: Mutex<HashMap<String, String>>,
    /// The previous build's offline manifest, URL -> hash, when it can be trusted: read at
    /// the first file kept from that build.
    previous: std::sync::OnceLock<HashMap<String, String>>,
    /// The files whose hash came from there.
    taken: Mutex<Vec<String>>,
}

impl<'s> HashingSink<'s> {
    pub(super) fn new(inner: &'s dyn Sink) -> Self {
        HashingSink {
            inner,
            hashes: Mutex::new(HashMap::new()),
            previous: std::sync::OnceLock::new(),
            taken: Mutex::new(Vec::new()),
        }
    }

    /// The hash the previous build gave `rel`, a file it wrote and this build keeps
    /// unchanged: hashing every page again was a twentieth of a rebuild. Only a manifest
    /// and a file that nobody changed since that build are believed; otherwise `None`,
    /// and the file is hashed.
    fn previous_hash(&self, rel: &str) -> Option<String> {
        let hashes = self.previous.get_or_init(|| {
            let Some(file) = self.inner.previous_file(OFFLINE_MANIFEST) else {
                return HashMap::new();
            };
            if !file.as_built {
                return HashMap::new();
            }
            let Ok(manifest) = serde_json::from_slice::<StoredManifest>(&file.bytes) else {
                return HashMap::new();
            };
            if manifest.format != MANIFEST_FORMAT {
                return HashMap::new();
            }
            let mut all = manifest.shared;
            for language in manifest.languages.into_values() {
                all.extend(language.files);
            }
            all
        });
        let hash = hashes.get(&manifest_url(rel)).cloned()?;
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
        Some(hash)
    }

    fn keep(&self, rel: &str, hash: String) {
        let mut hashes = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        hashes.insert(rel.to_string(), hash);
    }

    /// The hashes of the files written so far, taken: the manifest is made once they all
    /// are. When another build committed into the output folder meanwhile, the files kept
    /// may have come from it rather than from the build whose list gave their hashes: they
    /// are hashed from what this build holds (and left out if that cannot be read).
    pub(super) fn take_hashes(&self) -> HashMap<String, String> {
        let mut hashes =
            std::mem::take(&mut *self.hashes.lock().unwrap_or_else(|e| e.into_inner()));
        let taken = std::mem::take(&mut *self.taken.lock().unwrap_or_else(|e| e.into_inner()));
        if !taken.is_empty() && self.inner.previous_replaced() {
            for rel in taken {
                match self.inner.written(&rel) {
                    Some(bytes) => hashes.insert(rel, hash_of(&bytes)),
                    None => hashes.remove(&rel),
                };
            }
        }
        hashes
    }
}

/// The first 128 bits of SHA-256, in hex: what the service worker checks what it downloaded
/// against (crypto.subtle), and what tells it a file changed.
fn hex_digest(hasher: Sha256) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for b in &hasher.finalize()[..16] {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

fn hash_of(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    hex_digest(h)
}

impl Sink for HashingSink<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.write_or_keep(rel, bytes).map(|_| ())
    }

    fn write_or_keep(&self, rel: &str, bytes: &[u8]) -> io::Result<Written> {
        let written = self.inner.write_or_keep(rel, bytes)?;
        let known = match written {
            Written::Kept { as_built: true } => self.previous_hash(rel),
            _ => None,
        };
        self.keep(rel, known.unwrap_or_else(|| hash_of(bytes)));
        Ok(written)
    }

    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        self.inner.copy(rel, from)?;
        self.keep(rel, hash_of(&std::fs::read(from)?));
        Ok(())
    }

    fn write_from(
        &self,
        rel: &str,
        produce: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut hasher = Sha256::new();
        self.inner.write_from(rel, &mut |out| {
            let mut tee = Tee {
                out,
                hasher: &mut hasher,
            };
            produce(&mut tee)
        })?;
        self.keep(rel, hex_digest(hasher));
        Ok(())
    }

    fn write_owned(&self, rel: &str, bytes: Vec<u8>) -> io::Result<()> {
        let hash = hash_of(&bytes);
        self.inner.write_owned(rel, bytes)?;
        self.keep(rel, hash);
        Ok(())
    }
}

/// Hashes what it passes on, so that a streamed file is hashed without being held.
struct Tee<'w> {
    out: &'w mut dyn io::Write,
    hasher: &'w mut Sha256,
}

impl io::Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// [`OfflineManifest::format`] of this build's.
const MANIFEST_FORMAT: u32 = 1;

/// What a rebuild reads back of the previous build's [`OfflineManifest`].
#[derive(Deserialize)]
struct StoredManifest {
    format: u32,
    shared: HashMap<String, String>,
    languages: HashMap<String, StoredLanguage>,
}

#[derive(Deserialize)]
struct StoredLanguage {
    files: HashMap<String, String>,
}

/// Where the manifest lists `rel`: pages are stored under their address, the folder (the
/// server answers it); any other file under its name, `amp-index.html` included.
fn manifest_url(rel: &str) -> String {
    let address = match rel.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => folder,
        _ => rel,
    };
    crate::urls::encode_path(address)
}

#[derive(Serialize)]
struct OfflineManifest<'a> {
    /// The format of this file, for a service worker of another build.
    format: u32,
    /// The date of the build: the offline note says the stored copy is from then.
    built: &'a str,
    /// URL (from the site root, percent-encoded) -> hash: files every language needs.
    shared: BTreeMap<String, &'a str>,
    languages: BTreeMap<&'a str, LanguageFiles<'a>>,
}

#[derive(Serialize)]
struct LanguageFiles<'a> {
    /// Shown on a stored page opened without a connection.
    note: String,
    /// The language's pages (`risks/`, `uk/risks/`) and files (its search index and web app
    /// manifest): URL -> hash.
    files: BTreeMap<String, &'a str>,
}

#[derive(Serialize)]
struct WebManifest<'a> {
    name: &'a str,
    lang: &'a str,
    dir: &'a str,
    /// Relative to the manifest, which is at the site root: works under a sub-path.
    start_url: String,
    scope: &'a str,
    display: &'a str,
    icons: Vec<Icon<'a>>,
}

#[derive(Serialize)]
struct Icon<'a> {
    src: &'a str,
    sizes: String,
    #[serde(rename = "type")]
    mime: &'a str,
}

impl Site {
    /// Whether this build is published as a web app: a service worker and web app manifests.
    pub(crate) fn web_app(&self) -> bool {
        !self.offline && !self.live
    }

    /// The web app manifest of every language, as output path and bytes. `statics`: the
    /// static files' output paths; `favicon.svg` and `icon-<size>.png` are its icons.
    pub(super) fn web_manifests<'s>(
        &self,
        statics: impl Iterator<Item = &'s str> + Clone,
    ) -> Vec<(String, Vec<u8>)> {
        let icons: Vec<Icon> = statics
            .filter_map(|rel| {
                if rel == "favicon.svg" {
                    return Some(Icon {
                        src: rel,
                        sizes: "any".into(),
                        mime: "image/svg+xml",
                    });
                }
                let size: u32 = rel
                    .strip_prefix("icon-")?
                    .strip_suffix(".png")?
                    .parse()
                    .ok()?;
                Some(Icon {
                    src: rel,
                    sizes: format!("{size}x{size}"),
                    mime: "image/png",
                })
            })
            .collect();
        let mut icons = icons;
        icons.sort_by(|a, b| a.src.cmp(b.src));
        self.config
            .languages
            .iter()
            .map(|l| {
                let manifest = WebManifest {
                    name: &l.title,
                    lang: &l.code,
                    dir: "ltr",
                    start_url: match self.config.lang_prefix(&l.code) {
                        p if p.is_empty() => "./".into(),
                        p => crate::urls::encode_path(&p),
                    },
                    scope: "./",
                    display: "standalone",
                    icons: icons
                        .iter()
                        .map(|i| Icon {
                            src: i.src,
                            sizes: i.sizes.clone(),
                            mime: i.mime,
                        })
                        .collect(),
                };
                let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
                (web_manifest_file(&l.code), json)
            })
            .collect()
    }

    /// The offline manifest: every file written (`hashes`) that a reader may need without a
    /// connection, per language. Never the 404 page, the sitemap, robots.txt or hidden files.
    pub(super) fn offline_manifest(
        &self,
        results: &[PageResult],
        hashes: &HashMap<String, String>,
    ) -> Vec<u8> {
        let built = crate::content::today();
        let mut language_of: HashMap<String, &str> = HashMap::new();
        for r in results {
            language_of.insert(r.page.output_file(&self.config), r.page.lang.as_str());
        }
        // A split index's shards and fragments, in its folder, belong to its language too: a
        // reader of one language must not store the other's, which on a large site is most of it.
        let mut folder_language: HashMap<String, &str> = HashMap::new();
        for l in &self.config.languages {
            language_of.insert(crate::search::index_file(&l.code), &l.code);
            language_of.insert(web_manifest_file(&l.code), &l.code);
            folder_language.insert(crate::search::shard_folder(&l.code), &l.code);
        }
        let mut languages: BTreeMap<&str, LanguageFiles> = self
            .config
            .languages
            .iter()
            .map(|l| {
                (
                    l.code.as_str(),
                    LanguageFiles {
                        note: self.offline_note(&l.code, &built),
                        files: BTreeMap::new(),
                    },
                )
            })
            .collect();
        let mut shared = BTreeMap::new();
        for (rel, hash) in hashes {
            let skipped = ["404.html", "sitemap.xml", "robots.txt", SERVICE_WORKER];
            if skipped.contains(&rel.as_str()) || rel.starts_with('.') || rel.contains("/.") {
                continue;
            }
            let url = manifest_url(rel);
            let lang = language_of.get(rel).copied().or_else(|| {
                let (folder, _) = rel.split_once('/')?;
                folder_language.get(folder).copied()
            });
            match lang.and_then(|l| languages.get_mut(l)) {
                Some(lang) => {
                    lang.files.insert(url, hash.as_str());
                }
                None => {
                    shared.insert(url, hash.as_str());
                }
            }
        }
        let manifest = OfflineManifest {
            format: MANIFEST_FORMAT,
            built: &built,
            shared,
            languages,
        };
        serde_json::to_vec(&manifest).unwrap_or_default()
    }

    /// Write the offline manifest of this build, made from the files `hashing` saw written;
    /// it joins `files`.
    pub(super) fn write_offline_manifest(
        &self,
        sink: &dyn Sink,
        results: &[PageResult],
        hashing: &HashingSink,
        files: &mut std::collections::HashSet<String>,
        diags: &mut crate::diagnostic::Diagnostics,
    ) {
        let origin = Path::new("static").join(OFFLINE_MANIFEST);
        if files.contains(OFFLINE_MANIFEST) {
            diags.push(
                crate::diagnostic::Diagnostic::error(format!(
                    "{} would overwrite the list of files the service worker stores",
                    origin.display()
                ))
                .in_file(&origin)
                .with_help("rename or remove it"),
            );
            return;
        }
        let json = self.offline_manifest(results, &hashing.take_hashes());
        match sink.write(OFFLINE_MANIFEST, &json) {
            Ok(()) => {
                files.insert(OFFLINE_MANIFEST.to_string());
            }
            Err(e) => diags.push(crate::diagnostic::Diagnostic::cannot_write(
                OFFLINE_MANIFEST,
                &e,
            )),
        }
    }

    /// "Saved copy from 5 December 2026 – you are offline", in `lang` (`offline_note`).
    fn offline_note(&self, lang: &str, date: &str) -> String {
        let t = &self.strings[lang];
        let get = |key: &str| t.get(key).map_or("", String::as_str);
        let date = crate::templates::date_in_words(date, get("months"), get("year_suffix"))
            .unwrap_or_else(|| date.to_string());
        t.get("offline_note")
            .map_or("{date}", String::as_str)
            .replace("{date}", &date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_and_whole_files_hash_alike() {
        let sink = crate::output::MemorySink::default();
        let hashing = HashingSink::new(&sink);
        hashing.write("a.txt", b"hello").unwrap();
        hashing
            .write_from("b.txt", &mut |out| {
                out.write_all(b"hel")?;
                out.write_all(b"lo")
            })
            .unwrap();
        let hashes = hashing.take_hashes();
        assert_eq!(hashes["a.txt"], hashes["b.txt"]);
        // SHA-256 of "hello", first 16 bytes.
        assert_eq!(hashes["a.txt"], "2cf24dba5fb0a30e26e83b2ac5b9e29e");
    }

    /// A sink whose every file is kept from a previous build listing `listed` for `a.txt`;
    /// `replaced`: another build committed meanwhile.
    struct Kept {
        replaced: bool,
        files: crate::output::MemorySink,
    }

    impl Sink for Kept {
        fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
            self.files.write(rel, bytes)
        }
        fn write_or_keep(&self, rel: &str, bytes: &[u8]) -> io::Result<Written> {
            self.write(rel, bytes)?;
            Ok(Written::Kept { as_built: true })
        }
        fn previous_file(&self, rel: &str) -> Option<crate::output::PreviousFile> {
            (rel == OFFLINE_MANIFEST).then(|| crate::output::PreviousFile {
                bytes: br#"{"format":1,"shared":{"a.txt":"listed"},"languages":{}}"#.to_vec(),
                as_built: true,
            })
        }
        fn previous_replaced(&self) -> bool {
            self.replaced
        }
        fn written(&self, _: &str) -> Option<Vec<u8>> {
            Some(b"hello".to_vec())
        }
    }

    #[test]
    fn a_kept_file_takes_the_listed_hash_unless_another_build_came_between() {
        for (replaced, expected) in [
            (false, "listed"),
            (true, "2cf24dba5fb0a30e26e83b2ac5b9e29e"),
        ] {
            let sink = Kept {
                replaced,
                files: crate::output::MemorySink::default(),
            };
            let hashing = HashingSink::new(&sink);
            hashing.write("a.txt", b"hello").unwrap();
            assert_eq!(hashing.take_hashes()["a.txt"], expected, "{replaced}");
        }
    }
}
