//! The check itself: every link's target and fragment exist, ids are unique, nothing loads
//! from another origin; and the report, which points at the line that wrote each problem.
use std::borrow::{Borrow, Cow};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lol_html::{HtmlRewriter, Settings};
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use super::*;
use crate::diagnostic::{Diagnostic, Location};
use crate::urls;

/// What the checker reads to point at the line that wrote a broken link or a repeated id.
pub(crate) trait Sources: Sync {
    /// The whole text of a Markdown file (`content/risks.md`).
    fn markdown(&self, file: &Path) -> Option<String>;
    /// Where the templates write `needle`, looking in `template` (a page's template) first:
    /// the template file (`templates/base.html`) and the place in it.
    fn in_templates(&self, template: &str, needle: &str) -> Option<(PathBuf, Location)>;
}

/// Check all pages against each other and the other files written (static files, sitemap).
/// A problem written once and shown on many pages (by a template or a partial) is reported
/// once, against the line that wrote it, with the number of pages.
pub(crate) fn check<P: Borrow<PageLinks> + Sync>(
    pages: &[P],
    other_files: &HashSet<String>,
    sources: &dyn Sources,
) -> Vec<Diagnostic> {
    let by_output: HashMap<&str, &PageLinks> = pages
        .iter()
        .map(|p| (p.borrow().output.as_str(), p.borrow()))
        .collect();
    // Pages are checked in parallel (`factsheet serve` checks the whole site after every
    // edit); the errors keep the order of the pages.
    // A template writes the same links on every page of a language, relative to each: the
    // navigation, the footer, the stylesheet. Each target is checked once. The pages' own
    // lists of them are gathered a block of pages at a time: at 10,000 pages per language
    // all of them at once were a fifth of the build's peak memory.
    const BLOCK: usize = 512;
    let mut by_target: HashMap<Target, Vec<(u32, u32)>> = HashMap::new();
    let mut per_page: Vec<Vec<Problem>> = Vec::with_capacity(pages.len());
    for block in pages.chunks(BLOCK) {
        let checked: Vec<(Vec<Problem>, Vec<Deferred>)> = block
            .par_iter()
            .map(|page| check_page(page.borrow(), &by_output, other_files))
            .collect();
        for (own, deferred) in checked {
            let page = u32::try_from(per_page.len()).expect("fewer than 4 billion pages");
            for (target, link) in deferred {
                let link = u32::try_from(link).expect("fewer than 4 billion links on a page");
                by_target.entry(target).or_default().push((page, link));
            }
            per_page.push(own);
        }
    }
    let mut found: Vec<(u32, u32, &'static str)> = by_target
        .into_par_iter()
        .filter_map(|(target, uses)| {
            let problem = check_target(&target, &by_output, other_files)?;
            Some(
                uses.into_iter()
                    .map(move |(page, link)| (page, link, problem)),
            )
        })
        .flatten_iter()
        .collect();
    found.sort_unstable();
    let mut found = found.into_iter().peekable();
    let mut problems = Vec::new();
    for (i, mut own) in per_page.drain(..).enumerate() {
        let page = pages[i].borrow();
        while let Some((_, link, problem)) = found.next_if(|f| f.0 as usize == i) {
            let link = link as usize;
            let value = page.links.get(link);
            own.push(Problem {
                page,
                order: page.written_at(link) + 1,
                link: Some(problem),
                value,
                origin: page.origins.get(link).map_or(Origin::Page, |&o| o.into()),
            });
        }
        own.sort_by_key(|p| p.order);
        problems.extend(own);
    }
    report(problems.into_iter(), sources)
}

/// A template's link to another file of the site, resolved: the file from the output root
/// and the fragment.
type Target = (String, Option<String>);

/// A template's link on a page, checked with every page's: its target and its index.
type Deferred = (Target, usize);

/// One problem on one page.
struct Problem<'p> {
    page: &'p PageLinks,
    /// Where it stands on the page: 0 for repeated ids, then 1 + the link's index.
    order: usize,
    /// "broken link", or `None` for an id written twice.
    link: Option<&'static str>,
    /// The link or the id.
    value: &'p str,
    origin: Origin,
}

