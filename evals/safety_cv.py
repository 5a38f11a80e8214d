"""`python -m evals.safety_cv`: cross-validated figures for the safeguarding tier model.

The shipped model is trained on the safety banks' development halves, so its figures on them
say nothing about new wording. This command splits the development material (the three banks'
development halves, the three held-out safety sets and the development halves of the parents'
sets) into five folds by a hash of each item's id (or, with `--by-writer`, one fold per bank
and one for the held-out sets, so each writer is scored by a model that never saw them), trains the model on four folds plus the fixed
worked examples, and scores the fifth; every item is scored by a model that never saw it. The
thresholds and the pattern rule of `assistant.answering.safeguarding` are then applied to those
scores. The figures estimate how the check does on new wording, optimistically where patterns
were written from these misses. No frozen test half is read: the sets are fixed in SETS.

    python -m evals.safety_cv [--train bank|all] [--grid] [--by-writer] [--misses]

`--train bank` trains on the banks' folds only (the held-out and parents' sets are then only
scored); `--train all` (the shipped recipe) trains on every set's folds. `--grid` prints the
figures over a grid of thresholds as well. Sentence vectors are cached in reports/safety/.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering import safeguarding as sg
from assistant.answering.lookalikes import fold_for_safety
from assistant.answering.safety_model import (
    NEAREST_K,
    NGRAM_C,
    VECTOR_C,
    WORD_C,
    FitSettings,
    clauses,
    fit_models,
    labelled_texts,
)
from assistant.config import PROJECT_ROOT, Settings
from evals.safety import Item, load

SETS = {
    "bank": ["safety_bank_dev"],
    "bank2": ["safety_bank_dev2"],
    "bank3": ["safety_bank_dev3"],
    "heldout": ["heldout_safety", "heldout_safety_2", "heldout_safety_3"],
    "parents": ["parents_dev", "parents_dev2", "parents_dev3"],
}
FOLDS = 5
# Groups that are not one writer's bank (spread over the folds by hash with --by-writer).
UNWRITTEN = {"parents"}
CACHE = PROJECT_ROOT / "reports" / "safety" / "cv_vectors.npz"


@dataclass(frozen=True)
class Scored:
    """One development item, the set it came from, and its out-of-fold scores."""

    set_name: str
    item: Item
    fold: int
    parts: list[str]


def _fold(item_id: str, group: str, by_writer: bool) -> int:
    """The fold of an item: by a hash of its id, or with `by_writer` the fold of its bank or
    held-out group (one writer's or writers' wording), so each is scored by a model that never
    saw that writer; the parents' questions are spread over those folds by hash."""
    hashed = int(hashlib.sha256(item_id.encode()).hexdigest(), 16)
    if not by_writer:
        return hashed % FOLDS
    writers = [g for g in SETS if g not in UNWRITTEN]
    return writers.index(group) if group in writers else hashed % len(writers)


def _vectors(texts: list[str]) -> dict[str, np.ndarray]:
    """Unit vectors for texts, cached on disk between runs."""
    cached: dict[str, np.ndarray] = {}
    if CACHE.exists():
        saved = np.load(CACHE)
        cached = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
    missing = [t for t in dict.fromkeys(texts) if t not in cached]
    if missing:
        from assistant.corpus.embeddings import load_embeddings

        model = load_embeddings(Settings())
        new = np.asarray(model.embed_documents(missing), dtype=np.float32)
        cached.update(zip(missing, new, strict=True))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        keys = list(cached)
        np.savez(CACHE, texts=np.array(keys), vectors=np.stack([cached[k] for k in keys]))
    return cached


def _tier_number(item: Item) -> int:
    return {"none": 0, "possible": 1, "urgent": 2}[item.tier]


def out_of_fold(
    train_on: list[str], fit: FitSettings, by_writer: bool = False
) -> list[tuple[Scored, np.ndarray]]:
    """Every development item with its (whole message + clauses) x 3 probability rows, scored
    by a model trained without its fold (`by_writer`: without its writer's group)."""
    items: list[Scored] = []
    for group, names in SETS.items():
        for name in names:
            for item in load(PROJECT_ROOT / "evals" / "datasets" / f"{name}.jsonl"):
                folded = fold_for_safety(item.message)
                fold = _fold(item.id, group, by_writer)
                items.append(Scored(group, item, fold, [folded, *clauses(folded)]))
    pool_messages = {s.item.message for s in items}
    fixed = [(t, y) for t, y in labelled_texts(include_sets=False) if t not in pool_messages]
    trainable = [(s.item.message, _tier_number(s.item)) for s in items]
    expanded = [p for t, y in fixed + trainable for p in _pieces(t, y)]
    vectors = _vectors(expanded + [p for s in items for p in s.parts])
    results: list[tuple[Scored, np.ndarray]] = []
    for fold in sorted({s.fold for s in items}):
        chosen = [
            (s.item.message, _tier_number(s.item))
            for s in items
            if s.fold != fold
            and s.set_name in train_on
            # As in safeguarding_training.yaml: a non-risk item that matches a risk pattern
            # (a disclosure in an ordinary question) is not taught as non-risk.
            and not (s.item.tier == "none" and _matched(s.parts[0])[0])
        ]
        train = [(p, y) for t, y in fixed + chosen for p in _pieces(t, y)]
        texts = [t for t, _ in train]
        features = np.stack([vectors[t] for t in texts])
        models = fit_models(texts, [y for _, y in train], features, fit)
        for s in items:
            if s.fold == fold:
                rows = models.probabilities(s.parts, np.stack([vectors[p] for p in s.parts]))
                results.append((s, rows))
    return results


