//! A synthetic bilingual site for benchmarks: `N` pages per language, deterministic from a seed.
//!
//! ```text
//! cargo run --release --example corpus -- --pages 1000 --out /tmp/corpus-1000 [--seed 1]
//! ```
//!
//! The corpus uses this project's real theme (templates/, static/, i18n/ and site.toml are
//! copied from the project), 50 sources each cited somewhere, the `_emergency` partials, a
//! sources page, the project's search page and no print page (one printable page of 10,000
//! pages makes no sense). Pages live in sections of 100 (`secNN/_index.md` + 99 pages); above
//! 1,000 pages the sections are grouped ten to a part (`partNN/secNN/`) so that the navigation
//! (top-level pages) stays at about a dozen entries. Every page has 600–1,200 words of Markdown: headings (explicit and
//! automatic ids), lists, tables, block quotes, footnotes, links to other pages with anchors,
//! links out, and citations; the Ukrainian twin has the same structure, links and citations.
//!
//! Run `factsheet build --root DIR` on the result; it builds without errors or warnings.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SECTION_SIZE: usize = 100;
const SECTIONS_PER_PART: usize = 10;
const SOURCES: usize = 50;
const MARKER: &str = ".factsheet-corpus";

/// xorshift64*: small, fast, deterministic; plenty for text generation.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        list[self.next() as usize % list.len()]
    }
}

// Short, common words keep the English pages within the site's reading-grade limit (8).
const EN_NOUNS: &[&str] = &[
    "dose", "drug", "nurse", "doctor", "clinic", "spray", "test", "sleep", "pain", "mood", "heart",
    "blood", "brain", "bladder", "body", "mind", "week", "day", "plan", "risk", "help", "staff",
    "care", "home", "friend", "family", "room", "chair", "water", "food", "drink", "pill", "note",
    "form", "list", "sign", "dream", "head", "eye", "hand", "car", "bus", "law", "shop", "street",
    "study", "trial", "group", "child", "adult", "patient", "sister", "partner", "phone", "number",
    "time", "hour", "night", "morning", "answer", "question", "choice", "change", "effect", "side",
];
const EN_VERBS: &[&str] = &[
    "check", "help", "watch", "take", "give", "make", "keep", "tell", "ask", "feel", "see", "find",
    "need", "use", "stop", "start", "call", "wait", "rest", "read", "write", "bring", "share",
    "plan", "learn", "try", "choose",
];
const EN_ADJS: &[&str] = &[
    "safe", "calm", "short", "long", "new", "old", "good", "bad", "low", "high", "quick", "slow",
    "clear", "small", "big", "kind", "rare", "common", "strong", "mild", "first", "last", "full",
    "warm", "plain", "real",
];
const EN_FILL: &[&str] = &[
    "the", "a", "your", "this", "that", "some", "each", "our", "every", "no", "one", "two", "more",
    "less", "most",
];
const EN_LINK: &[&str] = &[
    "with", "for", "after", "before", "at", "in", "on", "by", "from", "to", "and", "or", "but",
];

