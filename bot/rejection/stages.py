"""How far a member got before the no: the one list of stages, in the order the
question offers them, with the words each is shown in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    value: str  # what the store keeps
    label: str  # the choice offered by "how far did you get with them?"
    counted: str  # how /stats counts it: "2 after applying"
    also: tuple[str, ...] = ()  # other words a member may type for it


STAGES = (
    Stage("applied", "Applied, no interview", "after applying", ("automated", "form email")),
    Stage("screen", "A screening call", "after a screen", ("phone", "recruiter call")),
    Stage("interview", "Interviews", "after interviews", ("rounds", "onsite", "on-site")),
    Stage("final", "The final round", "in the final round", ("last round", "final stage")),
    Stage("runner_up", "Runner-up, they told me I came close", "as runner-up", ("second",)),
)
CAME_CLOSE = frozenset({"final", "runner_up"})  # close enough to ask for an advice meeting
