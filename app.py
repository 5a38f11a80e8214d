"""Start the web chat on the shipped corpus (builds the index on first run): python app.py"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import assistant  # noqa: F401  (sets the offline environment before any model library loads)
from assistant.config import Settings, get_settings

if TYPE_CHECKING:
    from assistant.pipeline import AnswerPipeline


def main(argv: list[str] | None = None) -> None:
    """Serve the chat on SEND_HOST:SEND_PORT (127.0.0.1:7860) while the pipeline loads."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pause_garbage_collection()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {message}", flush=True)

    # The model libraries take most of the start-up: they load in the background while the page
    # is served, and every step is printed so nobody waits in silence.
    pipeline = ThreadPoolExecutor(1, thread_name_prefix="load").submit(
        load_pipeline, settings, progress
    )
    pipeline.add_done_callback(stop_if_failed)
    progress("Loading the web page ...")
    from assistant.interfaces.web import build_app, serve
    from assistant.records import ConversationRecords

    app = build_app(pipeline, ConversationRecords(settings.log_dir), settings)
    progress(f"Page ready: open http://{args.host}:{args.port}")
    serve(app, settings, server_name=args.host, server_port=args.port)


def load_pipeline(settings: Settings, progress: Callable[[str], None]) -> AnswerPipeline:
    """Import and load the answer pipeline (building the index if it is empty)."""
    progress("Loading the language model and the search index ...")
    # The model first, on a thread of its own: it then loads while the answer steps are
    # imported and the index opens (see AnswerPipeline.load).
    from assistant.corpus.embeddings import load_embeddings

    model = ThreadPoolExecutor(1, thread_name_prefix="model").submit(load_embeddings, settings)
    try:
        from assistant.pipeline import AnswerPipeline

        pipeline = AnswerPipeline.load(settings, progress=progress, model=model)
    finally:
        resume_garbage_collection()
    progress("Ready to answer.")
    return pipeline


def pause_garbage_collection() -> None:
    """Switch Python's cycle collector off while the libraries import and the index loads.

    Importing torch, transformers, scikit-learn and gradio creates millions of objects and
    almost no garbage, yet each allocation burst sets off a collection that walks them all:
    about 2 s of a 9 s start here (measured with the same imports, collector on and off).
    """
    gc.disable()


def resume_garbage_collection() -> None:
    """Switch the collector back on once the pipeline has loaded (or failed to), with everything
    loaded so far frozen: kept out of every later collection, since it lives as long as the
    process and scanning it again at each full collection would only slow the answers."""
    gc.freeze()
    gc.enable()


def stop_if_failed(loading: Future[AnswerPipeline]) -> None:
    """A pipeline that cannot load leaves nothing to serve: say why and stop."""
    error = loading.exception()
    if error is not None:
        print(f"error: the assistant could not start ({error})", flush=True)
        os._exit(1)


if __name__ == "__main__":
    main()
