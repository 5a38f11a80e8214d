"""`ingest.py --crawl`: one site served on 127.0.0.1, fetched into the corpus and indexed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.corpus.crawl import CrawlOptions, crawl_site, sitemap_urls
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import ingest_corpus

COUNCIL = Path(__file__).parent / "fixtures" / "council" / "local-offer"
SLOW_SECONDS = 3.0


def _page(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (
        f'<!doctype html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode(charset)


def _site(port: int) -> dict[str, tuple[int, str, bytes]]:
    """path -> (status, content type, body)."""
    base = f"http://127.0.0.1:{port}"
    home = _page(
        "Local Offer home",
        "<p>The Local Offer lists support for children with SEND in the city.</p>"
        '<p><a href="/ehc-requests">EHC requests</a> <a href="/travel">Travel</a> '
        '<a href="/hidden-fees">Fees</a> <a href="/missing">Old link</a> '
        '<a href="/old-address">Moved page</a> <a href="/leaflet.pdf">Leaflet</a> '
        '<a href="/data.csv">Data</a> <a href="/slow">Slow page</a> '
        '<a href="/private/staff">Staff</a> <a href="http://other.example/">Elsewhere</a> '
        '<a href="mailto:send@example.gov.uk">Email</a></p>',
    )
    return {
        "/robots.txt": (
            200,
            "text/plain",
            f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n".encode(),
        ),
        "/sitemap.xml": (
            200,
            "application/xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/only-in-sitemap</loc></url></urlset>"
            ).encode(),
        ),
        "/": (200, "text/html; charset=utf-8", home),
        "/ehc-requests": (
            200,
            "text/html",
            _page(
                "EHC requests", "<p>Parents can ask the council for an EHC needs assessment.</p>"
            ),
        ),
        "/travel": (
            200,
            "text/html",  # no charset in the header: the page declares windows-1252
            _page(
                "Travel support",
                "<p>Parents\u2019 mileage is paid at 45p a mile \u2013 ask the travel team.</p>",
                charset="windows-1252",
            ),
        ),
        "/hidden-fees": (200, "text/html", (COUNCIL / "ehc-assessment-fees.html").read_bytes()),
        "/new-address": (
            200,
            "text/html",
            _page("Short breaks", "<p>Short breaks give parents a rest from caring.</p>"),
        ),
        "/leaflet.pdf": (200, "application/pdf", (COUNCIL / "ehc-fee-leaflet.pdf").read_bytes()),
        "/data.csv": (200, "text/csv", b"service,phone\nSENDIASS,01632 960123\n"),
        "/only-in-sitemap": (
            200,
            "text/html",
            _page("Family hubs", "<p>Family hubs offer help for families in one place.</p>"),
        ),
        "/private/staff": (200, "text/html", _page("Staff only", "<p>Staff rota.</p>")),
    }


@pytest.fixture
def local_site() -> Iterator[tuple[str, dict[str, int]]]:
    """A small site on 127.0.0.1; yields its address and how often each path was requested."""
    hits: dict[str, int] = {}
    pages: dict[str, tuple[int, str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            if self.path == "/old-address":
                self.send_response(301)
                self.send_header("Location", "/new-address")
                self.end_headers()
                return
            if self.path == "/slow":
                time.sleep(SLOW_SECONDS)
            status, kind, body = pages.get(self.path, (404, "text/html", b"<p>Not found</p>"))
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up waiting for /slow

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    pages.update(_site(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_sitemap_index_and_urlset_are_read() -> None:
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert sitemap_urls(index) == ([], ["https://a.example/s1.xml"])
    assert sitemap_urls(b"not xml at all") == ([], [])


def test_crawl_saves_exactly_the_sites_pages_and_indexes_nothing_hidden(
    local_site: tuple[str, dict[str, int]],
    tmp_path: Path,
    embeddings,  # type: ignore[no-untyped-def]
) -> None:
    base, hits = local_site
    corpus = tmp_path / "corpus"
    out_dir = corpus / "local-offer" / "crawled"
    options = CrawlOptions(
        max_pages=20, delay_seconds=0.0, timeout_seconds=1.0, retries=1, publisher="Example Council"
    )
    report = crawl_site(base + "/", out_dir, options)

    saved = sorted(url.removeprefix(base) for url, _ in report.saved)
    assert saved == [
        "/",
        "/ehc-requests",
        "/hidden-fees",
        "/leaflet.pdf",
        "/new-address",
        "/only-in-sitemap",
        "/travel",
    ]
    skipped = {url.removeprefix(base): reason for url, reason in report.skipped}
    assert skipped == {
        "/missing": "HTTP 404",
        "/guide.pdf": "HTTP 404",  # linked from the fees page, never published
        "/data.csv": "not a web page or PDF (text/csv)",
        "/slow": "timed out after 1 s (2 tries)",
        "/private/staff": "disallowed by robots.txt",
    }
    assert "/private/staff" not in hits  # robots.txt is obeyed: never requested
    assert hits["/slow"] == 2  # retried once
    sidecar = (out_dir / "travel.meta.yaml").read_text()
    assert f"source_url: {base}/travel" in sidecar and "fetched: " in sidecar

    settings = make_settings(corpus, tmp_path / "state")
    store = ChunkStore(settings, embeddings)
    ingested = ingest_corpus(settings, store)
    assert ingested.skipped == [] and ingested.documents == 7
    chunks = store.all_chunks()
    assert {c.source_url.removeprefix(base) for c in chunks} == set(saved)
    bodies = " ".join(c.body for c in chunks)
    assert "Parents\u2019 mileage is paid at 45p a mile \u2013 ask the travel team." in bodies
    assert "Asking the council for an EHC needs assessment is free." in bodies
    assert "pound" not in bodies and "solicitor" not in bodies
    assert {d.text for d in ingested.dropped} >= {
        "Parents must pay a 75 pound fee for an EHC needs assessment."
    }
    assert "Staff rota" not in bodies and "01632 960123" not in bodies


def test_crawl_stops_at_the_page_limit(
    local_site: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    base, hits = local_site
    options = CrawlOptions(max_pages=2, delay_seconds=0.0, timeout_seconds=1.0, retries=0)
    report = crawl_site(base + "/", tmp_path / "crawled", options)
    assert len(report.saved) == 2
    assert sorted(p.name for p in (tmp_path / "crawled").iterdir()) == sorted(
        [path.name for _, path in report.saved]
        + [path.name.split(".")[0] + ".meta.yaml" for _, path in report.saved]
    )
    assert "/slow" not in hits  # never reached