fn check_page<'p>(
    page: &'p PageLinks,
    by_output: &HashMap<&str, &PageLinks>,
    other_files: &HashSet<String>,
) -> (Vec<Problem<'p>>, Vec<Deferred>) {
    let mut problems = Vec::new();
    let mut deferred = Vec::new();
    for (id, origin) in &page.duplicate_ids {
        problems.push(Problem {
            page,
            order: 0,
            link: None,
            value: id,
            origin: *origin,
        });
    }
    for (value, origin, problem) in &page.refused {
        problems.push(Problem {
            page,
            order: 0,
            link: Some(problem),
            value,
            origin: *origin,
        });
    }
    for (at, value, origin, problem) in &page.settled_problems {
        problems.push(Problem {
            page,
            order: at + 1,
            link: Some(problem),
            value,
            origin: (*origin).into(),
        });
    }
    let url = page.output.trim_end_matches("index.html");
    for (i, link) in page.links.iter().enumerate() {
        let origin = page.origins.get(i).map_or(Origin::Page, |&o| o.into());
        let problem = match judge_locally(page, url, &link, None) {
            Ok(problem) => problem,
            Err((target, fragment)) if origin == Origin::Template => {
                deferred.push(((target, fragment.map(Cow::into_owned)), i));
                None
            }
            Err((target, fragment)) => check_target(
                &(target, fragment.map(Cow::into_owned)),
                by_output,
                other_files,
            ),
        };
        if let Some(problem) = problem {
            problems.push(Problem {
                page,
                order: page.written_at(i) + 1,
                link: Some(problem),
                value: link.value,
                origin,
            });
        }
    }
    (problems, deferred)
}

/// What can be told of link `link` of `page` (at `url`) without other pages: `Ok` with its
/// problem, if any; else the file it leads to, and the fragment. In-page links of the print
/// page are not checked (see [`PageLinks::aggregate`]); links to files in `outputs` without
/// a fragment are fine.
pub(super) fn judge_locally<'v>(
    page: &PageLinks,
    url: &str,
    link: &Link<'v>,
    outputs: Option<&HashSet<String>>,
) -> Result<Option<&'static str>, (String, Option<Cow<'v, str>>)> {
    match leads(url, link) {
        Leads::Here(_) if page.aggregate && link.value.starts_with('#') => Ok(None),
        Leads::Here(fragment) => Ok(check_anchor(page, fragment.as_deref())),
        Leads::Decided(problem) => Ok(problem),
        Leads::There(target, None) if outputs.is_some_and(|o| o.contains(&target)) => Ok(None),
        Leads::There(target, fragment) => Err((target, fragment)),
    }
}