const UK_NOUNS: &[&str] = &[
    "доза",
    "ліки",
    "медсестра",
    "лікар",
    "клініка",
    "спрей",
    "аналіз",
    "сон",
    "біль",
    "настрій",
    "серце",
    "кров",
    "мозок",
    "сечовий міхур",
    "тіло",
    "думка",
    "тиждень",
    "день",
    "план",
    "ризик",
    "допомога",
    "персонал",
    "догляд",
    "дім",
    "друг",
    "родина",
    "кімната",
    "крісло",
    "вода",
    "їжа",
    "напій",
    "таблетка",
    "запис",
    "форма",
    "список",
    "ознака",
    "мрія",
    "голова",
    "око",
    "рука",
    "машина",
    "автобус",
    "закон",
    "аптека",
    "вулиця",
    "дослідження",
    "група",
    "дитина",
    "дорослий",
    "пацієнт",
    "сестра",
    "партнер",
    "телефон",
    "номер",
    "час",
    "година",
    "ніч",
    "ранок",
    "відповідь",
    "питання",
    "вибір",
    "зміна",
    "дія",
    "пам'ять",
];
const UK_VERBS: &[&str] = &[
    "перевіряє",
    "допомагає",
    "стежить",
    "приймає",
    "дає",
    "робить",
    "тримає",
    "каже",
    "питає",
    "відчуває",
    "бачить",
    "знаходить",
    "потребує",
    "використовує",
    "зупиняє",
    "починає",
    "дзвонить",
    "чекає",
    "відпочиває",
    "читає",
    "пише",
    "приносить",
    "ділиться",
    "планує",
    "вчиться",
    "пробує",
    "обирає",
];
const UK_ADJS: &[&str] = &[
    "безпечний",
    "спокійний",
    "короткий",
    "довгий",
    "новий",
    "старий",
    "добрий",
    "поганий",
    "низький",
    "високий",
    "швидкий",
    "повільний",
    "ясний",
    "малий",
    "великий",
    "рідкісний",
    "частий",
    "сильний",
    "легкий",
    "перший",
    "останній",
    "повний",
    "теплий",
    "простий",
    "справжній",
];
const UK_FILL: &[&str] = &[
    "цей",
    "той",
    "ваш",
    "кожен",
    "наш",
    "один",
    "два",
    "більше",
    "менше",
    "усі",
    "деякі",
];
const UK_LINK: &[&str] = &[
    "з",
    "для",
    "після",
    "перед",
    "у",
    "на",
    "від",
    "до",
    "і",
    "або",
    "але",
    "та",
];

/// Headings with explicit ids, the same in both languages, that other pages link to.
const ANCHORS: &[(&str, &str, &str)] = &[
    ("dose", "How the dose is chosen", "Як обирають дозу"),
    ("on-the-day", "On the day of treatment", "У день лікування"),
    ("after", "After the treatment", "Після лікування"),
    (
        "risks",
        "Risks to know about",
        "Ризики, про які варто знати",
    ),
    (
        "evidence",
        "How strong the evidence is",
        "Наскільки сильні докази",
    ),
    ("who", "Who it may help", "Кому це може допомогти"),
    ("who-not", "Who should not have it", "Кому не можна"),
    ("help", "Where to get help", "Де отримати допомогу"),
    ("law", "What the law says", "Що каже закон"),
    (
        "questions",
        "Questions to ask",
        "Питання, які варто поставити",
    ),
    ("bladder", "Bladder problems", "Проблеми із сечовим міхуром"),
    ("driving", "Driving and travel", "Керування авто і подорожі"),
];

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    En,
    Uk,
}

struct Words {
    nouns: &'static [&'static str],
    verbs: &'static [&'static str],
    adjs: &'static [&'static str],
    fill: &'static [&'static str],
    link: &'static [&'static str],
}

