// Registers the service worker (sw.js, beside this script at the site root) that keeps the
// pages of this page's language for reading without a connection, and asks it to store them.
// Only over http(s) and where service workers exist: from file:// (the offline copy on a USB
// stick) and in other browsers nothing happens, and the site reads as it always did.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  var worker = new URL("sw.js", script.src);
  if (worker.origin !== location.origin) return;
  var lang = document.documentElement.getAttribute("lang") || "";
  function start() {
    navigator.serviceWorker
      .register(worker.href)
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "store", lang: lang });
      })
      .catch(function () {
        // Storage turned off or full: the site still works online, as before.
      });
  }
  // After the page has loaded: on a first visit the worker downloads the whole language,
  // which must not compete with the page the reader is waiting for.
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