/// Problems that point at the same place (a line of a template or partial, on every page
/// that shows it) become one diagnostic, in the order they were first found.
fn report<'p>(
    problems: impl Iterator<Item = Problem<'p>>,
    sources: &dyn Sources,
) -> Vec<Diagnostic> {
    struct Group<'p> {
        first: Problem<'p>,
        file: PathBuf,
        location: Option<Location>,
        pages: Vec<&'p str>,
    }
    let mut groups: Vec<Group> = Vec::new();
    // File, line and column, the problem, and what tells problems at one place apart.
    type Place<'v> = (
        PathBuf,
        Option<(usize, usize)>,
        Option<&'static str>,
        &'v str,
    );
    let mut by_place: HashMap<Place, usize> = HashMap::new();
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for problem in problems {
        let (file, location) = place(&problem, sources, &mut texts);
        // A template writes different relative URLs on pages at different depths: the
        // place is what they share. Elsewhere the value tells problems at one place apart.
        // Markdown shown on several pages (a partial, the print page) writes relative URLs
        // that differ with the page's depth: a span of Markdown tells problems apart with
        // the fragment (a citation's span writes a link per source).
        let told_apart_by = match (problem.origin, &location) {
            (Origin::Template, Some(_)) => "",
            (Origin::Markdown { .. }, Some(_)) => {
                problem.value.split_once('#').map_or("", |(_, f)| f)
            }
            _ => problem.value,
        };
        let key = (
            file.clone(),
            location.as_ref().map(|l| (l.line, l.column)),
            problem.link,
            told_apart_by,
        );
        let at = problem.page.output.trim_end_matches("index.html");
        match by_place.get(&key) {
            Some(&i) => groups[i].pages.push(at),
            None => {
                by_place.insert(key, groups.len());
                groups.push(Group {
                    first: problem,
                    file,
                    location,
                    pages: vec![at],
                });
            }
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let on = match g.pages.len() {
                1 => format!("/{}", g.pages[0]),
                n => format!("{n} pages"),
            };
            let mut d = match g.first.link {
                Some(problem) => {
                    let d = Diagnostic::error(format!("{problem} on {on}: `{}`", g.first.value));
                    match help_for(problem) {
                        Some(help) => d.with_help(help),
                        None => d,
                    }
                }
                None => {
                    Diagnostic::error(format!("the id `{}` is used twice on {on}", g.first.value))
                        .with_help(match g.first.origin {
                            Origin::Template => {
                                "an id must be unique on a page: rename one of the two"
                            }
                            _ => "ids must be unique on a page: give the heading another one: ## Title {#other-id}",
                        })
                }
            }
            .in_file(&g.file);
            if let Some(l) = g.location {
                d = d.at(l);
            }
            if g.pages.len() > 1 {
                let shown: Vec<String> = g.pages.iter().take(3).map(|p| format!("/{p}")).collect();
                let more = match g.pages.len() - shown.len() {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                d = d.with_label(format!("on {}{more}", shown.join(", ")));
            }
            d
        })
        .collect()
}

/// The file and, where it can be found, the place that wrote a problem.
fn place(
    problem: &Problem<'_>,
    sources: &dyn Sources,
    texts: &mut HashMap<PathBuf, Option<String>>,
) -> (PathBuf, Option<Location>) {
    let page = problem.page;
    let value = problem.value;
    match problem.origin {
        Origin::Page => (page.source.clone(), None),
        Origin::Markdown { file, span } => {
            let file = match file {
                0 => &page.source,
                n => page.shown.get(usize::from(n) - 1).unwrap_or(&page.source),
            };
            let text = texts
                .entry(file.clone())
                .or_insert_with(|| sources.markdown(file));
            let location = text.as_deref().and_then(|text| match span {
                Some(span) => Some(Location::at(text, span.start as usize, span.len as usize)),
                // Raw HTML: the value is written there as it is, usually.
                None => problem
                    .link
                    .is_none()
                    .then(|| Location::find(text, &format!("id=\"{value}\"")))
                    .flatten()
                    .or_else(|| Location::find(text, value))
                    .or_else(|| find_attribute(text, value)),
            });
            (file.clone(), location)
        }
        Origin::Template => {
            let candidates: Vec<Cow<str>> = match problem.link {
                None => vec![format!("id=\"{value}\"").into(), value.into()],
                // `{{ root }}nope/` writes `../nope/`; `{{ url }}#x` writes `../about/#x`.
                Some(_) => {
                    let mut stripped = value;
                    while let Some(rest) = stripped
                        .strip_prefix("../")
                        .or_else(|| stripped.strip_prefix("./"))
                    {
                        stripped = rest;
                    }
                    let mut c: Vec<Cow<str>> = vec![value.into(), stripped.into()];
                    if let Some((_, fragment)) = value.split_once('#') {
                        c.push(format!("#{fragment}").into());
                    }
                    c
                }
            };
            candidates
                .iter()
                .filter(|c| !c.is_empty())
                .find_map(|c| sources.in_templates(&page.template, c))
                .map_or_else(
                    || (PathBuf::from("templates").join(&page.template), None),
                    |(file, l)| (file, Some(l)),
                )
        }
    }
}

