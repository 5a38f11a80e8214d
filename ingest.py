"""Build or update the search index from corpus/ (python ingest.py --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import assistant  # noqa: F401  (sets the offline environment before any model library loads)
from assistant.config import Settings
from assistant.corpus.embeddings import LazyEmbeddings
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import IngestBusy, IngestIncomplete, ingest_corpus


def main(argv: list[str] | None = None) -> int:
    """Ingest the corpus; exit 1 only if nothing at all could be indexed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", help="corpus folder (default: corpus/ or SEND_CORPUS_DIR)")
    parser.add_argument("--index", help="index folder (default: data/index or SEND_INDEX_DIR)")
    parser.add_argument(
        "--explain",
        metavar="FILE",
        help="print the passages FILE would become and the hidden text left out; index nothing",
    )
    parser.add_argument(
        "--crawl",
        metavar="URL",
        help="first fetch the pages of URL's site (links and sitemap, robots.txt respected) "
        "into the corpus as HTML/PDF documents, then ingest",
    )
    parser.add_argument(
        "--crawl-dir", help="where crawled pages go (default: <corpus>/local-offer/crawled)"
    )
    parser.add_argument("--max-pages", type=int, default=50, help="crawl page limit (default 50)")
    parser.add_argument(
        "--delay", type=float, default=1.0, help="seconds between requests (default 1)"
    )
    parser.add_argument("--publisher", help="publisher named in crawled pages' metadata")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    if args.index:
        overrides["index_dir"] = args.index
    settings = Settings(**overrides)
    if args.explain:
        from assistant.corpus.explain import explain_file

        usable, text = explain_file(Path(args.explain), settings)
        print(text)
        return 0 if usable else 1
    if args.crawl:
        from assistant.corpus.crawl import CrawlOptions, crawl_site

        out_dir = Path(args.crawl_dir or settings.corpus_dir / "local-offer" / "crawled")
        options = CrawlOptions(
            max_pages=args.max_pages, delay_seconds=args.delay, publisher=args.publisher
        )
        crawled = crawl_site(
            args.crawl, out_dir, options, settings.today, lambda m: print(m, flush=True)
        )
        print(crawled.summary(), flush=True)
    # The embedding model loads only if something must be embedded (LazyEmbeddings).
    store = ChunkStore(settings, LazyEmbeddings(settings))
    try:
        report = ingest_corpus(settings, store, lambda message: print(message, flush=True))
    except (IngestBusy, IngestIncomplete) as refused:
        print(refused, file=sys.stderr)
        return 1
    print(report.summary())
    if not report.ok:
        print("Nothing could be indexed: fix the files named above and run again.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
