"""The safeguarding tier model: how likely a message (or one clause of it) is urgent, a possible
risk, or neither.

Three logistic regressions (scikit-learn) and the nearest examples, averaged, because each
catches what the others miss: one regression over the MiniLM sentence vectors the pipeline
already computes (meaning, whatever the words), one over character n-grams (informal spelling,
text-speak), one over words and word pairs (since session 7: phrases such as "not moving" or
"her nan", which character n-grams blur), and (since session 8) the tiers of the ten training
texts nearest in meaning: a linear model draws one boundary through the whole vector space, so
a rare way of saying something (a young person's "school would be easier if i wasnt in it")
sits on the wrong side of it, while its nearest examples still say what it is. All learn from
the examples in safeguarding_training.yaml and the worked examples in safeguarding.yaml and
safeguarding_examples.yaml; every clause of a non-risk example is also a non-risk example, so
a clause of an ordinary message is not scored as a disclosure.

Fitting takes about a minute (embedding ~5,000 texts, then the text regressions), so the
models are saved in safeguarding_model.npz: weights, vocabularies and idf, the training vectors
(as bytes, for the nearest examples), and a fingerprint of the examples (loading fails, and a
test too, if the examples change without a rebuild). Rebuild:
`python -m assistant.answering.safety_model`. The fits are deterministic (lbfgs, no sampling).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.config import packaged_yaml
from assistant.corpus.embeddings import SentenceVectors
from assistant.text import split_sentences

# Class order of every probability row.
TIERS = ("none", "possible", "urgent")
MODEL_FILE = "safeguarding_model.npz"
# Regularisation, chosen by 5-fold cross-validation on the development material (sessions 6
# and 7 checked other values with `python -m evals.safety_cv`: see evals/README.md). Session 7
# lowered the sentence-vector C from 4 to 1 and added the word regression (C 30): fewer urgent
# false alarms and fewer boxes on ordinary questions at the same recall.
VECTOR_C = 1.0
NGRAM_C = 10.0
WORD_C = 30.0
# Class weights: None (every example counts once), as the cross-validation chose.
CLASS_WEIGHT: str | None = None
# How many nearest training texts vote (cross-validated in session 8: 5 and 20 did worse; 0
# leaves the nearest examples out, the session 7 recipe).
NEAREST_K = 10


def clauses(text: str) -> list[str]:
    """Sentences, and the comma- or 'and'-separated clauses of long ones (4+ words each)."""
    parts: list[str] = []
    for sentence in split_sentences(text):
        parts.append(sentence)
        if len(sentence.split()) > 12:
            parts.extend(re.split(r"\s*(?:[,;:]|\band\b|\bbut\b|\bso\b)\s+", sentence))
    unique = dict.fromkeys(p.strip() for p in parts if len(p.split()) >= 4)
    return list(unique)[:12]


@dataclass(frozen=True)
class Examples:
    """Training texts and their tier numbers (indexes into TIERS)."""

    texts: list[str]
    labels: list[int]

    @property
    def fingerprint(self) -> str:
        """A hash of the examples, saved with the model to notice a stale file."""
        data = json.dumps([self.texts, self.labels], ensure_ascii=False).encode()
        return hashlib.sha256(data).hexdigest()[:16]


# Keys of safeguarding_training.yaml copied from evaluation sets (the development halves of both
# banks, and more), by tier number: cross-validation adds these fold by fold.
FROM_SETS = {
    2: ["urgent", "heldout_urgent", "bank2_urgent", "bank3_urgent"],
    1: ["possible", "bank2_possible", "bank3_possible"],
    0: ["none", "heldout_none", "parents_none", "bank2_none", "bank3_none"],
}


def labelled_texts(include_sets: bool = True) -> list[tuple[str, int]]:
    """Every training text with its tier number (an index into TIERS). With
    `include_sets=False`, only the worked examples, not the items copied from evaluation sets
    (FROM_SETS), for cross-validation (evals/safety_cv.py)."""
    training = packaged_yaml("safeguarding_training.yaml")
    config = packaged_yaml("safeguarding.yaml")
    bank = packaged_yaml("safeguarding_examples.yaml")
    worked = {
        2: config["risk_examples"] + bank["risk"],
        1: [],
        0: training["ordinary_questions"] + config["ordinary_examples"] + bank["ordinary"],
    }
    pairs: list[tuple[str, int]] = []
    for label in (2, 1, 0):
        copied = [t for key in FROM_SETS[label] for t in training.get(key) or []]
        texts = (copied if include_sets else []) + worked[label]
        pairs.extend((text, label) for text in texts)
    return pairs


@lru_cache(maxsize=1)
def training_examples() -> Examples:
    """Every training text with its tier; clauses of non-risk texts count as non-risk."""
    texts: list[str] = []
    labels: list[int] = []
    for text, label in labelled_texts():
        pieces = [text, *clauses(text)] if label == 0 else [text]
        texts.extend(pieces)
        labels.extend([label] * len(pieces))
    return Examples(texts, labels)


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _ngrams(**fixed: object) -> TfidfVectorizer:
    """Character 2- to 5-grams within words, with sublinear term frequency."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, **fixed)


