"""Start the web chat on the shipped corpus (builds the index on first run): python app.py"""

from __future__ import annotations

import argparse
import time

import assistant  # noqa: F401  (sets the offline environment before any model library loads)
from assistant.config import get_settings


def main(argv: list[str] | None = None) -> None:
    """Load the pipeline and serve the chat on SEND_HOST:SEND_PORT (127.0.0.1:7860)."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {message}", flush=True)

    # The libraries take most of the start-up: say what is loading, so nobody waits in silence.
    progress("Loading the web page framework ...")
    from assistant.interfaces.web import build_app, serve
    from assistant.records import ConversationRecords

    progress("Loading the language model and the search index ...")
    from assistant.pipeline import AnswerPipeline

    pipeline = AnswerPipeline.load(settings, progress=progress)
    app = build_app(pipeline, ConversationRecords(settings.log_dir), settings)
    progress(f"Ready: open http://{args.host}:{args.port}")
    serve(app, settings, server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
