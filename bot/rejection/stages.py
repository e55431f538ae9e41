"""How far a member got before the no: the one list of stages, in the order the
question offers them, with the words each is shown in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    value: str  # what the store keeps
    label: str  # the choice offered by "how far did you get with them?"
    counted: str  # how /stats counts it: "2 after applying"


STAGES = (
    Stage("applied", "Applied, no interview", "after applying"),
    Stage("screen", "A screening call", "after a screen"),
    Stage("interview", "Interviews", "after interviews"),
    Stage("final", "The final round", "in the final round"),
    Stage("runner_up", "Runner-up, they told me I came close", "as runner-up"),
)
CAME_CLOSE = frozenset({"final", "runner_up"})  # close enough to ask for an advice meeting