def _pieces(text: str, label: int) -> list[str]:
    """As in training: a non-risk text and each of its clauses are non-risk examples."""
    return [text, *clauses(text)] if label == 0 else [text]


def tiers(
    results: list[tuple[Scored, np.ndarray]],
    possible_at: tuple[float, float],
    urgent_at: tuple[float, float],
) -> list[str]:
    """The tier the check's rule gives each scored item at these thresholds."""
    out = []
    for scored, rows in results:
        matched, urgent_pattern = _matched(scored.parts[0])
        out.append(sg.decide(rows, matched, possible_at, urgent_at, urgent_pattern).tier)
    return out


@lru_cache(maxsize=4096)
def _matched(text: str) -> tuple[str | None, bool]:
    """The pattern matched (urgent first) and whether it is an urgent one."""
    urgent = sg.urgent_pattern_match(text)
    return urgent or sg.pattern_match(text), urgent is not None


def _counts(results: list[tuple[Scored, np.ndarray]], got: list[str], group: str) -> list[int]:
    """[any-tier hits, risk items, urgent hits, urgent items, false urgent, boxes, non-risk]."""
    pairs = [
        (s.item.tier, t) for (s, _), t in zip(results, got, strict=True) if s.set_name == group
    ]
    return [
        sum(e != "none" and t != "none" for e, t in pairs),
        sum(e != "none" for e, _ in pairs),
        sum(e == "urgent" and t == "urgent" for e, t in pairs),
        sum(e == "urgent" for e, _ in pairs),
        sum(e == "none" and t == "urgent" for e, t in pairs),
        sum(e == "none" and t == "possible_risk" for e, t in pairs),
        sum(e == "none" for e, _ in pairs),
    ]


def report(results: list[tuple[Scored, np.ndarray]], got: list[str]) -> dict[str, str]:
    """Figures per group: any-tier and urgent recall, urgent false alarms, boxes on non-risk."""
    lines: dict[str, str] = {}
    for group in SETS:
        hits, risk, urgent_hits, urgent, false_urgent, boxes, ordinary = _counts(
            results, got, group
        )
        lines[group] = (
            f"any {hits}/{risk}  urgent {urgent_hits}/{urgent}  "
            f"false-urgent {false_urgent}/{ordinary}  boxes {boxes}/{ordinary}"
        )
    return lines


def grid(results: list[tuple[Scored, np.ndarray]]) -> None:
    """Print the figures at each threshold setting that keeps every risk item in a tier."""
    for whole_p in (0.08, 0.10, 0.12, 0.13, 0.14, 0.15, 0.16, 0.18, 0.20, 0.22):
        for clause_p in (0.40, 0.50, 0.55, 0.60, 0.70):
            for whole_u in (0.35, 0.40, 0.45, 0.50, 0.55):
                for clause_u in (0.50, 0.60, 0.70):
                    got = tiers(results, (whole_p, clause_p), (whole_u, clause_u))
                    figures = report(results, got)
                    print(
                        f"{whole_p} {clause_p} {whole_u} {clause_u} | "
                        + " | ".join(figures.values())
                    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: print cross-validated figures at the shipped (and, with --grid, other)
    thresholds."""
    parser = argparse.ArgumentParser(prog="python -m evals.safety_cv")
    parser.add_argument("--train", choices=["bank", "all"], default="all")
    parser.add_argument("--vector-c", type=float, default=VECTOR_C)
    parser.add_argument("--ngram-c", type=float, default=NGRAM_C)
    parser.add_argument("--word-c", type=float, default=WORD_C)
    parser.add_argument("--nearest-k", type=int, default=NEAREST_K)
    parser.add_argument("--balanced", action="store_true", help="balanced class weights")
    parser.add_argument("--grid", action="store_true")
    parser.add_argument(
        "--by-writer",
        action="store_true",
        help="one fold per blind bank / held-out group: figures for a writer never trained on",
    )
    parser.add_argument("--misses", action="store_true", help="list the misses (development only)")
    args = parser.parse_args(argv)
    train_on = ["bank", "bank2", "bank3"] if args.train == "bank" else list(SETS)
    fit = FitSettings(
        args.vector_c,
        args.ngram_c,
        args.word_c,
        "balanced" if args.balanced else None,
        args.nearest_k,
    )
    results = out_of_fold(train_on, fit, args.by_writer)
    got = tiers(results, sg.POSSIBLE_AT, sg.URGENT_AT)
    folds = "one fold per writer" if args.by_writer else f"{FOLDS} folds"
    print(f"shipped thresholds {sg.POSSIBLE_AT} {sg.URGENT_AT}, trained on {train_on}, {fit}")
    print(f"  ({folds})")
    for group, line in report(results, got).items():
        print(f"  {group:8} {line}")
    if args.misses:
        for (s, _), t in zip(results, got, strict=True):
            e = s.item.tier
            if (
                (e != "none" and t == "none")
                or (e == "urgent" and t != "urgent")
                or (e == "none" and t != "none")
            ):
                print(f"  - {s.item.id} expected {e}, got {t}: {s.item.message[:150]!r}")
    if args.grid:
        grid(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
