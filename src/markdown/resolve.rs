//! Links: a citation is handed to `cite`, `[](mailto:)` gets the site's address, a link
//! to `page.md#anchor` becomes the page's URL relative to this one.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag};

use super::{PageIndex, Pass, RenderInput};
use crate::diagnostic::did_you_mean;
use crate::links::Span;
use crate::urls;

impl<'a> Pass<'a, '_> {
    pub(super) fn link_start(&mut self, event: Event<'a>, range: Range<usize>, span: Span) {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) = event
        else {
            return;
        };
        let claimed = matches!(
            link_type,
            LinkType::ShortcutUnknown | LinkType::CollapsedUnknown | LinkType::ReferenceUnknown
        );
        if claimed {
            self.citation(&dest_url, range, span);
            self.skip_until_link_end = true;
            return;
        }
        self.link_depth += 1;
        let dest = if &*dest_url == "mailto:" {
            self.mailto(dest_url, range, span)
        } else {
            let dest = match resolve_link(&dest_url, self.input, self.pages) {
                Ok(Some(resolved)) => {
                    self.links_to_pages = true;
                    CowStr::from(resolved)
                }
                Ok(None) => dest_url,
                Err((message, help)) => {
                    let mut d = self.error_at(range.start, range.len(), message);
                    if let Some(help) = help {
                        d = d.with_help(help);
                    }
                    self.errors.push(d);
                    dest_url
                }
            };
            let mailto = if link_type == LinkType::Email {
                "mailto:"
            } else {
                ""
            };
            self.links.href(mailto, &dest, false, span);
            dest
        };
        self.out.push(Event::Start(Tag::Link {
            link_type,
            dest_url: dest,
            title,
            id,
        }));
    }

    /// `[](mailto:)`: the site's feedback address, which also becomes the link's text.
    fn mailto(&mut self, dest_url: CowStr<'a>, range: Range<usize>, span: Span) -> CowStr<'a> {
        let Some(address) = self.input.feedback_email else {
            let d = self
                .error_at(
                    range.start,
                    range.len(),
                    "`mailto:` link without an address, and site.toml sets no `feedback_email`"
                        .to_string(),
                )
                .with_help(
                    "add `feedback_email = \"...\"` to site.toml, or write the address in the link",
                );
            self.errors.push(d);
            self.links.href("", &dest_url, false, span);
            return dest_url;
        };
        let dest = format!("mailto:{address}");
        self.links.href("", &dest, false, span);
        self.mailto_fill = Some((self.out.len(), address));
        CowStr::from(dest)
    }

    pub(super) fn link_end(&mut self, event: Event<'a>) {
        self.link_depth = self.link_depth.saturating_sub(1);
        // `[](mailto:)`: the address is also the link's text.
        if let Some((start, address)) = self.mailto_fill.take()
            && start + 1 == self.out.len()
        {
            self.out
                .push(Event::Text(CowStr::from(address.to_string())));
            if self.input.collect_text {
                self.block.push_str(address);
            }
        }
        self.out.push(event);
    }
}

type LinkError = (String, Option<String>);

/// Rewrite `page.md#anchor` links; `Ok(None)` leaves any other link untouched.
fn resolve_link(
    dest: &str,
    input: &RenderInput<'_>,
    pages: &dyn PageIndex,
) -> Result<Option<String>, LinkError> {
    if urls::is_external(dest) || dest.starts_with('#') {
        return Ok(None);
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let Some(stem) = path.strip_suffix(".md") else {
        return Ok(None);
    };
    let joined = urls::join_content_path(input.dir, stem)
        .ok_or_else(|| (format!("link `{dest}` leaves the content folder"), None))?;
    let (key, lang) = match joined.rsplit_once('.') {
        Some((base, suffix)) if pages.url_of(base, suffix).is_some() => {
            (base.to_string(), suffix.to_string())
        }
        _ => (joined.clone(), input.lang.to_string()),
    };
    let Some(url) = pages.url_of(&key, &lang) else {
        if let Some(file) = pages.draft(&key, &lang) {
            return Err((
                format!(
                    "link `{dest}` goes to a draft: {} has `draft = true`",
                    file.display()
                ),
                Some("publish the page (remove `draft = true`), or build with --drafts to preview it".into()),
            ));
        }
        if let Some(url) = pages.original_of(&key) {
            // Readers of every language may be sent to a page that has only its original.
            return Ok(Some(link_url(input.from, &url, fragment)));
        }
        let exists_elsewhere = pages.keys().contains(&key.as_str());
        if exists_elsewhere {
            return Err((
                format!("link `{dest}`: the page has no version in language `{lang}`"),
                None,
            ));
        }
        let help = did_you_mean(&key, pages.keys()).map(|k| format!("did you mean `{k}.md`?"));
        return Err((
            format!("link to a page that does not exist: `{dest}`"),
            help,
        ));
    };
    Ok(Some(link_url(input.from, &url, fragment)))
}

/// The `href` of a link to the page at output path `url` from the page at `from`.
pub(super) fn link_url(from: &str, url: &str, fragment: Option<&str>) -> String {
    let mut u = urls::relative(from, url);
    if let Some(f) = fragment {
        u.push('#');
        u.push_str(f);
    }
    u
}