def _words(**fixed: object) -> TfidfVectorizer:
    """Words and word pairs, with sublinear term frequency."""
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, **fixed)


# The regressions over the text itself, by the prefix of their arrays in the saved file.
TEXT_FEATURES = {"ngram": _ngrams, "word": _words}


@dataclass(frozen=True)
class FitSettings:
    """How the regressions are fitted: regularisation (chosen by cross-validation on the
    development material, evals/safety_cv.py) and class weights ("balanced" or none)."""

    vector_c: float = VECTOR_C
    ngram_c: float = NGRAM_C
    word_c: float = WORD_C
    class_weight: str | None = CLASS_WEIGHT
    nearest_k: int = NEAREST_K


@dataclass(frozen=True)
class TextRegression:
    """A logistic regression over tf-idf features of the text (character n-grams or words)."""

    features: TfidfVectorizer
    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row of (none, possible, urgent) probabilities per text."""
        grams = self.features.transform(texts)
        return _softmax(np.asarray(grams @ self.weights.T) + self.bias)


@dataclass(frozen=True)
class NearestExamples:
    """The training texts' unit vectors and tiers: a text's row is the share of each tier among
    its `k` nearest by cosine. Saved as signed bytes with one scale per row (a quarter of the
    size of float32; cosines move by about 0.001, which does not change who is nearest)."""

    vectors: np.ndarray
    labels: np.ndarray
    k: int

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One row of (none, possible, urgent) shares per unit vector in `vectors`."""
        similarity = vectors @ self.vectors.T
        k = min(self.k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        return np.asarray(np.eye(len(TIERS))[self.labels[nearest]].mean(axis=1))

    def packed(self) -> dict[str, np.ndarray]:
        """The arrays saved in the model file."""
        scale = np.abs(self.vectors).max(axis=1, keepdims=True) / 127
        return {
            "nearest_bytes": np.round(self.vectors / scale).astype(np.int8),
            "nearest_scale": scale.astype(np.float32),
            "nearest_labels": self.labels.astype(np.int8),
            "nearest_k": np.array(self.k),
        }

    @classmethod
    def unpacked(cls, saved: Any) -> NearestExamples:
        """The examples from the arrays `packed` wrote."""
        vectors = saved["nearest_bytes"].astype(np.float32) * saved["nearest_scale"]
        return cls(vectors, saved["nearest_labels"].astype(np.int64), int(saved["nearest_k"]))


class TierModel:
    """Probabilities of (none, possible, urgent) for texts, from their vectors and words."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        texts: dict[str, TextRegression],
        nearest: NearestExamples | None,
    ) -> None:
        self._weights = weights
        self._bias = bias
        self._texts = texts
        self._nearest = nearest

    @classmethod
    def saved(cls) -> TierModel:
        """The shipped model (safeguarding_model.npz). Raises RuntimeError if it was built
        from other examples than the YAML files hold now."""
        examples = training_examples()
        saved = np.load(str(resources.files("assistant").joinpath(MODEL_FILE)))
        if str(saved["fingerprint"]) != examples.fingerprint:
            raise RuntimeError(
                f"{MODEL_FILE} was built from other examples: "
                "run `python -m assistant.answering.safety_model`."
            )
        texts: dict[str, TextRegression] = {}
        for name, make in TEXT_FEATURES.items():
            vocabulary = {str(gram): n for n, gram in enumerate(saved[f"{name}_vocabulary"])}
            features = make(vocabulary=vocabulary)
            features.idf_ = saved[f"{name}_idf"]
            texts[name] = TextRegression(
                features, saved[f"{name}_coef"], saved[f"{name}_intercept"]
            )
        nearest = NearestExamples.unpacked(saved) if "nearest_bytes" in saved else None
        return cls(saved["coef"], saved["intercept"], texts, nearest)

    def probabilities(
        self, texts: list[str], vectors: np.ndarray, by_words: np.ndarray | None = None
    ) -> np.ndarray:
        """One row per text (its unit vector in `vectors`): P(none), P(possible), P(urgent),
        the plain average of the regressions' rows and the nearest examples' shares.
        `by_words`: the texts' `word_probabilities`, if already worked out."""
        if by_words is None:
            by_words = self.word_probabilities(texts)
        by_meaning = _softmax(vectors @ self._weights.T + self._bias)
        n = len(self._texts)
        if self._nearest is None:  # the session 7 recipe, for cross-validation
            return np.asarray((by_meaning + n * by_words) / (n + 1))
        by_examples = self._nearest.probabilities(vectors)
        return np.asarray((by_meaning + by_examples + n * by_words) / (n + 2))

    def word_probabilities(self, texts: list[str]) -> np.ndarray:
        """The text regressions' rows, averaged: one row per text, no vectors needed."""
        rows = [model.probabilities(texts) for model in self._texts.values()]
        return np.asarray(sum(rows) / len(rows))

    def words_needed(self, threshold: float) -> float:
        """The least `word_probabilities` value with which a text's final probability can still
        reach `threshold`, whatever its vector says (the vector regression and the nearest
        examples give at most 1 each)."""
        n = len(self._texts)
        others = 1 if self._nearest is None else 2
        return ((n + others) * threshold - others) / n

    def save(self, fingerprint: str) -> Path:
        """Write the model to safeguarding_model.npz beside this package's YAML."""
        arrays: dict[str, np.ndarray] = {
            "coef": self._weights.astype(np.float32),
            "intercept": self._bias.astype(np.float32),
            "fingerprint": np.array(fingerprint),
        }
        if self._nearest is not None:
            arrays.update(self._nearest.packed())
        for name, model in self._texts.items():
            arrays[f"{name}_vocabulary"] = model.features.get_feature_names_out().astype(str)
            arrays[f"{name}_idf"] = model.features.idf_
            arrays[f"{name}_coef"] = model.weights.astype(np.float32)
            arrays[f"{name}_intercept"] = model.bias.astype(np.float32)
        target = resources.files("assistant").joinpath(MODEL_FILE)
        with resources.as_file(target) as path:
            # numpy's stubs read keyword arrays as its own `allow_pickle` flag.
            np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
            return Path(path)


def fit_models(
    texts: list[str], labels: list[int], vectors: np.ndarray, fit: FitSettings
) -> TierModel:
    """The three regressions fitted on texts (one unit vector per row of `vectors`) and their
    tier numbers, and the nearest examples. Deterministic (lbfgs, no sampling)."""
    model = LogisticRegression(C=fit.vector_c, max_iter=3000, class_weight=fit.class_weight)
    model.fit(vectors, labels)
    fitted: dict[str, TextRegression] = {}
    for name, make in TEXT_FEATURES.items():
        features = make(min_df=2)
        grams = features.fit_transform(texts)
        c = fit.ngram_c if name == "ngram" else fit.word_c
        regression = LogisticRegression(C=c, max_iter=3000, class_weight=fit.class_weight)
        regression.fit(grams, labels)
        fitted[name] = TextRegression(features, regression.coef_, regression.intercept_)
    nearest = None
    if fit.nearest_k:
        # Stored as bytes, so scored as bytes here too: cross-validation sees the shipped model.
        packed = NearestExamples(vectors, np.asarray(labels), fit.nearest_k).packed()
        nearest = NearestExamples.unpacked(packed)
    return TierModel(model.coef_, model.intercept_, fitted, nearest)


def build(vectors: SentenceVectors) -> None:
    """Fit the models on the training examples and save them beside this package's YAML."""
    examples = training_examples()
    features = vectors.many(examples.texts)
    model = fit_models(examples.texts, examples.labels, features, FitSettings())
    path = model.save(examples.fingerprint)
    print(f"Saved {path} ({len(examples.texts)} examples, fingerprint {examples.fingerprint})")


if __name__ == "__main__":
    from assistant.config import get_settings
    from assistant.corpus.embeddings import load_embeddings

    build(SentenceVectors(load_embeddings(get_settings())))
