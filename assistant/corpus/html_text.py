"""Main-content extraction from saved web pages: headings and paragraphs, no navigation or banners.

The page is parsed from its bytes so BeautifulSoup can decode it by its declared charset
(windows-1252 and iso-8859-1 are common on older council pages). Text a reader would not see is
removed first (see html_visibility). Text is taken from every block element, `<div>`s and `<br>`
lines included, and a data table becomes one line per row that carries its column headers.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, UnicodeDammit

from assistant.corpus.documents import Block, DocumentError, ExtractedText
from assistant.corpus.html_visibility import remove_hidden
from assistant.corpus.updated import updated_date_in_text

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
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that flow inside a line of text; every other element starts a new block.
_INLINE = frozenset(
    "a abbr acronym b bdi bdo cite code data del dfn em font i img ins kbd mark q s samp small "
    "span strong sub sup time tt u var wbr label".split()
)


def _is_furniture(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "dialog"):
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


def decode_html(data: bytes | str) -> str:
    """The page as text: its declared charset first, then detection, then UTF-8/Windows-1252.

    Raises DocumentError when no encoding decodes the bytes.
    """
    if isinstance(data, str):
        return data
    dammit = UnicodeDammit(data, is_html=True)
    if dammit.unicode_markup is None:
        raise DocumentError("the page's text encoding cannot be worked out")
    return dammit.unicode_markup


class _BlockWriter:
    """Collects inline text into lines and lines into heading-scoped blocks."""

    def __init__(self, page: ExtractedText) -> None:
        self.page = page
        self.headings: list[tuple[int, str]] = []
        self.run: list[str] = []

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for level, title in self.headings if level > 1)

    def add(self, text: str) -> None:
        text = _clean(text)
        if len(text) >= 2:
            self.page.blocks.append(Block(heading_path=self.path, text=text))

    def flush(self) -> None:
        self.add("".join(self.run))  # text nodes carry their own spaces
        self.run.clear()

    def heading(self, tag: Tag) -> None:
        title = _clean(tag.get_text(" "))
        if not title:
            return
        level = int(tag.name[1])
        if level == 1 and "h1" not in self.page.meta:
            self.page.meta["h1"] = title
        self.headings[:] = [h for h in self.headings if h[0] < level]
        self.headings.append((level, title))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.run.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                self.flush()
            elif child.name in _HEADINGS:
                self.flush()
                self.heading(child)
            elif child.name == "table":
                self.flush()
                for line in table_lines(child):
                    self.add(line)
            elif child.name in ("ul", "ol") and is_contents_list(child):
                continue  # "On this page" links repeat the headings; they say nothing
            elif child.name in _INLINE:
                self.walk(child)
            else:
                self.flush()
                self.walk(child)
                self.flush()


def is_contents_list(listing: Tag) -> bool:
    """True for a list whose every item is only a link to a place on the same page."""
    items = listing.find_all("li", recursive=False)
    if not items:
        return False
    for item in items:
        links = item.find_all("a")
        linked = " ".join(_clean(link.get_text(" ")) for link in links)
        if not links or any(not str(link.get("href") or "").startswith("#") for link in links):
            return False
        if _clean(item.get_text(" ")) != linked:
            return False
    return True


def _cells(row: Tag) -> list[Tag]:
    return [cell for cell in row.find_all(["td", "th"], recursive=False)]


def table_lines(table: Tag) -> list[str]:
    """One line per table row. A data table (a header row of <th> cells) gives
    'Header: value; Header: value.' so each row still says what its numbers are; a table
    without headers (a layout table) gives its cells' text one by one."""
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    if not rows:
        return []
    first = _cells(rows[0])
    has_header = bool(first) and all(cell.name == "th" for cell in first)
    if not has_header:
        return [_clean(cell.get_text(" ")) for row in rows for cell in _cells(row)]
    headers = [_clean(cell.get_text(" ")) for cell in first]
    caption = table.find("caption")
    lines = [_clean(caption.get_text(" "))] if isinstance(caption, Tag) else []
    for row in rows[1:]:
        values = [_clean(cell.get_text(" ")) for cell in _cells(row)]
        pairs = [
            f"{header}: {value}" if header else value
            for header, value in zip(headers, values, strict=False)
            if value
        ]
        if pairs:
            lines.append("; ".join(pairs).rstrip(".") + ".")
    return lines


def extract_html(html: bytes | str) -> ExtractedText:
    """Parse a page (bytes, decoded by its declared charset) and keep its visible main content
    as heading-scoped blocks; hidden text is listed in `dropped`.

    Raises DocumentError when the bytes cannot be decoded.
    """
    soup = BeautifulSoup(decode_html(html), "lxml")
    meta = _page_meta(soup)
    dropped = remove_hidden(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if isinstance(tag, Tag) and not tag.decomposed and _is_furniture(tag):
            tag.decompose()
    region = _main_region(soup)
    page = ExtractedText(meta=meta, dropped=dropped)
    if "source_updated" not in meta:
        updated = updated_date_in_text(soup.get_text(" "))
        if updated is not None:
            meta["source_updated"] = updated.isoformat()
    writer = _BlockWriter(page)
    writer.walk(region)
    writer.flush()
    if "title" not in meta and "h1" in meta:
        meta["title"] = meta["h1"]
    meta.pop("h1", None)
    return page


def _meta_content(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return _clean(str(tag["content"]))
    return None


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
    publisher = _meta_content(soup, "og:site_name", "author", "publisher", "dc.publisher")
    if publisher:
        meta["publisher"] = publisher
    modified = _meta_content(
        soup, "article:modified_time", "last-modified", "dcterms.modified", "dc.date.modified"
    )
    updated = updated_date_in_text(f"last updated {modified}") if modified else None
    if updated is not None:
        meta["source_updated"] = updated.isoformat()
    return meta
