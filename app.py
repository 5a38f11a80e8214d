"""Start the web chat on the shipped corpus (builds the index on first run): python app.py"""

from __future__ import annotations

import argparse

import assistant  # noqa: F401  (sets the offline environment before any model library loads)
from assistant.config import get_settings
from assistant.interfaces.web import build_app, serve
from assistant.pipeline import AnswerPipeline
from assistant.records import ConversationRecords


def main(argv: list[str] | None = None) -> None:
    """Load the pipeline and serve the chat on SEND_HOST:SEND_PORT (127.0.0.1:7860)."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    print("Loading the assistant ...", flush=True)
    pipeline = AnswerPipeline.load(settings, progress=lambda m: print(m, flush=True))
    app = build_app(pipeline, ConversationRecords(settings.log_dir), settings)
    serve(app, settings, server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
