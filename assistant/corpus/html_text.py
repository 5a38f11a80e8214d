"""Main-content extraction from saved web pages: headings and paragraphs, no navigation or banners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from assistant.corpus.documents import Block

# Elements that never hold the page's own content.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "form",
    "button",
    "nav",
    "header",
    "footer",
    "aside",
    "select",
    "input",
    "dialog",
)
# Class or id fragments used by cookie banners, menus and other page furniture.
_FURNITURE = re.compile(
    r"cookie|consent|gdpr|banner|breadcrumb|navbar|nav-|menu|skip-link|share|social|"
    r"newsletter|feedback|related|sidebar|site-header|site-footer|promo|advert",
    re.IGNORECASE,
)
_TEXT_TAGS = ("p", "li", "dd", "dt", "td", "blockquote", "pre")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class HtmlPage:
    """Blocks of main content plus whatever citation metadata the page itself declares."""

    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def _is_furniture(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "dialog"):
        return True
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    marker = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])
    return bool(marker.strip()) and bool(_FURNITURE.search(marker))


def _main_region(soup: BeautifulSoup) -> Tag:
    for selector in ("main", "[role=main]", "article", "#content", "#main-content", ".content"):
        found = soup.select_one(selector)
        if isinstance(found, Tag) and found.get_text(strip=True):
            return found
    body = soup.body
    return body if isinstance(body, Tag) else soup


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def extract_html(html: str) -> HtmlPage:
    """Parse a page and keep its main content as heading-scoped blocks."""
    soup = BeautifulSoup(html, "lxml")
    meta = _page_meta(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if isinstance(tag, Tag) and not tag.decomposed and _is_furniture(tag):
            tag.decompose()
    region = _main_region(soup)
    page = HtmlPage(meta=meta)
    headings: list[tuple[int, str]] = []
    for tag in region.find_all([*_HEADINGS, *_TEXT_TAGS]):
        if tag.name in _HEADINGS:
            level = int(tag.name[1])
            title = _clean(tag.get_text(" "))
            if not title:
                continue
            if level == 1 and "h1" not in meta:
                meta["h1"] = title
            headings[:] = [h for h in headings if h[0] < level]
            headings.append((level, title))
            continue
        # Only innermost text containers, so a <li> holding a <p> is not counted twice.
        if tag.find(_TEXT_TAGS):
            continue
        text = _clean(tag.get_text(" "))
        if len(text) < 2:
            continue
        path = tuple(title for level, title in headings if level > 1)
        page.blocks.append(Block(heading_path=path, text=text))
    if "title" not in meta and "h1" in meta:
        meta["title"] = meta["h1"]
    meta.pop("h1", None)
    return page


def _page_meta(soup: BeautifulSoup) -> dict[str, str]:
    meta: dict[str, str] = {}
    og_title = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og_title, Tag) and og_title.get("content"):
        meta["title"] = _clean(str(og_title["content"]))
    elif soup.title and soup.title.string:
        meta["title"] = _clean(soup.title.string)
    canonical = soup.find("link", attrs={"rel": "canonical"})
    og_url = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(canonical, Tag) and canonical.get("href"):
        meta["source_url"] = str(canonical["href"]).strip()
    elif isinstance(og_url, Tag) and og_url.get("content"):
        meta["source_url"] = str(og_url["content"]).strip()
    for name in ("og:site_name", "author", "publisher", "dc.publisher"):
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            meta["publisher"] = _clean(str(tag["content"]))
            break
    return meta
