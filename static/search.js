// Site search. Turns the "Search" link above the page into a button that opens a search box. The index
// (search-index.<lang>.js, written by factsheet build) is loaded on first use as a <script>,
// which browsers also allow from file://, where fetch() is refused. Words are reduced to stems
// with the rules stored in the index, so queries are read exactly as the pages were.
// On a large site that file is only an entry: the terms are in shards and the pages in
// fragments (search-index.<lang>/t<n>.js, p<n>.js), and a query loads the shards of its
// words, then the fragments of the results it shows: the first ten, and ten more when the
// reader asks for them.
(function () {
  'use strict';
  var box = document.querySelector('[data-search]');
  // Old browsers keep the plain link to the list of all pages.
  if (!box || !('replaceChildren' in box)) return;
  var opts = box.dataset;
  var APOSTROPHES = /['\u02BC\u2019\u2018`\u02B9\u0301]/g;
  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u;
  var MAX_RESULTS = 20;
  // Shown at first; the rest wait behind a button. On a large site each result shown loads a
  // fragment: ten keep a first query within 100 KB on a phone's connection (issue 26). A
  // theme that does not name the button (data-more) gets every result at once, as before.
  var SHOWN_AT_ONCE = opts.more ? 10 : MAX_RESULTS;
  var index = null;
  var loading = false;
  // A split index: the section numbers each page starts at, its terms and fragments loaded
  // so far, and the scripts being loaded.
  var split = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // Until it is used the search is one button the size of the link it replaces, so the page
  // does not move when the script runs, and on a phone it shares the menu's row.
  var allPages = box.querySelector('a');
  var toggle = el('button', {
    type: 'button', class: 'search-toggle', 'aria-expanded': 'false', 'aria-controls': 'search-form',
  }, allPages ? allPages.textContent : opts.label);
  var form = el('form', { id: 'search-form', class: 'search-form', role: 'search' });
  form.hidden = true;
  var label = el('label', { for: 'search-input' }, opts.label);
  var input = el('input', {
    id: 'search-input', type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'search-status',
  });
  var status = el('p', { id: 'search-status', class: 'search-status', role: 'status' });
  var list = el('ol', { class: 'search-results', 'aria-label': opts.label });
  list.hidden = true;
  var more = el('button', { type: 'button', class: 'search-more' }, opts.more);
  more.hidden = true;
  // The results of the query on screen, and how many of them are shown.
  var current = { results: [], shown: 0 };
  // The link to the list of every page stays, under its name in this language.
  var top = el('div', { class: 'search-top' });
  top.append(label);
  if (allPages) {
    allPages.textContent = opts.allPages;
    allPages.removeAttribute('class');
    top.append(allPages);
  }
  form.append(top, input, status, list, more);
  box.replaceChildren(toggle, form);

  function expand(open) {
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    box.classList.toggle('is-open', open);
    (open ? input : toggle).focus();
  }
  toggle.addEventListener('click', function () { expand(form.hidden); });

  function length(s) { return Array.from(s).length; }

  function stem(word, rules) {
    for (var i = 0; i < rules.suffixes.length; i++) {
      var suffix = rules.suffixes[i][0];
      if (word.endsWith(suffix) && length(word) - length(suffix) >= rules.min_stem) {
        return word.slice(0, word.length - suffix.length) + rules.suffixes[i][1];
      }
    }
    return word;
  }

  // The same steps as tokens() in src/search.rs.
  function words(text, rules) {
    return text.replace(APOSTROPHES, '').split(SPLIT)
      .map(function (w) { return w.toLowerCase(); })
      .filter(function (w) { return length(w) > 1 && rules.stop.indexOf(w) < 0; })
      .map(function (w) { return stem(w, rules); });
  }

  // Pages holding every word of the query, best first, each with its best section. The last
  // word also matches as the start of a longer one, for results while typing.
  function search(query) {
    var terms = words(query, index.rules);
    if (!terms.length) return [];
    var typing = !/\s$/.test(query);
    var perTerm = terms.map(function (term, i) {
      var hits = {};
      // One number per section: distance from the previous section * 16 + weight.
      var add = function (postings, factor) {
        var s = 0;
        for (var j = 0; j < postings.length; j++) {
          s += Math.floor(postings[j] / 16);
          hits[s] = Math.max(hits[s] || 0, (postings[j] % 16) * factor);
        }
      };
      var known = split ? split.terms : index.terms;
      if (known[term]) add(known[term], 1);
      if (typing && i === terms.length - 1) {
        Object.keys(known).forEach(function (t) {
          if (t !== term && t.startsWith(term)) add(known[t], 0.5);
        });
      }
      return hits;
    });
    var pages = {};
    perTerm.forEach(function (hits, t) {
      Object.keys(hits).forEach(function (s) {
        var pageNumber = pageOf(Number(s));
        var p = pages[pageNumber] || (pages[pageNumber] = { terms: {}, sections: {} });
        p.terms[t] = Math.max(p.terms[t] || 0, hits[s]);
        p.sections[s] = (p.sections[s] || 0) + hits[s];
      });
    });
    var results = [];
    Object.keys(pages).forEach(function (p) {
      var page = pages[p];
      if (Object.keys(page.terms).length < terms.length) return;
      var best = null;
      Object.keys(page.sections).forEach(function (s) {
        if (best === null || page.sections[s] > page.sections[best]) best = s;
      });
      var score = page.sections[best];
      Object.keys(page.terms).forEach(function (t) { score += page.terms[t]; });
      results.push({ page: Number(p), section: Number(best), score: score });
    });
    results.sort(function (a, b) { return b.score - a.score || a.section - b.section; });
    return results.slice(0, MAX_RESULTS);
  }

  function item(r) {
    var page = pageData(r.page);
    var section = sectionData(r.page, r.section);
    var link = el('a', { href: opts.root + page[1] + (section[2] ? '#' + section[2] : '') });
    link.append(el('span', { class: 'search-page' }, page[0]));
    if (section[1]) link.append(el('span', { class: 'search-heading' }, section[1]));
    var li = el('li');
    li.append(link);
    var snippet = section[3] || page[2];
    if (snippet) li.append(el('p', { class: 'search-snippet' }, snippet));
    return li;
  }

  // The results the list shows next.
  function nextResults() { return current.results.slice(current.shown, current.shown + SHOWN_AT_ONCE); }

  // Adds the next results to the list (their pages' data already loaded).
  function showMore() {
    var next = nextResults();
    next.forEach(function (r) { list.append(item(r)); });
    current.shown += next.length;
    more.hidden = current.shown >= current.results.length;
    return next.length;
  }

  function show(results, query) {
    list.replaceChildren();
    current = { results: results, shown: 0 };
    showMore();
    list.hidden = !results.length;
    if (!query.trim()) {
      announce('');
    } else if (results.length) {
      announce(opts.found.replace('{count}', results.length));
    } else {
      announce(opts.none, true);
    }
  }

  more.addEventListener('click', function () {
    var shown = current;
    withPages(nextResults(), function () {
      if (shown !== current) return;
      var first = current.shown;
      if (showMore()) links()[first].focus();
      else input.focus();
    });
  });

  // The status is a live region: wait for a pause in typing, so a screen reader reads the
  // count once rather than after every letter.
  var timer = null;
  function announce(text, withLink) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      status.replaceChildren(text);
      if (withLink && allPages) {
        status.append(' ');
        status.append(el('a', { href: allPages.getAttribute('href') }, allPages.textContent));
      }
    }, text ? 400 : 0);
  }

  // The page a section (numbered across all pages) is on.
  function pageOf(s) {
    if (!split) return index.sections[s][0];
    var lo = 0, hi = split.starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (split.starts[mid] <= s) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // Title, link and description of a page; heading, anchor and snippet of a section, with
  // the page number first as in a whole index.
  function pageData(p) {
    return split ? split.pages[p] : index.pages[p];
  }
  function sectionData(p, s) {
    if (!split) return index.sections[s];
    var section = split.pages[p][3][s - split.starts[p]];
    return [p, section[0], section[1], section[2]];
  }

  // The shards that hold `term`, and every word it starts if `prefix`: shard i holds the
  // stems from its first, split.shards[i], to the next shard's first.
  function shardsOf(term, prefix) {
    var bounds = index.split.shards;
    var lo = -1, hi = bounds.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (bounds[mid] <= term) lo = mid; else hi = mid - 1;
    }
    var out = lo >= 0 ? [lo] : [];
    for (var j = lo + 1; prefix && j < bounds.length && bounds[j].startsWith(term); j++) out.push(j);
    return out;
  }

  // Loads the scripts of a split index named by `keys` ("en/t3"), then calls `done`.
  var base = (opts.index || '').replace(/\.js$/, '/');
  function need(keys, done) {
    var lang = index.lang;
    var missing = keys.filter(function (k) { return !split.loaded[k]; });
    var waiting = missing.length;
    if (!waiting) { done(); return; }
    missing.forEach(function (k) {
      if (split.loading[k]) { split.loading[k].push(arrived); return; }
      split.loading[k] = [arrived];
      var script = el('script', { src: base + k.slice(lang.length + 1) + '.js' });
      script.onload = function () {
        var data = window.factsheetSearch[k];
        var waiters = split.loading[k];
        delete split.loading[k];
        if (!data) { announce(opts.failed, true); return; }
        split.loaded[k] = true;
        if (k.charAt(lang.length + 1) === 't') {
          Object.keys(data).forEach(function (t) { split.terms[t] = data[t]; });
        } else {
          var first = split.fragmentStarts[Number(k.slice(lang.length + 2))];
          data.forEach(function (page, i) { split.pages[first + i] = page; });
        }
        delete window.factsheetSearch[k];
        waiters.forEach(function (f) { f(); });
      };
      script.onerror = function () { delete split.loading[k]; announce(opts.failed, true); };
      document.head.append(script);
    });
    function arrived() { if (--waiting === 0) done(); }
  }

  // Loads the fragments that hold the pages of `results` (a split index), then calls `done`.
  function withPages(results, done) {
    if (!split) { done(); return; }
    var fragments = {};
    results.forEach(function (r) { fragments[index.lang + '/p' + split.fragmentOf[r.page]] = true; });
    need(Object.keys(fragments), done);
  }

  function prepare(loaded) {
    index = loaded;
    if (!index.split) return;
    split = { starts: [], terms: {}, pages: {}, fragmentOf: [], fragmentStarts: [], loaded: {}, loading: {} };
    var s = 0;
    index.split.sections.forEach(function (n) { split.starts.push(s); s += n; });
    var p = 0;
    index.split.fragments.forEach(function (n, f) {
      split.fragmentStarts.push(p);
      for (var i = 0; i < n; i++) split.fragmentOf[p++] = f;
    });
  }

  function run() {
    if (index && split) {
      var query = input.value;
      var terms = words(query, index.rules);
      var typing = !/\s$/.test(query);
      var shards = {};
      terms.forEach(function (term, i) {
        shardsOf(term, typing && i === terms.length - 1).forEach(function (n) { shards[index.lang + '/t' + n] = true; });
      });
      need(Object.keys(shards), function () {
        if (input.value !== query) return;
        var results = search(query);
        withPages(results.slice(0, SHOWN_AT_ONCE), function () {
          if (input.value === query) show(results, query);
        });
      });
      return;
    }
    if (index) {
      show(search(input.value), input.value);
      return;
    }
    if (loading) return;
    loading = true;
    var script = el('script', { src: opts.index });
    script.onload = function () {
      var loaded = window.factsheetSearch && window.factsheetSearch[document.documentElement.lang];
      if (loaded) { prepare(loaded); run(); } else announce(opts.failed, true);
    };
    script.onerror = function () { announce(opts.failed, true); };
    document.head.append(script);
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll('a')); }
  // What the arrow keys walk: the results, then the button that shows more.
  function stops() { return more.hidden ? links() : links().concat(more); }

  input.addEventListener('focus', run);
  input.addEventListener('input', run);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (links()[0]) links()[0].focus();
  });
  // Arrow keys move between the input and the results; Escape clears the search.
  form.addEventListener('keydown', function (e) {
    var all = stops();
    var at = all.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && all.length) {
      e.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (e.key === 'ArrowUp' && at >= 0) {
      e.preventDefault();
      (at === 0 ? input : all[at - 1]).focus();
    } else if (e.key === 'Escape' && (input.value || at >= 0)) {
      e.preventDefault();
      input.value = '';
      show([], '');
      input.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      expand(false);
    }
  });
  if (input.value) { expand(true); run(); }
})();
