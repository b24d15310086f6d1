#!/usr/bin/env python3
"""Turn a factsheet site (a corpus from examples/corpus.rs) into the same site for Hugo.

usage: bench/hugo/to-hugo.py SITE OUT

The Markdown is copied as it is except for what Hugo writes another way:
- citations `[@S1; @S2]` become `{{< cite "S1" "S2" >}}` (a shortcode that numbers them);
- the partial `_emergency.md` becomes a headless bundle `emergency/index.md`;
- `kind = "sources"` becomes `layout = "sources"`;
- sources.toml becomes data/sources.toml; i18n/, static/ are copied; layouts/ is ours.
Links to pages stay `page.md#anchor`: Hugo's own link render hook resolves them.
"""
import os, re, shutil, sys

site, out = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
if os.path.exists(out):
    shutil.rmtree(out)
os.makedirs(os.path.join(out, "content"))
os.makedirs(os.path.join(out, "data"))
shutil.copytree(os.path.join(here, "layouts"), os.path.join(out, "layouts"))
shutil.copytree(os.path.join(site, "static"), os.path.join(out, "static"))
shutil.copytree(os.path.join(site, "i18n"), os.path.join(out, "i18n"))
shutil.copy(os.path.join(site, "sources.toml"), os.path.join(out, "data", "sources.toml"))

cite = re.compile(r"\[(@[^\]]+)\]")
def shortcode(m):
    keys = [k.strip().lstrip("@").strip() for k in re.split(r"[;,]", m.group(1))]
    return "{{< cite " + " ".join(f'"{k}"' for k in keys if k) + " >}}"

src = os.path.join(site, "content")
for folder, _, files in os.walk(src):
    for name in files:
        if not name.endswith(".md"):
            continue
        rel = os.path.relpath(os.path.join(folder, name), src)
        text = open(os.path.join(folder, name), encoding="utf-8").read()
        if name.startswith("_emergency"):
            rel = os.path.join(os.path.dirname(rel), "emergency", name.replace("_emergency", "index"))
            text = "+++\nheadless = true\n+++\n" + text
        text = text.replace('\nkind = "sources"\n', '\nlayout = "sources"\n')
        text = cite.sub(shortcode, text)
        dest = os.path.join(out, "content", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        open(dest, "w", encoding="utf-8").write(text)

# site.toml -> hugo.toml (the languages and their titles)
import tomllib
conf = tomllib.load(open(os.path.join(site, "site.toml"), "rb"))
lines = [
    f'baseURL = "{conf["base_url"]}"',
    f'defaultContentLanguage = "{conf["default_language"]}"',
    "relativeURLs = true",
    'disableKinds = ["taxonomy", "term", "rss"]',
    "[markup.goldmark.renderHooks.link]",
    "useEmbedded = \"fallback\"",
    "[markup.goldmark.extensions]",
    "strikethrough = true",
    "[markup.tableOfContents]",
    "startLevel = 2",
    "endLevel = 2",
]
for i, lang in enumerate(conf["languages"]):
    lines += [f'[languages.{lang["code"]}]', f'label = "{lang["name"]}"',
              f'title = "{lang["title"]}"', f"weight = {i + 1}"]
open(os.path.join(out, "hugo.toml"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
