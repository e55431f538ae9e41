"""A small naive Bayes reader, learned from labelled examples in the playbook.

It suits the data: a few dozen short examples a label, which a group extends by
adding lines, and answers in well under a millisecond. It says how sure it is,
so a caller can ask the member instead of guessing wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.reading.words import Kin, features, kin

SMOOTHING = 0.05  # added to every count, so a stem one label never saw costs, not forbids
LETTER_WEIGHT = 0.25  # letter runs catch typos but say less than a whole stem
TEMPERATURE = 5.0  # how sharply the scores per unit of evidence become a sureness
EVIDENCE_FLOOR = 10.0  # evidence below this counts as this much: few words, little sureness
GROUP_WEIGHT = 2.0  # a word's group carries what one example teaches to all its kin


def _weight(feature: str) -> float:
    if feature.startswith("#"):
        return LETTER_WEIGHT
    return GROUP_WEIGHT if "@" in feature else 1.0


@dataclass(frozen=True)
class Reading:
    """The likeliest label and how sure the reader is of it, from 1/len(labels) to 1."""

    label: str
    sureness: float
    evidence: float  # the weight of the text's features the examples knew


class Classifier:
    """Naive Bayes over `features`: word counts per label, learned once, read many times."""

    def __init__(
        self, examples: Mapping[str, Sequence[str]], groups: Mapping[str, Sequence[str]]
    ) -> None:
        self.labels = tuple(examples)
        self._groups: Kin = kin(groups)
        self._counts: dict[str, dict[str, float]] = {label: {} for label in self.labels}
        for label, texts in examples.items():
            for text in texts:
                for feature in features(text, self._groups):
                    counts = self._counts[label]
                    counts[feature] = counts.get(feature, 0.0) + _weight(feature)
        self._known = set().union(*self._counts.values())
        size = len(self._known)
        in_all = sum(len(texts) for texts in examples.values())
        # each label's share of the examples: a text of few words leans to the commoner
        self._prior = {label: math.log(len(texts) / in_all) for label, texts in examples.items()}
        self._totals = {
            label: sum(counts.values()) + SMOOTHING * size for label, counts in self._counts.items()
        }

    def groups_in(self, text: str) -> set[str]:
        """The groups of words the text says something of, denied or not."""
        found = (feature.removeprefix("not_") for feature in features(text, self._groups))
        return {feature[1:] for feature in found if feature.startswith("@")}

    def read(self, text: str) -> Reading:
        known = [feature for feature in features(text, self._groups) if feature in self._known]
        scores = {
            label: self._prior[label]
            + sum(
                _weight(feature)
                * math.log(
                    (self._counts[label].get(feature, 0.0) + SMOOTHING) / self._totals[label]
                )
                for feature in known
            )
            for label in self.labels
        }
        evidence = sum(_weight(feature) for feature in known)
        best = max(scores, key=scores.__getitem__)
        # per unit of evidence: a long message is not surer for being long, and a few
        # words are not sure at all
        scale = TEMPERATURE / max(evidence, EVIDENCE_FLOOR)
        spread = sum(math.exp((score - scores[best]) * scale) for score in scores.values())
        return Reading(best, 1 / spread, evidence)