impl Lang {
    fn words(self) -> Words {
        match self {
            Lang::En => Words {
                nouns: EN_NOUNS,
                verbs: EN_VERBS,
                adjs: EN_ADJS,
                fill: EN_FILL,
                link: EN_LINK,
            },
            Lang::Uk => Words {
                nouns: UK_NOUNS,
                verbs: UK_VERBS,
                adjs: UK_ADJS,
                fill: UK_FILL,
                link: UK_LINK,
            },
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Uk => ".uk",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Home,
    Sources,
    Part,
    Section,
    Page,
}

/// One page of the site (both languages).
struct Plan {
    /// `part01/sec03/p0042`, `sec03/_index`, `_index`.
    key: String,
    kind: Kind,
    weight: usize,
    /// Explicit heading ids on this page (besides `key-facts`, which every page has).
    anchors: Vec<usize>,
    /// Pages listed on an index page.
    children: Vec<usize>,
    /// Which part / section it belongs to (for picking nearby link targets).
    section: usize,
}

impl Plan {
    fn dir(&self) -> &str {
        self.key.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

struct Args {
    pages: usize,
    out: PathBuf,
    seed: u64,
    theme: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut pages = None;
    let mut out = None;
    let mut seed = 1;
    let mut theme = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--pages" => {
                pages = Some(
                    value()?
                        .replace([',', '_'], "")
                        .parse()
                        .map_err(|e| format!("--pages: {e}"))?,
                )
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--theme-from" => theme = PathBuf::from(value()?),
            "-h" | "--help" => {
                return Err(
                    "usage: corpus --pages N --out DIR [--seed S] [--theme-from PROJECT]".into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let pages: usize = pages.ok_or("--pages N is required")?;
    if pages < 3 {
        return Err("--pages must be at least 3".into());
    }
    Ok(Args {
        pages,
        out: out.ok_or("--out DIR is required")?,
        seed,
        theme,
    })
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let out = &args.out;
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| e.to_string())?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(format!(
                "{} is not empty and is not a corpus (no {MARKER})",
                out.display()
            ));
        }
        for sub in ["content", "templates", "static", "i18n", "public"] {
            let p = out.join(sub);
            if p.exists() {
                std::fs::remove_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(out.join("content")).map_err(|e| e.to_string())?;
    write(
        &out.join(MARKER),
        &format!("pages = {}\nseed = {}\n", args.pages, args.seed),
    )?;
    for dir in ["templates", "static", "i18n"] {
        copy_dir(&args.theme.join(dir), &out.join(dir))?;
    }
    std::fs::copy(args.theme.join("site.toml"), out.join("site.toml"))
        .map_err(|e| format!("site.toml: {e}"))?;
    // The theme's header links to the search page, which lists every page without JavaScript.
    for file in ["search.md", "search.uk.md"] {
        std::fs::copy(
            args.theme.join("content").join(file),
            out.join("content").join(file),
        )
        .map_err(|e| format!("content/{file}: {e}"))?;
    }

    let plans = plan(args.pages, args.seed);
    write(&out.join("sources.toml"), &sources_toml(args.seed))?;
    for lang in [Lang::En, Lang::Uk] {
        write(
            &out.join(format!("content/_emergency{}.md", lang.suffix())),
            emergency(lang),
        )?;
    }
    let mut words = 0;
    for (i, p) in plans.iter().enumerate() {
        for lang in [Lang::En, Lang::Uk] {
            let (text, n) = page(&plans, i, lang, args.seed);
            words += n;
            let path = out
                .join("content")
                .join(format!("{}{}.md", p.key, lang.suffix()));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            write(&path, &text)?;
        }
    }
    println!(
        "wrote {} pages per language ({} words in all) to {}",
        plans.len(),
        words,
        out.display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .map_err(|e| format!("{}: {e}", from.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(&name);
        if e.path().is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)
                .map_err(|err| format!("{}: {err}", e.path().display()))?;
        }
    }
    Ok(())
}

/// The site's pages: home, sources, then sections of 100 (grouped in parts above 1,000 pages),
/// exactly `n` in all.
fn plan(n: usize, seed: u64) -> Vec<Plan> {
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut plans = vec![
        Plan {
            key: "_index".into(),
            kind: Kind::Home,
            weight: 0,
            anchors: vec![],
            children: vec![],
            section: 0,
        },
        Plan {
            key: "sources".into(),
            kind: Kind::Sources,
            weight: 10_000,
            anchors: vec![],
            children: vec![],
            section: 0,
        },
    ];
    let nested = n > SECTION_SIZE * SECTIONS_PER_PART + 2;
    let anchors = |rng: &mut Rng| {
        let mut a: Vec<usize> = (0..ANCHORS.len()).collect();
        // A partial Fisher-Yates shuffle: 2 to 4 distinct explicit ids per page.
        let k = rng.range(2, 4);
        for i in 0..k {
            let j = rng.range(i, a.len() - 1);
            a.swap(i, j);
        }
        a.truncate(k);
        a
    };
    let mut section = 0;
    let mut part: Option<usize> = None;
    let mut sections_in_part = 0;
    while plans.len() < n {
        if nested && (part.is_none() || sections_in_part == SECTIONS_PER_PART) {
            let p = part.map_or(1, |p| p + 1);
            part = Some(p);
            sections_in_part = 0;
            let a = anchors(&mut rng);
            let idx = plans.len();
            plans.push(Plan {
                key: format!("part{p:02}/_index"),
                kind: Kind::Part,
                weight: p * 10,
                anchors: a,
                children: vec![],
                section: section + 1,
            });
            plans[0].children.push(idx);
            continue;
        }
        section += 1;
        sections_in_part += 1;
        let dir = match part {
            Some(p) => format!("part{p:02}/sec{section:03}"),
            None => format!("sec{section:02}"),
        };
        let a = anchors(&mut rng);
        let sec_idx = plans.len();
        plans.push(Plan {
            key: format!("{dir}/_index"),
            kind: Kind::Section,
            weight: section * 10,
            anchors: a,
            children: vec![],
            section,
        });
        match part {
            Some(_) => {
                let part_idx = plans
                    .iter()
                    .rposition(|p| p.kind == Kind::Part)
                    .unwrap_or(0);
                plans[part_idx].children.push(sec_idx);
            }
            None => plans[0].children.push(sec_idx),
        }
        for i in 1..SECTION_SIZE {
            if plans.len() >= n {
                break;
            }
            let a = anchors(&mut rng);
            let idx = plans.len();
            plans.push(Plan {
                key: format!("{dir}/p{i:03}"),
                kind: Kind::Page,
                weight: i * 10,
                anchors: a,
                children: vec![],
                section,
            });
            plans[sec_idx].children.push(idx);
        }
    }
    plans
}

fn sources_toml(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x50_0C);
    let publishers = [
        "National Institute for Health and Care Excellence",
        "US Food and Drug Administration",
        "European Medicines Agency",
        "Ministry of Health of Ukraine",
        "World Health Organization",
        "Cochrane Database of Systematic Reviews",
        "The Lancet Psychiatry",
        "BMJ",
    ];
    let mut s =
        String::from("# Synthetic sources for the benchmark corpus (examples/corpus.rs).\n");
    for i in 1..=SOURCES {
        let uk = i % 7 == 0;
        let title = if uk {
            sentence(&mut rng.clone(), &Lang::Uk.words(), 6, 10, false)
        } else {
            sentence(&mut rng.clone(), &Lang::En.words(), 6, 12, false)
        };
        rng.next();
        let _ = writeln!(s, "\n[S{i}]");
        let _ = writeln!(s, "title = {}", toml_str(title.trim_end_matches('.')));
        let _ = writeln!(s, "publisher = {}", toml_str(rng.pick(&publishers)));
        let _ = writeln!(
            s,
            "date = \"{} March {}\"",
            rng.range(1, 28),
            rng.range(2005, 2026)
        );
        let _ = writeln!(
            s,
            "url = \"https://example.org/sources/{i}?ref=corpus&n={i}\""
        );
        if uk {
            s.push_str("lang = \"uk\"\n");
        }
        if rng.chance(20) {
            s.push_str("secondary = true\n");
        }
    }
    s
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn emergency(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "**In an emergency**\n\n- Call **103** (ambulance) or **112** if someone is unconscious or is breathing very slowly [@S1; @S2].\n- Tell the crew what was taken and when. It could save a life [@S3].\n"
        }
        Lang::Uk => {
            "**У надзвичайній ситуації**\n\n- Телефонуйте **103** (швидка) або **112**, якщо людина непритомна або дихає дуже повільно [@S1; @S2].\n- Скажіть бригаді, що і коли було прийнято. Це може врятувати життя [@S3].\n"
        }
    }
}

/// A sentence of `lo..=hi` words, capitalised, ending with a full stop.
fn sentence(rng: &mut Rng, w: &Words, lo: usize, hi: usize, quotes: bool) -> String {
    let n = rng.range(lo, hi);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let word = match (i % 5, rng.range(0, 9)) {
            (0, _) | (_, 0) => rng.pick(w.fill),
            (1, _) | (_, 1..=2) => rng.pick(w.nouns),
            (2, _) | (_, 3) => rng.pick(w.verbs),
            (3, _) | (_, 4..=5) => rng.pick(w.adjs),
            _ => rng.pick(w.link),
        };
        if quotes && i == 2 && n > 4 {
            let _ = write!(s, "\"{word}\"");
        } else {
            s.push_str(word);
        }
    }
    capitalise(&s) + "."
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn title(rng: &mut Rng, w: &Words) -> String {
    let n = rng.range(2, 5);
    let mut parts = vec![rng.pick(w.adjs), rng.pick(w.nouns)];
    for _ in 2..n {
        parts.push(rng.pick(w.link));
        parts.push(rng.pick(w.nouns));
    }
    capitalise(&parts.join(" "))
}

/// The relative path of the Markdown file of `to` from the folder `from_dir`.
fn md_path(from_dir: &str, to_key: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = to_key.split('/').collect();
    let to_dir = &to[..to.len() - 1];
    let common = from.iter().zip(to_dir).take_while(|(a, b)| a == b).count();
    let mut p = "../".repeat(from.len() - common);
    p.push_str(&to[common..].join("/"));
    p.push_str(".md");
    p
}

/// Per page: structure (`s`, the same for both languages: blocks, links, citations) and words
/// (`w`, per language).
struct Gen<'a> {
    plans: &'a [Plan],
    me: usize,
    s: Rng,
    w: Rng,
    words: Words,
    lang: Lang,
    cites: Vec<usize>,
    footnotes: Vec<String>,
    count: usize,
    /// Cite this source in the next sentence.
    first_cite: Option<usize>,
}

impl Gen<'_> {
    /// A citation like ` [@S4]` or ` [@S4; @S9]` at the end of a sentence, sometimes.
    fn cite(&mut self, percent: u64) -> String {
        if !self.s.chance(percent) {
            return String::new();
        }
        let a = self.s.pick(&self.cites);
        if self.s.chance(30) {
            let b = self.s.pick(&self.cites);
            if b != a {
                return format!(" [@S{a}; @S{b}]");
            }
        }
        format!(" [@S{a}]")
    }

    /// A link to another page (often with an anchor), to a heading on this page, or out.
    fn link(&mut self) -> String {
        let plans = self.plans;
        let me = &plans[self.me];
        let roll = self.s.range(0, 99);
        let target = if roll < 45 {
            // A neighbour in the same section.
            let same: Vec<usize> = (self.me.saturating_sub(8)..(self.me + 8).min(plans.len()))
                .filter(|&i| {
                    i != self.me && plans[i].section == me.section && plans[i].kind == Kind::Page
                })
                .collect();
            if same.is_empty() {
                self.s.range(2, plans.len() - 1)
            } else {
                self.s.pick(&same)
            }
        } else if roll < 80 {
            self.s.range(2, plans.len() - 1)
        } else if roll < 88 {
            0
        } else if roll < 94 {
            let n = self.s.range(1, 5);
            let text = self.phrase(2, 4);
            return format!("[{text}](#{})", if n == 1 { "key-facts" } else { "main" });
        } else {
            let n = self.s.range(1, 999);
            let text = self.phrase(2, 4);
            return format!("[{text}](https://example.org/read/{n})");
        };
        let t = &plans[target];
        let path = md_path(me.dir(), &t.key);
        let anchor = if t.kind == Kind::Home || t.kind == Kind::Sources || self.s.chance(30) {
            String::new()
        } else if self.s.chance(30) {
            "#key-facts".to_string()
        } else {
            format!("#{}", ANCHORS[self.s.pick(&t.anchors)].0)
        };
        let text = self.phrase(2, 5);
        format!("[{text}]({path}{anchor})")
    }

    /// `lo..=hi` words; the count is structure (the same in both languages), the words are not.
    fn phrase(&mut self, lo: usize, hi: usize) -> String {
        let n = self.s.range(lo, hi);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(if i % 2 == 0 {
                self.w.pick(self.words.adjs)
            } else {
                self.w.pick(self.words.nouns)
            });
        }
        self.count += n;
        s
    }

    /// A sentence with, sometimes, emphasis, a link, a footnote and a citation.
    fn sentence(&mut self) -> String {
        let len = self.s.range(6, 14);
        let quotes = self.s.chance(5);
        let mut s = sentence(&mut self.w, &self.words, len, len, quotes);
        self.count += len;
        s.pop(); // the full stop
        if self.s.chance(10) {
            let p = self.phrase(1, 2);
            s = format!("{s} **{p}**");
        } else if self.s.chance(8) {
            let p = self.phrase(1, 2);
            s = format!("{s} *{p}*");
        }
        if self.s.chance(12) {
            let l = self.link();
            let k = self.s.range(0, 9);
            s = format!("{s}, {} {l}", self.words.link[k % self.words.link.len()]);
        }
        if self.s.chance(3) {
            let n = self.footnotes.len() + 1;
            let len = self.s.range(5, 10);
            let note = sentence(&mut self.w, &self.words, len, len, false);
            self.count += len;
            self.footnotes.push(note);
            s = format!("{s}[^note-{n}]");
        }
        let cite = match self.first_cite.take() {
            Some(k) => format!(" [@S{k}]"),
            None => self.cite(45),
        };
        s + &cite + "."
    }

    fn paragraph(&mut self) -> String {
        let n = self.s.range(2, 5);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn list(&mut self, ordered: bool) -> String {
        let n = self.s.range(3, 7);
        let mut out = String::new();
        for i in 0..n {
            let item = self.sentence();
            if ordered {
                let _ = writeln!(out, "{}. {item}", i + 1);
            } else {
                let _ = writeln!(out, "- {item}");
            }
        }
        out
    }

    fn table(&mut self) -> String {
        let cols = self.s.range(2, 4);
        let rows = self.s.range(2, 5);
        let mut out = String::from("|");
        for _ in 0..cols {
            let h = capitalise(&self.phrase(1, 2));
            let _ = write!(out, " {h} |");
        }
        out.push_str("\n|");
        for _ in 0..cols {
            out.push_str("---|");
        }
        out.push('\n');
        for _ in 0..rows {
            out.push('|');
            for c in 0..cols {
                let cell = capitalise(&self.phrase(1, 4));
                let cite = if c == cols - 1 {
                    self.cite(40)
                } else {
                    String::new()
                };
                let _ = write!(out, " {cell}{cite} |");
            }
            out.push('\n');
        }
        out
    }

    fn heading(&mut self, level: usize) -> String {
        let t = title(&mut self.w, &self.words);
        self.count += 3;
        format!("{} {t}", "#".repeat(level))
    }

    fn anchor_heading(&mut self, a: usize) -> String {
        let (id, en, uk) = ANCHORS[a];
        let t = if self.lang == Lang::En { en } else { uk };
        self.count += 3;
        format!("## {t} {{#{id}}}")
    }

    /// The key facts box every page opens with (the real site.toml requires it).
    fn key_facts(&mut self) -> String {
        let kf = if self.lang == Lang::En {
            "Key facts"
        } else {
            "Основні факти"
        };
        format!("## {kf} {{#key-facts}}\n\n{}\n\n", self.list(false))
    }

    /// Body blocks until about `target` words.
    fn body(&mut self, target: usize) -> String {
        let mut out = Vec::new();
        // The page's first source is always cited: together, the pages cite every source.
        self.first_cite = Some(self.cites[0]);
        out.push(self.paragraph());
        if self.s.chance(40) {
            let p = self.paragraph();
            let important = if self.lang == Lang::En {
                "Important:"
            } else {
                "Важливо:"
            };
            out.push(format!("> **{important}** {p}"));
        }
        let anchors = self.plans[self.me].anchors.clone();
        let mut next_anchor = 0;
        while self.count < target {
            let h = if next_anchor < anchors.len() && self.s.chance(60) {
                next_anchor += 1;
                self.anchor_heading(anchors[next_anchor - 1])
            } else {
                self.heading(2)
            };
            out.push(h);
            let blocks = self.s.range(2, 5);
            for _ in 0..blocks {
                let b = match self.s.range(0, 19) {
                    0..=8 => self.paragraph(),
                    9..=11 => self.list(false),
                    12..=13 => self.list(true),
                    14..=15 => self.table(),
                    16 => format!("> {}", self.paragraph()),
                    _ => {
                        let h = self.heading(3);
                        format!("{h}\n\n{}", self.paragraph())
                    }
                };
                out.push(b);
            }
        }
        // Explicit ids other pages link to must exist even on short pages.
        while next_anchor < anchors.len() {
            next_anchor += 1;
            let h = self.anchor_heading(anchors[next_anchor - 1]);
            out.push(h);
            out.push(self.paragraph());
        }
        for (i, note) in std::mem::take(&mut self.footnotes).iter().enumerate() {
            out.push(format!("[^note-{}]: {note}", i + 1));
        }
        out.join("\n\n") + "\n"
    }
}

/// One page's file in one language; returns the text and its (approximate) word count.
fn page(plans: &[Plan], i: usize, lang: Lang, seed: u64) -> (String, usize) {
    let p = &plans[i];
    let page_seed = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
    let mut s = Rng::new(page_seed);
    let w_seed = page_seed ^ if lang == Lang::En { 0xE1 } else { 0x0C_A1 };
    let mut g = Gen {
        plans,
        me: i,
        w: Rng::new(w_seed),
        words: lang.words(),
        lang,
        cites: Vec::new(),
        footnotes: Vec::new(),
        first_cite: None,
        count: 0,
        s: Rng::new(page_seed ^ 0xC17E),
    };
    // 3 to 6 sources per page; page i always cites source i mod 50, so every source is cited.
    let mut cites = vec![i % SOURCES + 1];
    for _ in 0..s.range(2, 5) {
        let c = s.range(1, SOURCES);
        if !cites.contains(&c) {
            cites.push(c);
        }
    }
    g.cites = cites;

    let (page_title, description) = match p.kind {
        Kind::Home => match lang {
            Lang::En => (
                "Synthetic fact sheet: the facts".to_string(),
                "A synthetic site for benchmarks.".to_string(),
            ),
            Lang::Uk => (
                "Синтетична інформація: факти".to_string(),
                "Синтетичний сайт для вимірювань.".to_string(),
            ),
        },
        Kind::Sources => match lang {
            Lang::En => (
                "Sources".to_string(),
                "Every source this site cites.".to_string(),
            ),
            Lang::Uk => (
                "Джерела".to_string(),
                "Усі джерела, на які посилається сайт.".to_string(),
            ),
        },
        _ => {
            let t = title(&mut g.w, &g.words);
            let d = sentence(&mut g.w, &g.words, 8, 14, false);
            (t, d)
        }
    };
    let month = s.range(1, 12);
    let day = s.range(1, 28);
    let mut text = String::from("+++\n");
    let _ = writeln!(text, "title = {}", toml_str(&page_title));
    let _ = writeln!(text, "description = {}", toml_str(&description));
    let _ = writeln!(text, "weight = {}", p.weight);
    // Reviewed in the past and due years ahead: a review-date warning on some pages would
    // add its printing to what the benchmarks measure, depending on the day they run.
    let _ = writeln!(text, "last_reviewed = 2025-{month:02}-{day:02}");
    let _ = writeln!(text, "next_review = 2030-{month:02}-{day:02}");
    if p.kind != Kind::Page && p.kind != Kind::Sources {
        let short = match p.kind {
            Kind::Home if lang == Lang::En => "Overview".to_string(),
            Kind::Home => "Огляд".to_string(),
            _ => p
                .key
                .trim_end_matches("/_index")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
        };
        let _ = writeln!(text, "short_title = {}", toml_str(&short));
    }
    if p.kind == Kind::Sources {
        text.push_str("kind = \"sources\"\nreadability = false\n");
    }
    text.push_str("+++\n\n");

    match p.kind {
        Kind::Sources => {
            g.first_cite = Some(g.cites[0]);
            let _ = write!(text, "{}\n\n", g.paragraph());
        }
        _ => {
            let target = if p.kind == Kind::Home {
                300
            } else {
                s.range(600, 1_200)
            };
            text.push_str(&g.key_facts());
            if !p.children.is_empty() {
                let contents = if lang == Lang::En {
                    "In this section"
                } else {
                    "У цьому розділі"
                };
                let _ = write!(text, "## {contents} {{#contents}}\n\n");
                for &c in &p.children {
                    let label = title(&mut g.w, &g.words);
                    g.count += 2;
                    let _ = writeln!(text, "- [{label}]({})", md_path(p.dir(), &plans[c].key));
                }
                text.push('\n');
            }
            text.push_str(&g.body(target));
        }
    }
    let words = g.count;
    (text, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmarks measure nothing if the corpus stops building as the real theme and its
    /// rules change (it did once, when key facts boxes became required), and a warning on
    /// every page would be timed with them: `check` makes warnings errors.
    #[test]
    fn a_small_corpus_passes_check_with_the_real_theme() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("corpus");
        run(&Args {
            pages: 100,
            out: out.clone(),
            seed: 1,
            theme: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        })
        .unwrap();
        match factsheet::check(&out, &factsheet::site::LoadOptions::default()) {
            Ok(report) => assert!(report.warnings.is_empty(), "{:?}", report.warnings),
            Err(failure) => panic!("{}", failure.diagnostics()),
        }
    }
}
