//! A small bilingual fixture site in a temp folder, and helpers to run the real binary on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The day the tests run on, as far as review dates go: the fixture's pages were reviewed on
/// 2026-11-01 and are due on 2027-05-01.
pub const TODAY: &str = "2026-12-07";
pub use factsheet::content::TODAY_ENV;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

const FILES: &[(&str, &str)] = &[
    (
        "site.toml",
        r#"base_url = "https://example.org/sheet/"
default_language = "en"
readability_max_grade = 8.0

[[languages]]
code = "en"
name = "English"
title = "Test sheet"

[[languages]]
code = "uk"
name = "Українська"
title = "Тестовий лист"
"#,
    ),
    (
        "i18n/en.toml",
        "source = \"Source\"\nsources = \"Sources\"\nnot_found = \"Page not found\"\n",
    ),
    (
        "i18n/uk.toml",
        "source = \"Джерело\"\nsources = \"Джерела\"\nnot_found = \"Сторінку не знайдено\"\n",
    ),
    (
        "sources.toml",
        r#"[A1]
title = "A study of cats"
publisher = "Journal of Cats"
date = "2020"
url = "https://example.com/cats"

[A2]
title = "Огляд"
publisher = "Журнал"
date = "2021"
url = "https://example.com/review"
lang = "uk"
"#,
    ),
    (
        "templates/base.html",
        r#"<!doctype html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ page.title }} · {{ config.title }}</title>
<link rel="canonical" href="{{ page.permalink }}">
{% for a in page.alternates %}<link rel="alternate" hreflang="{{ a.lang }}" href="{{ a.permalink }}">
{% endfor %}<link rel="alternate" hreflang="x-default" href="{{ page.x_default }}">
<link rel="stylesheet" href="{{ root }}style.css">
</head>
<body>
<nav>{% for n in nav %}<a href="{{ n.url }}"{% if n.is_current %} aria-current="page"{% endif %}>{{ n.short_title }}</a>
{% endfor %}</nav>
{% for t in page.translations %}<a href="{{ t.url }}" hreflang="{{ t.lang }}" lang="{{ t.lang }}">{{ t.name }}</a>
{% endfor %}<aside>{{ partials.note | default(value="") | safe }}</aside>
<main id="main">{% block main %}{% endblock %}</main>
</body>
</html>
"#,
    ),
    (
        "templates/page.html",
        r#"{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
<p>Reviewed <time datetime="{{ page.last_reviewed }}">{{ page.last_reviewed }}</time></p>
{{ page.content | safe }}
{% if page.citations %}<h2>{{ t.sources }}</h2><ol>{% for c in page.citations %}
<li id="ref-{{ c.key }}"><a href="{{ c.url }}" lang="{{ c.lang }}">{{ c.title }}</a> <a href="{{ c.sources_url }}">all</a></li>{% endfor %}
</ol>{% endif %}{% endblock %}
"#,
    ),
    (
        "templates/sources.html",
        r#"{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
<ol>{% for s in sources %}<li id="{{ s.key }}">{{ s.title }}: {% for p in s.cited_by %}<a href="{{ p.url }}">{{ p.title }}</a> {% endfor %}</li>
{% endfor %}</ol>
<ol>{% for c in page.citations %}<li id="ref-{{ c.key }}">{{ c.title }}</li>{% endfor %}</ol>{% endblock %}
"#,
    ),
    (
        "templates/print.html",
        r#"{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
{% for p in pages %}<section id="{{ p.anchor }}"><h2>{{ p.title }}</h2>{{ p.content | safe }}<ol>{% for c in p.citations %}<li id="{{ p.anchor }}-ref-{{ c.key }}" value="{{ c.number }}">{{ c.title }}</li>{% endfor %}</ol></section>
{% endfor %}<ol>{% for c in page.citations %}<li id="ref-{{ c.key }}">{{ c.title }}</li>{% endfor %}</ol>{% endblock %}
"#,
    ),
    (
        "templates/404.html",
        "<!doctype html><html lang=\"en\"><title>404</title><a href=\"{{ root }}\">{{ i18n.en.not_found }}</a> <a href=\"{{ root }}uk/\">{{ i18n.uk.not_found }}</a></html>\n",
    ),
    ("static/style.css", "body { font-family: sans-serif; }\n"),
    ("content/_note.md", "Call for help [@A1].\n"),
    ("content/_note.uk.md", "Кличте допомогу [@A1].\n"),
    (
        "content/_index.md",
        "+++\ntitle = \"Home\"\ndescription = \"The home page.\"\nweight = 0\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n\nRead about [risks](risks.md) and the [bladder](risks.md#bladder).\n",
    ),
    (
        "content/_index.uk.md",
        "+++\ntitle = \"Головна\"\ndescription = \"Головна сторінка.\"\nweight = 0\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n\nПро [ризики](risks.md) і [сечовий міхур](risks.md#bladder).\n",
    ),
    (
        "content/risks.md",
        "+++\ntitle = \"Risks\"\ndescription = \"What can go wrong.\"\nweight = 10\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nshort_title = \"Risks\"\n+++\n\n## On the day\n\nYou may feel sleepy [@A1].\n\n## Bladder {#bladder}\n\nIt can hurt the bladder [@A2; @A1].\n",
    ),
    (
        "content/risks.uk.md",
        "+++\ntitle = \"Ризики\"\ndescription = \"Що може піти не так.\"\nweight = 10\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nshort_title = \"Ризики\"\n+++\n\n## У день лікування\n\nВи можете відчувати сонливість [@A1].\n\n## Сечовий міхур {#bladder}\n\nЦе може пошкодити сечовий міхур [@A2; @A1].\n",
    ),
    (
        "content/sources.md",
        "+++\ntitle = \"Sources\"\ndescription = \"Every source.\"\nweight = 90\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nkind = \"sources\"\ntemplate = \"sources.html\"\n+++\n\nAll our sources.\n",
    ),
    (
        "content/sources.uk.md",
        "+++\ntitle = \"Джерела\"\ndescription = \"Усі джерела.\"\nweight = 90\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nkind = \"sources\"\ntemplate = \"sources.html\"\n+++\n\nУсі наші джерела.\n",
    ),
    (
        "content/print.md",
        "+++\ntitle = \"Print\"\ndescription = \"Everything on one page.\"\nweight = 100\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nkind = \"print\"\ntemplate = \"print.html\"\n+++\n\nPrint this page.\n",
    ),
    (
        "content/print.uk.md",
        "+++\ntitle = \"Друк\"\ndescription = \"Усе на одній сторінці.\"\nweight = 100\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\nkind = \"print\"\ntemplate = \"print.html\"\n+++\n\nНадрукуйте цю сторінку.\n",
    ),
];

impl Fixture {
    pub fn new() -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        for (path, text) in FILES {
            f.write(path, text);
        }
        f
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Replace `from` with `to` in a file, failing loudly if `from` is not there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Write `templates/extra.html` and call `call` (`<tree n={1}/>`) under each page's title.
    pub fn call_component(&self, components: &str, call: &str) {
        self.write("templates/extra.html", components);
        self.edit(
            "templates/page.html",
            "<h1>{{ page.title }}</h1>",
            &format!("<h1>{{{{ page.title }}}}</h1>{{{{ {call} }}}}"),
        );
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap();
    }

    /// Run `factsheet ARGS --root <fixture>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_factsheet"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .current_dir(self.root())
            .env(TODAY_ENV, TODAY)
            .output()
            .expect("run factsheet");
        Run::from(output)
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every file under `dir` with its bytes, for byte-identical comparisons.
pub fn snapshot_dir(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}
