// factsheet serve: live reload and the build error overlay. Added by the development server
// to the pages it serves; never part of the built site. Same-origin and without inline code, so
// it works under a strict Content-Security-Policy; messages are set as text, never parsed as HTML.
(function () {
  "use strict";
  if (!window.EventSource || window.__factsheetLive) return;
  window.__factsheetLive = true;

  var script = document.currentScript;
  // The build this page's HTML comes from, and the build its stylesheets come from.
  var pageBuild = script ? script.getAttribute("data-build") : null;
  var styleBuild = pageBuild;
  var OVERLAY_ID = "factsheet-error-overlay";
  var MAX_SHOWN = 30;
  var dismissedText = null;
  var focusBefore = null;
  var currentText = null;

  function addOwnStyles() {
    if (document.getElementById("factsheet-live-css")) return;
    var link = document.createElement("link");
    link.id = "factsheet-live-css";
    link.rel = "stylesheet";
    link.href = "/__factsheet/live.css";
    (document.head || document.documentElement).appendChild(link);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Swap each same-origin stylesheet for a fresh copy (?v=generation), removing the old one
  // only when the new one has loaded, so the page never shows unstyled.
  function reloadStyles(generation) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var href = link.getAttribute("href");
      if (!href || link.id === "factsheet-live-css" || link.getAttribute("data-factsheet-old")) return;
      var url;
      try {
        url = new URL(href, document.baseURI);
      } catch (e) {
        return;
      }
      if (url.origin !== location.origin || url.pathname.indexOf("/__factsheet/") === 0) return;
      url.searchParams.set("v", String(generation));
      var fresh = link.cloneNode(false);
      // Keep the href as written (relative stays relative); only its query changes.
      fresh.setAttribute("href", href.split(/[?#]/)[0] + url.search + url.hash);
      link.setAttribute("data-factsheet-old", "1");
      var done = false;
      function swap() {
        if (done) return;
        done = true;
        if (link.parentNode) link.parentNode.removeChild(link);
      }
      fresh.addEventListener("load", swap);
      fresh.addEventListener("error", swap);
      setTimeout(swap, 3000);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  function hideOverlay() {
    currentText = null;
    var overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) return;
    var hadFocus = overlay.contains(document.activeElement);
    overlay.parentNode.removeChild(overlay);
    if (hadFocus && focusBefore && document.contains(focusBefore) && focusBefore.focus) {
      focusBefore.focus({ preventScroll: true });
    }
    focusBefore = null;
  }

  function location_of(e) {
    if (!e.file) return null;
    var text = e.file;
    if (e.line) text += ":" + e.line + (e.column ? ":" + e.column : "");
    return text;
  }

  // The rustc-style snippet: the line, and carets under the problem.
  function snippet(e) {
    if (!e.line || e.line_text === null || e.line_text === undefined) return null;
    var gutter = String(e.line);
    var pad = gutter.replace(/./g, " ");
    // caret_column: the column in line_text, which is cut around the problem on long lines.
    var col = Math.max(1, e.caret_column || e.column || 1);
    var width = Math.max(1, e.width || 1);
    var carets = new Array(col).join(" ") + new Array(width + 1).join("^");
    if (e.label) carets += " " + e.label;
    return gutter + " | " + e.line_text + "\n" + pad + " | " + carets;
  }

  function errorItem(e) {
    var item = el("li", "factsheet-error");
    if (e.file) item.setAttribute("data-file", e.file);
    if (e.line) item.setAttribute("data-line", String(e.line));
    if (e.column) item.setAttribute("data-column", String(e.column));
    var where = location_of(e);
    if (where) {
      var loc = el("p", "factsheet-error-location");
      loc.appendChild(el("code", "factsheet-error-file", where));
      item.appendChild(loc);
    }
    item.appendChild(el("p", "factsheet-error-message", e.message));
    var snip = snippet(e);
    if (snip) {
      var pre = el("pre", "factsheet-error-source");
      pre.appendChild(el("code", null, snip));
      item.appendChild(pre);
    }
    if (e.help) item.appendChild(el("p", "factsheet-error-help", "help: " + e.help));
    return item;
  }

  function showErrors(data) {
    var text = data.text || "";
    if (text === dismissedText) return;
    dismissedText = null;
    if (text === currentText && document.getElementById(OVERLAY_ID)) return;
    currentText = text;
    addOwnStyles();
    var errors = data.errors || [];
    var count = data.count || errors.length;
    var overlay = document.getElementById(OVERLAY_ID);
    var fresh = !overlay;
    var hadFocus = !fresh && overlay.contains(document.activeElement);
    if (fresh) {
      overlay = el("div", "factsheet-overlay");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-modal", "false");
      overlay.setAttribute("aria-labelledby", "factsheet-error-title");
      overlay.setAttribute("aria-describedby", "factsheet-error-intro");
      overlay.setAttribute("lang", "en");
      overlay.setAttribute("dir", "ltr");
      overlay.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape") {
          ev.preventDefault();
          dismiss();
        }
      });
    }
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    var box = el("div", "factsheet-overlay-box");
    box.appendChild(el("h2", "factsheet-overlay-title", "Build failed: " + count + (count === 1 ? " error" : " errors")));
    box.lastChild.id = "factsheet-error-title";
    box.appendChild(el("p", "factsheet-overlay-intro",
      "This page shows the last good build. Fix the file and save: this message goes away by itself."));
    box.lastChild.id = "factsheet-error-intro";
    var list = el("ol", "factsheet-error-list");
    list.id = "factsheet-error-list";
    errors.slice(0, MAX_SHOWN).forEach(function (e) {
      list.appendChild(errorItem(e));
    });
    box.appendChild(list);
    if (errors.length > MAX_SHOWN) {
      box.appendChild(el("p", "factsheet-overlay-more", "…and " + (errors.length - MAX_SHOWN) + " more: see the terminal."));
    }
    var close = el("button", "factsheet-overlay-close", "Close");
    close.type = "button";
    close.id = "factsheet-error-close";
    close.setAttribute("aria-label", "Close the build error message");
    close.addEventListener("click", dismiss);
    box.appendChild(close);
    overlay.appendChild(box);
    if (fresh) {
      (document.body || document.documentElement).appendChild(overlay);
      focusBefore = document.activeElement;
      close.focus({ preventScroll: true });
    } else if (hadFocus) {
      close.focus({ preventScroll: true });
    }
  }

  function dismiss() {
    dismissedText = currentText;
    hideOverlay();
  }

  function parse(ev) {
    try {
      return JSON.parse(ev.data);
    } catch (e) {
      return {};
    }
  }

  var source = new EventSource("/__factsheet/events");
  source.addEventListener("hello", function (ev) {
    var d = parse(ev);
    // A build finished between this page's load and now (or the server restarted).
    if (pageBuild && d.build && d.build !== pageBuild && d.build !== styleBuild) {
      location.reload();
      return;
    }
    if (!d.error) {
      dismissedText = null;
      hideOverlay();
    }
  });
  source.addEventListener("reload", function (ev) {
    var d = parse(ev);
    dismissedText = null;
    if (d.build && d.build === pageBuild) {
      hideOverlay();
      return;
    }
    location.reload();
  });
  source.addEventListener("css", function (ev) {
    var d = parse(ev);
    dismissedText = null;
    hideOverlay();
    if (d.build && d.build === styleBuild) return;
    styleBuild = d.build;
    reloadStyles(d.generation);
  });
  source.addEventListener("ok", function () {
    dismissedText = null;
    hideOverlay();
  });
  source.addEventListener("build-error", function (ev) {
    showErrors(parse(ev));
  });
})();
