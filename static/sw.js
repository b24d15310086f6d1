// The fact sheet without a connection. sw-register.js registers this worker from every page
// served over http(s); its scope is the folder it is in, the site root, so it works under a
// sub-path too.
//
// - Storing: each page asks it to store the pages of its language. It reads the list the build
//   wrote (offline-manifest.json: every file with a hash of its bytes), downloads what it does
//   not have or what changed since, checks each download against its hash, and deletes what
//   the list no longer names. Files shared by the languages (search script, icons) come too.
// - Answering: the network first, so that a reader with a connection always reads the current
//   page. When the network fails, is too slow or the server fails, the stored copy, with a note
//   at the top saying it is a saved copy and from when: medical text must never be silently
//   stale. Nothing else is stored: never a page answered with an error, never another site's
//   file (requests outside the scope are left to the browser).
"use strict";

var SCOPE = self.registration.scope;
// Sites under one origin (user.github.io/a/, user.github.io/b/) share the storage.
var CACHE = "factsheet-offline " + SCOPE;
var MANIFEST = SCOPE + "offline-manifest.json";
// What is stored and from which build, kept in the cache under an address no file has.
var STATE = SCOPE + "__factsheet-offline-state";
// Longer than a page takes on a slow but working line, short enough not to leave a reader
// without a connection looking at a blank screen.
var TIMEOUT_MS = 4000;
var PARALLEL = 4;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "store" || typeof data.lang !== "string") return;
  event.waitUntil(queue(function () {
    return store(data.lang);
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.url.indexOf(SCOPE) !== 0) return;
  var key = keyOf(request.url);
  if (key === STATE) return;
  event.respondWith(networkFirst(request, key, request.mode === "navigate"));
});

// One run at a time: two pages opened at once must not interleave their downloads.
var running = Promise.resolve();
function queue(job) {
  running = running.then(job).catch(function () {});
  return running;
}

// The address a file is stored under: no query or fragment, a folder for its index.html.
function keyOf(url) {
  var u = new URL(url);
  u.search = "";
  u.hash = "";
  if (/\/index\.html$/.test(u.pathname)) u.pathname = u.pathname.slice(0, -"index.html".length);
  return u.href;
}

async function readState(cache) {
  var empty = { format: 1, built: "", languages: [], files: {}, pages: {}, notes: {} };
  var saved = await cache.match(STATE);
  if (!saved) return empty;
  try {
    var state = await saved.json();
    return state && state.format === 1 ? state : empty;
  } catch (e) {
    return empty;
  }
}

function writeState(cache, state) {
  return cache.put(STATE, new Response(JSON.stringify(state), {
    headers: { "content-type": "application/json" },
  }));
}

async function hashOf(bytes) {
  var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  var hex = "";
  for (var i = 0; i < 16; i++) hex += (digest[i] < 16 ? "0" : "") + digest[i].toString(16);
  return hex;
}

// Brings the stored copy up to the current build, adding the pages of lang.
async function store(lang) {
  var manifest;
  try {
    var response = await fetch(MANIFEST, { cache: "no-cache" });
    if (!response.ok) return;
    manifest = await response.json();
  } catch (e) {
    return; // no connection: keep what is stored
  }
  if (!manifest || manifest.format !== 1 || !manifest.languages) return;
  var cache = await caches.open(CACHE);
  var state = await readState(cache);
  var languages = state.languages.slice();
  if (manifest.languages[lang] && languages.indexOf(lang) < 0) languages.push(lang);
  languages = languages.filter(function (l) {
    return manifest.languages[l];
  });

  var wanted = {};
  var pages = {};
  Object.keys(manifest.shared || {}).forEach(function (rel) {
    wanted[new URL(rel, SCOPE).href] = manifest.shared[rel];
  });
  languages.forEach(function (l) {
    var files = manifest.languages[l].files || {};
    Object.keys(files).forEach(function (rel) {
      var url = new URL(rel, SCOPE).href;
      wanted[url] = files[rel];
      pages[url] = l;
    });
  });

  var missing = [];
  for (var url of Object.keys(wanted)) {
    if (state.files[url] === wanted[url] && (await cache.match(url))) continue;
    missing.push(url);
  }
  var complete = true;
  async function download() {
    for (var url = missing.shift(); url; url = missing.shift()) {
      try {
        // The server's current copy (no-cache), never through a redirect: a stored
        // redirected response cannot answer a page request.
        var response = await fetch(url, { cache: "no-cache", redirect: "error" });
        if (!response.ok || response.type !== "basic") throw new Error(url + ": " + response.status);
        var bytes = await response.clone().arrayBuffer();
        // Mid-deploy, a file may already be newer (or older) than the list: next time.
        if ((await hashOf(bytes)) !== wanted[url]) throw new Error(url + ": not the listed file");
        await cache.put(url, response);
        state.files[url] = wanted[url];
      } catch (e) {
        complete = false;
      }
    }
  }
  var workers = [];
  for (var i = 0; i < PARALLEL; i++) workers.push(download());
  await Promise.all(workers);

  for (var old of Object.keys(state.files)) {
    if (old in wanted) continue;
    await cache.delete(old);
    delete state.files[old];
  }
  state.languages = languages;
  state.pages = pages;
  // The note's date is the build the stored copy is from: until every file of a new build
  // is in, that is the one before (unless there was none).
  if (complete || !state.built) {
    state.built = manifest.built;
    state.notes = {};
    languages.forEach(function (l) {
      state.notes[l] = manifest.languages[l].note;
    });
  }
  await writeState(cache, state);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
  });
}

// The stored copy of key, a page with the offline note at its top; null if none is stored.
async function saved(key, navigate) {
  var cache = await caches.open(CACHE);
  var response = await cache.match(key);
  if (!response || !navigate) return response || null;
  var state = await readState(cache);
  var note = state.notes[state.pages[key]];
  var html = await response.text();
  if (note) {
    var banner = '<p class="offline-note" role="status">' + escapeHtml(note) + "</p>";
    html = html.replace(/<body[^>]*>/i, function (body) {
      return body + banner;
    });
  }
  return new Response(html, {
    status: 200,
    headers: { "content-type": response.headers.get("content-type") || "text/html; charset=utf-8" },
  });
}

function networkFirst(request, key, navigate) {
  var network = fetch(request);
  return new Promise(function (resolve) {
    var fellBack = false;
    function fallBack(failed) {
      if (fellBack) return;
      fellBack = true;
      saved(key, navigate).then(function (copy) {
        resolve(copy || failed || network);
      }, function () {
        resolve(failed || network);
      });
    }
    var timer = setTimeout(function () {
      fallBack(null);
    }, TIMEOUT_MS);
    network.then(function (response) {
      // A server error is no answer to a reader; a missing page (404) is.
      if (response.status >= 500) {
        clearTimeout(timer);
        fallBack(response);
      } else if (!fellBack) {
        clearTimeout(timer);
        resolve(response);
      }
    }, function () {
      clearTimeout(timer);
      fallBack(null);
    });
  });
}
