"""What a reader weighs in a member's text: word stems, pairs of them, and the
letters inside words, so "kubernets" and "interviewing" still meet their examples.
A word after "not" or "wasn't" is a different word ("not_skill"), so "it wasn't
my skills" does not count as a missing skill."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from itertools import pairwise

_WORD = re.compile(r"[a-z0-9]+")
# where a "not" stops applying: "it wasn't my skills, they had someone internal"
_CLAUSE_END = re.compile(r"[.,;:!?()\n]|\b(?:but|just|so|because|they|and)\b")
_NEGATORS = frozenset(
    "not no never nothing nobody none neither nor without cannot cant wasnt isnt werent "  # noqa: SIM905
    "didnt doesnt dont wont wouldnt couldnt havent hasnt hadnt arent aint".split()
)
_STOP = frozenset(  # words a reason says whatever its category
    "a an the of to in on at for with by from as is was were be been being am are it its "  # noqa: SIM905
    "this that these those i me my we our you your he she him her his their them there "
    "here what which who whom do did does had has have having would could should will "
    "shall may might must very really just about into than then also too so such oh um "
    "lol like".split()
)
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "ly", "s")
LETTERS = 4  # the length of the letter runs taken inside a word


def stem(word: str) -> str:
    """A rough stem: enough for "interviewing", "interviews" and "interviewed" to meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def folded(text: str) -> str:
    """Lower case, accents and apostrophes dropped ("wasn't" -> "wasnt")."""
    plain = text.lower()
    if not plain.isascii():  # most text is: only the rest has accents to drop
        plain = unicodedata.normalize("NFKD", plain)
        plain = "".join(char for char in plain if not unicodedata.combining(char))
    return plain.replace("'", "").replace("\u2019", "")


def stems(text: str) -> list[str]:
    """The text's meaningful stems in order, each marked `not_` inside a negation."""
    found: list[str] = []
    for clause in _CLAUSE_END.split(folded(text)):
        negated = False
        for word in _WORD.findall(clause):
            if word in _NEGATORS:
                negated = True
            elif word not in _STOP:
                found.append(f"not_{stem(word)}" if negated else stem(word))
    return found


Kin = Mapping[tuple[str, ...], str]  # the stems of a word or two -> the group it belongs to


def kin(groups: Mapping[str, Sequence[str]]) -> Kin:
    """Groups of words that mean the same to the reader, keyed by their stems."""
    return {tuple(stems(words)): name for name, members in groups.items() for words in members}


def skipped(text: str) -> list[str]:
    """The words of the text the reader passes over as saying nothing ("the", "on")."""
    return [word for word in text.split() if not stems(word) and folded(word) not in _NEGATORS]


def features(text: str, groups: Kin) -> list[str]:
    """Stems, neighbouring pairs of stems, the groups of words they belong to (`@lack`),
    and letter runs inside each word."""
    words = stems(text)
    pairs = [f"{first}+{second}" for first, second in pairwise(words)]
    found = [
        group
        for at in range(len(words))
        for size in (1, 2)
        if (group := _group(words[at : at + size], groups))
    ]
    letters = [
        f"#{padded[start : start + LETTERS]}"
        for word in words
        if not word.startswith("not_")
        for padded in (f"<{word}>",)
        for start in range(max(1, len(padded) - LETTERS + 1))
    ]
    return [*words, *pairs, *found, *letters]


def _group(words: list[str], groups: Kin) -> str:
    """The group these stems belong to, `not_@skill` when they are denied; "" if none."""
    if not words:
        return ""
    if name := groups.get(tuple(words)):
        return f"@{name}"
    plain = tuple(word.removeprefix("not_") for word in words)
    name = groups.get(plain, "")
    return f"not_@{name}" if name and words[0].startswith("not_") else ""
