"""Redaction quality: our patterns beside Presidio's (pattern recognisers) on a labelled set.

    python benchmarks/redaction_quality.py [--out reports/redaction.json]

Each labelled message lists the personal details that must go and ordinary words that must stay.
Presidio is measured only if importable (e.g. `pip install --target /tmp/presidio
presidio-analyzer==2.2.366` and PYTHONPATH=/tmp/presidio); it runs on a blank spaCy English
pipeline, because no spaCy English model ships on PyPI and Presidio would otherwise download one.
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.privacy import redact

# (message, details that must be removed, words that must stay)
LABELLED: list[tuple[str, list[str], list[str]]] = [
    (
        "My name is Jane Example, email jane@example.com, phone 07700 900123. Can I get help with school transport?",
        ["Jane", "Example", "jane@example.com", "07700 900123"],
        ["school transport"],
    ),
    (
        "My name is Jane Example, my daughter Amy Example (DOB 03/04/2015), phone 07700 900123. Can I get help with transport to school for Amy?",
        ["Jane", "Amy", "Example", "03/04/2015", "07700 900123"],
        ["transport to school"],
    ),
    (
        "Jane Example here, my son has ADHD. What is a SENCO?",
        ["Jane", "Example"],
        ["ADHD", "SENCO"],
    ),
    (
        "MY NAME IS JANE EXAMPLE AND MY SON TOM NEEDS HELP WITH HIS EHCP",
        ["JANE", "EXAMPLE", "TOM"],
        ["EHCP"],
    ),
    ("my name is jane example, what does SENDIASS do?", ["jane", "example"], ["SENDIASS"]),
    (
        "I'm Sarah Jones, my son Alfie (born 3 April 2015, NHS 943 476 5919) lives at ST4 3NR",
        ["Sarah", "Jones", "Alfie", "3 April 2015", "943 476 5919", "ST4 3NR"],
        ["lives"],
    ),
    (
        "Our daughter Lily is 7 and Lily struggles with reading. Can Lily get an assessment?",
        ["Lily"],
        ["reading", "assessment"],
    ),
    (
        "Call me on +44 7700 900123 or 01782 555123 about Aiming High",
        ["7700 900123", "01782 555123"],
        ["Aiming High"],
    ),
    (
        "This is Priya Patel, my grandson Arjun has autism. Who do I contact at Stoke-on-Trent?",
        ["Priya", "Patel", "Arjun"],
        ["autism", "Stoke-on-Trent"],
    ),
    (
        "my email is parent.one+send@mail.co.uk, can I get short breaks?",
        ["parent.one+send@mail.co.uk"],
        ["short breaks"],
    ),
    (
        "We live in ST6 1AB and my son Ben (DOB: 12.09.2016) is in Year 4",
        ["ST6 1AB", "Ben", "12.09.2016"],
        ["Year 4"],
    ),
    (
        "Hi, I'm Mohammed Khan. My daughter Aisha is deaf. What help is there?",
        ["Mohammed", "Khan", "Aisha"],
        ["deaf", "help"],
    ),
    (
        "My son is autistic and in Reception. What is an EHC needs assessment?",
        [],
        ["autistic", "Reception", "EHC needs assessment"],
    ),
    ("How long does the council have to decide whether to assess?", [], ["council", "assess"]),
    (
        "We asked Stoke for an EHC needs assessment last week; the SENCO said wait.",
        [],
        ["Stoke", "SENCO", "EHC"],
    ),
    ("Tom's school says the tribunal is the next step. Is that right?", [], ["tribunal"]),
    (
        "Can I speak to the Local Offer team or SENDIASS in Stoke-on-Trent?",
        [],
        ["Local Offer", "SENDIASS", "Stoke-on-Trent"],
    ),
    ("My partner Chris and I want to appeal. Our child Sam is 12.", ["Chris", "Sam"], ["appeal"]),
    ("Her NHS number is 4857773456 and her name is Grace", ["4857773456", "Grace"], ["NHS"]),
    ("I am worried about my son Leo, Leo has stopped eating", ["Leo"], ["worried", "eating"]),
]


def ours(text: str) -> str:
    return redact(text)


def presidio_redactor() -> Callable[[str], str] | None:
    """Presidio's analyzer with its default recognisers on a blank spaCy pipeline, or None."""
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None

    class BlankEnglish(SpacyNlpEngine):  # type: ignore[misc]
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankEnglish(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def run(text: str) -> str:
        spans = sorted(analyzer.analyze(text, language="en"), key=lambda r: r.start, reverse=True)
        for span in spans:
            text = text[: span.start] + f"<{span.entity_type}>" + text[span.end :]
        return text

    return run


def score(redactor: Callable[[str], str]) -> dict[str, float]:
    """Share of personal details removed (recall) and of ordinary words kept."""
    removed = total = kept = ordinary = 0
    for text, secrets, keep in LABELLED:
        out = redactor(text)
        total += len(secrets)
        removed += sum(1 for s in secrets if not re.search(re.escape(s), out))
        ordinary += len(keep)
        kept += sum(1 for k in keep if k in out)
    return {
        "details_removed": round(removed / total, 3),
        "ordinary_words_kept": round(kept / ordinary, 3),
        "details": total,
        "ordinary_words": ordinary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports/redaction.json"))
    args = parser.parse_args()
    results = {"ours (assistant.privacy)": score(ours)}
    presidio = presidio_redactor()
    if presidio is not None:
        results["presidio 2.2.366 (patterns, blank spaCy)"] = score(presidio)
    print(f"{'redactor':45} {'details removed':>16} {'ordinary kept':>14}")
    for name, row in results.items():
        print(f"{name:45} {row['details_removed']:>16.1%} {row['ordinary_words_kept']:>14.1%}")
    if presidio is None:
        print("(presidio-analyzer not importable: only ours measured)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"messages": len(LABELLED), "results": results}, indent=2))


if __name__ == "__main__":
    main()
