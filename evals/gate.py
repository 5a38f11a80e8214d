"""The regression gate: thresholds in evals/gate.yaml, checked against an evaluation summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GATE_FILE = Path(__file__).parent / "gate.yaml"


@dataclass(frozen=True)
class GateResult:
    """One threshold and whether the summary meets it."""

    metric: str
    value: float
    bound: float
    direction: str  # "minimum" or "maximum"

    @property
    def ok(self) -> bool:
        """True when the value is on the right side of the bound."""
        return self.value >= self.bound if self.direction == "minimum" else self.value <= self.bound

    def line(self) -> str:
        """'PASS retrieval.hit_at_5 = 0.912 (minimum 0.850)'."""
        mark = "PASS" if self.ok else "FAIL"
        return f"{mark} {self.metric} = {self.value:.3f} ({self.direction} {self.bound:.3f})"


def load_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    """The gate configuration: which set to run and the thresholds."""
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return config


def metric_value(summary: dict[str, Any], dotted: str) -> float:
    """A summary figure by dotted path, e.g. 'retrieval.hit_at_5'."""
    value: Any = summary
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"the summary has no metric {dotted!r}")
        value = value[part]
    if value is None:
        raise KeyError(f"the set has no items to measure {dotted!r}")
    return float(value)


def check_gate(summary: dict[str, Any], config: dict[str, Any]) -> list[GateResult]:
    """Every threshold in the configuration, evaluated."""
    results = []
    for direction in ("minimum", "maximum"):
        for metric, bound in (config.get(direction) or {}).items():
            results.append(
                GateResult(metric, metric_value(summary, metric), float(bound), direction)
            )
    return results
