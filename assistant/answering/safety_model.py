"""The safeguarding tier model: how likely a message (or one clause of it) is urgent, a possible
risk, or neither.

Two logistic regressions (scikit-learn), averaged, because each catches what the other misses:
one over the MiniLM sentence vectors the pipeline already computes (meaning, whatever the
words), one over character n-grams (informal spelling, text-speak, the words themselves). Both
learn from the examples in safeguarding_training.yaml and the worked examples in
safeguarding.yaml and safeguarding_examples.yaml; every clause of a non-risk example is also a
non-risk example, so a clause of an ordinary message is not scored as a disclosure.

Fitting takes about a minute (embedding ~3,000 texts, then the n-gram regression), so both
models are saved in safeguarding_model.npz: weights, n-gram vocabulary and idf, and a
fingerprint of the examples (loading fails, and a test too, if the examples change without a
rebuild). Rebuild: `python -m assistant.answering.safety_model`. Both fits are deterministic
(lbfgs, no sampling).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.config import packaged_yaml
from assistant.corpus.embeddings import SentenceVectors
from assistant.text import split_sentences

# Class order of every probability row.
TIERS = ("none", "possible", "urgent")
MODEL_FILE = "safeguarding_model.npz"
# Regularisation, chosen by 5-fold cross-validation on the development bank (session 6 checked
# other values again with `python -m evals.safety_cv`: see evals/README.md).
VECTOR_C = 4.0
NGRAM_C = 10.0
# Class weights: None (every example counts once), as the cross-validation chose.
CLASS_WEIGHT: str | None = None


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


# Keys of safeguarding_training.yaml copied from evaluation sets (the bank's development half,
# and more), by tier number: cross-validation adds these fold by fold.
FROM_SETS = {
    2: ["urgent", "heldout_urgent"],
    1: ["possible"],
    0: ["none", "heldout_none", "parents_none"],
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


@dataclass(frozen=True)
class FitSettings:
    """How the two regressions are fitted: regularisation (chosen by cross-validation on the
    development material, evals/safety_cv.py) and class weights ("balanced" or none)."""

    vector_c: float = VECTOR_C
    ngram_c: float = NGRAM_C
    class_weight: str | None = CLASS_WEIGHT


class TierModel:
    """Probabilities of (none, possible, urgent) for texts, from their words and vectors."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        ngrams: TfidfVectorizer,
        ngram_weights: np.ndarray,
        ngram_bias: np.ndarray,
    ) -> None:
        self._weights = weights
        self._bias = bias
        self._ngrams = ngrams
        self._ngram_weights = ngram_weights
        self._ngram_bias = ngram_bias

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
        vocabulary = {str(gram): n for n, gram in enumerate(saved["ngram_vocabulary"])}
        ngrams = _ngrams(vocabulary=vocabulary)
        ngrams.idf_ = saved["ngram_idf"]
        return cls(
            saved["coef"],
            saved["intercept"],
            ngrams,
            saved["ngram_coef"],
            saved["ngram_intercept"],
        )

    def probabilities(
        self, texts: list[str], vectors: np.ndarray, by_words: np.ndarray | None = None
    ) -> np.ndarray:
        """One row per text (its unit vector in `vectors`): P(none), P(possible), P(urgent).
        `by_words`: the texts' `word_probabilities`, if already worked out."""
        by_meaning = _softmax(vectors @ self._weights.T + self._bias)
        if by_words is None:
            by_words = self.word_probabilities(texts)
        return np.asarray((by_meaning + by_words) / 2)

    def word_probabilities(self, texts: list[str]) -> np.ndarray:
        """The n-gram regression's half of `probabilities`: one row per text, no vectors needed
        (each final probability lies within half of 1 of half this row's)."""
        grams = self._ngrams.transform(texts)
        return _softmax(np.asarray(grams @ self._ngram_weights.T) + self._ngram_bias)

    def save(self, fingerprint: str) -> Path:
        """Write the model to safeguarding_model.npz beside this package's YAML."""
        target = resources.files("assistant").joinpath(MODEL_FILE)
        with resources.as_file(target) as path:
            np.savez_compressed(
                path,
                coef=self._weights.astype(np.float32),
                intercept=self._bias.astype(np.float32),
                ngram_vocabulary=self._ngrams.get_feature_names_out().astype(str),
                ngram_idf=self._ngrams.idf_,
                ngram_coef=self._ngram_weights.astype(np.float32),
                ngram_intercept=self._ngram_bias.astype(np.float32),
                fingerprint=np.array(fingerprint),
            )
            return Path(path)


def fit_models(
    texts: list[str], labels: list[int], vectors: np.ndarray, fit: FitSettings
) -> TierModel:
    """Both regressions fitted on texts (one unit vector per row of `vectors`) and their tier
    numbers. Deterministic (lbfgs, no sampling)."""
    model = LogisticRegression(C=fit.vector_c, max_iter=3000, class_weight=fit.class_weight)
    model.fit(vectors, labels)
    ngrams = _ngrams(min_df=2)
    grams = ngrams.fit_transform(texts)
    ngram_model = LogisticRegression(C=fit.ngram_c, max_iter=3000, class_weight=fit.class_weight)
    ngram_model.fit(grams, labels)
    return TierModel(
        model.coef_, model.intercept_, ngrams, ngram_model.coef_, ngram_model.intercept_
    )


def build(vectors: SentenceVectors) -> None:
    """Fit both models on the training examples and save them beside this package's YAML."""
    examples = training_examples()
    features = vectors.many(examples.texts)
    model = fit_models(examples.texts, examples.labels, features, FitSettings())
    path = model.save(examples.fingerprint)
    print(f"Saved {path} ({len(examples.texts)} examples, fingerprint {examples.fingerprint})")


if __name__ == "__main__":
    from assistant.config import get_settings
    from assistant.corpus.embeddings import load_embeddings

    build(SentenceVectors(load_embeddings(get_settings())))