/// The start tag, in the raw HTML of a Markdown file, with an attribute that holds `value`
/// once its entities are decoded (`href="&#106;avascript:..."`, a `srcset` or `style` naming
/// the address among others).
fn find_attribute(text: &str, value: &str) -> Option<Location> {
    let at = std::cell::Cell::new(None);
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(on(&ANY, |el| {
            if at.get().is_some() {
                return;
            }
            let range = el.source_location().bytes();
            let holds = el
                .attributes()
                .iter()
                .any(|a| html_escape::decode_html_entities(&a.value()).contains(value));
            if holds {
                at.set(Some((range.start, range.end)));
            }
        })),
        |_: &[u8]| {},
    );
    if rewriter.write(text.as_bytes()).is_ok() {
        let _ = rewriter.end();
    }
    let (start, end) = at.get()?;
    let tag = text.get(start..end)?;
    Some(Location::at(
        text,
        start,
        tag.find('\n').unwrap_or(tag.len()),
    ))
}

/// Where a link leads, as far as can be told from the link alone.
enum Leads<'v> {
    /// Nowhere to look: fine, or a problem.
    Decided(Option<&'static str>),
    /// The page itself, at a fragment.
    Here(Option<Cow<'v, str>>),
    /// Another file of the site (from the output root, `index.html` added to a folder), at
    /// a fragment.
    There(String, Option<Cow<'v, str>>),
}

fn leads<'v>(from: &str, link: &Link<'v>) -> Leads<'v> {
    let value = link.value.trim();
    if urls::is_external(value) {
        let scheme_ok = !value
            .get(..11)
            .is_some_and(|s| s.eq_ignore_ascii_case("javascript:"));
        return Leads::Decided(match (link.loads, scheme_ok) {
            (true, _) => Some("loads a resource from another site"),
            (false, false) => Some("javascript: link"),
            _ => None,
        });
    }
    // Found with memchr: a page has a hundred links, and `split_once` searched char by char.
    let (rest, fragment) = match memchr::memchr(b'#', value.as_bytes()) {
        Some(at) => (&value[..at], Some(decode(&value[at + 1..]))),
        None => (value, None),
    };
    let path = memchr::memchr(b'?', rest.as_bytes()).map_or(rest, |at| &rest[..at]);
    if path.is_empty() {
        return Leads::Here(fragment);
    }
    let Some(mut target) = urls::resolve(from, &decode(path)) else {
        return Leads::Decided(Some("link climbs above the site root"));
    };
    if target.is_empty() || target.ends_with('/') {
        target.push_str("index.html");
    }
    Leads::There(target, fragment)
}

fn check_target(
    (as_page, fragment): &Target,
    pages: &HashMap<&str, &PageLinks>,
    files: &HashSet<String>,
) -> Option<&'static str> {
    match pages.get(as_page.as_str()) {
        Some(p) => check_anchor(p, fragment.as_deref()),
        None if files.contains(as_page) => None,
        None => {
            // `risks` where `risks/index.html` is a page.
            let is_folder = as_page == "index.html" || as_page.ends_with("/index.html");
            if !is_folder && pages.contains_key(format!("{as_page}/index.html").as_str()) {
                Some("link to a folder without a trailing slash (breaks relative links)")
            } else {
                Some("broken link")
            }
        }
    }
}

fn check_anchor(page: &PageLinks, fragment: Option<&str>) -> Option<&'static str> {
    match fragment {
        Some(f) if !f.is_empty() && f != "top" && !page.ids.contains(f) => Some("broken anchor"),
        _ => None,
    }
}

fn decode(s: &str) -> Cow<'_, str> {
    // Most links hold no escape, and reading them byte by byte to find none was a tenth of
    // the check.
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    percent_decode_str(s).decode_utf8_lossy()
}
