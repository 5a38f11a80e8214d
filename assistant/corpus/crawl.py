"""Fetch the pages of one site (a Local Offer) into the corpus as HTML and PDF documents.

httpx does the HTTP (timeouts, redirects), Protego reads robots.txt (the parser Scrapy uses).
Sitemaps are read with lxml here: the one maintained sitemap package on PyPI
(ultimate-sitemap-parser) pins python-dateutil below 3, which conflicts with chromadb's
kubernetes client, and a sitemap is a short list of <loc> elements.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import httpx
import yaml
from bs4 import BeautifulSoup
from lxml import etree
from protego import Protego

USER_AGENT = "StokeSENDAssistant-crawler/1.0 (+Local Offer corpus refresh)"
_SAVED_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf"}
_MAX_SITEMAPS = 20


@dataclass(frozen=True)
class CrawlOptions:
    """Limits for one crawl: pages saved, seconds between requests, per-request timeout."""

    max_pages: int = 50
    delay_seconds: float = 1.0
    timeout_seconds: float = 10.0
    retries: int = 2
    publisher: str | None = None
    user_agent: str = USER_AGENT


@dataclass
class CrawlReport:
    """Pages saved (URL and file) and URLs left out, with why."""

    saved: list[tuple[str, Path]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """A short account for the console."""
        lines = [f"Saved {len(self.saved)} page(s)."]
        lines.extend(f"SAVED {url} -> {path.name}" for url, path in self.saved)
        lines.extend(f"NOT SAVED {url}: {reason}" for url, reason in self.skipped)
        return "\n".join(lines)


def _site(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed.scheme, parsed.netloc


def _slug(url: str) -> str:
    """A file name stem from a URL path: lower case words joined by '-' (no dots: the part
    before the first dot is the document id)."""
    parsed = urlparse(url)
    path = re.sub(r"\.(html?|pdf|php|aspx?)$", "", parsed.path, flags=re.IGNORECASE)
    words = re.sub(r"[^a-z0-9]+", "-", f"{path} {parsed.query}".lower()).strip("-")
    return (words or "home")[:80]


def sitemap_urls(xml: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) listed in a sitemap or sitemap index."""
    try:
        root = etree.fromstring(
            xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return [], []
    locs = [str(loc.text).strip() for loc in root.iter("{*}loc") if loc.text]
    if etree.QName(root).localname == "sitemapindex":
        return [], locs
    return locs, []


class _Fetcher:
    """GETs with retries on timeouts, connection errors and 5xx, and a polite delay."""

    def __init__(self, client: httpx.Client, options: CrawlOptions) -> None:
        self.client = client
        self.options = options
        self.delay = options.delay_seconds
        self._last = 0.0

    def get(self, url: str) -> httpx.Response | str:
        """The response, or the reason it could not be fetched."""
        reason = ""
        for attempt in range(self.options.retries + 1):
            wait = self._last + self.delay * (attempt + 1) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            try:
                response = self.client.get(url)
            except httpx.TimeoutException:
                reason = f"timed out after {self.options.timeout_seconds:g} s"
                continue
            except httpx.HTTPError as exc:
                reason = f"could not connect ({type(exc).__name__})"
                continue
            if response.status_code >= 500:
                reason = f"server error {response.status_code}"
                continue
            return response
        return f"{reason} ({self.options.retries + 1} tries)"


def crawl_site(
    start_url: str,
    out_dir: Path,
    options: CrawlOptions,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> CrawlReport:
    """Save up to options.max_pages pages of start_url's site (same scheme and host), found by
    following links and the site's sitemaps, as `<slug>.html` / `<slug>.pdf` with a
    `<slug>.meta.yaml` sidecar (source_url, fetched, last_checked, publisher) in out_dir.
    Pages robots.txt disallows are never fetched."""
    site = _site(start_url)
    fetched_on = today or dt.date.today()
    report = CrawlReport()
    out_dir.mkdir(parents=True, exist_ok=True)
    headers = {"User-Agent": options.user_agent}
    with httpx.Client(
        headers=headers, timeout=options.timeout_seconds, follow_redirects=True
    ) as client:
        fetcher = _Fetcher(client, options)
        robots = _robots(fetcher, f"{site[0]}://{site[1]}/robots.txt")
        crawl_delay = robots.crawl_delay(options.user_agent) if robots else None
        fetcher.delay = max(options.delay_seconds, float(crawl_delay or 0))
        queue: deque[str] = deque([start_url])
        for url in _sitemap_pages(fetcher, robots, site):
            queue.append(url)
        seen: set[str] = set()
        used_slugs: set[str] = set()
        while queue and len(report.saved) < options.max_pages:
            url = urldefrag(queue.popleft()).url
            if url in seen or _site(url) != site:
                continue
            seen.add(url)
            if robots is not None and not robots.can_fetch(url, options.user_agent):
                report.skipped.append((url, "disallowed by robots.txt"))
                continue
            progress(f"Fetching {url}")
            response = fetcher.get(url)
            if isinstance(response, str):
                report.skipped.append((url, response))
                continue
            final = urldefrag(str(response.url)).url
            if _site(final) != site:
                report.skipped.append((url, f"redirects off the site, to {final}"))
                continue
            if response.status_code != 200:
                report.skipped.append((url, f"HTTP {response.status_code}"))
                continue
            if final != url and final in seen:
                continue  # a redirect to a page already saved
            seen.add(final)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            suffix = _SAVED_TYPES.get(kind)
            if suffix is None:
                report.skipped.append((url, f"not a web page or PDF ({kind or 'no type'})"))
                continue
            path = _save(response.content, final, suffix, out_dir, used_slugs, fetched_on, options)
            report.saved.append((final, path))
            if suffix == ".html":
                queue.extend(_links(response.content, final))
    return report


def _robots(fetcher: _Fetcher, url: str) -> Protego | None:
    response = fetcher.get(url)
    if isinstance(response, str) or response.status_code != 200:
        return None  # no robots.txt: everything may be fetched
    return Protego.parse(response.text)


def _sitemap_pages(fetcher: _Fetcher, robots: Protego | None, site: tuple[str, str]) -> list[str]:
    sitemaps = list(robots.sitemaps) if robots is not None else []
    if not sitemaps:
        sitemaps = [f"{site[0]}://{site[1]}/sitemap.xml"]
    pages: list[str] = []
    done = 0
    while sitemaps and done < _MAX_SITEMAPS:
        url = sitemaps.pop(0)
        done += 1
        if _site(url) != site:
            continue
        response = fetcher.get(url)
        if isinstance(response, str) or response.status_code != 200:
            continue
        found, nested = sitemap_urls(response.content)
        pages.extend(found)
        sitemaps.extend(nested)
    return pages


def _links(html: bytes, base: str) -> list[str]:
    soup = BeautifulSoup(html, "lxml")
    links = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        links.append(urljoin(base, href))
    return links


def _save(
    content: bytes,
    url: str,
    suffix: str,
    out_dir: Path,
    used: set[str],
    fetched_on: dt.date,
    options: CrawlOptions,
) -> Path:
    stem = _slug(url)
    candidate, number = stem, 2
    while candidate in used:
        candidate, number = f"{stem}-{number}", number + 1
    used.add(candidate)
    path = out_dir / f"{candidate}{suffix}"
    path.write_bytes(content)  # bytes as served: the loader decodes by the declared charset
    sidecar = {
        "source_url": url,
        "fetched": fetched_on.isoformat(),
        "last_checked": fetched_on.isoformat(),
        "publisher": options.publisher or urlparse(url).netloc,
    }
    (out_dir / f"{candidate}.meta.yaml").write_text(
        yaml.safe_dump(sidecar, sort_keys=False), encoding="utf-8"
    )
    return path
