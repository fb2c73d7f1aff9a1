"""What the first pages of a team show about collected responses: how many, through which
distribution, and the newest ones.

``read_response_overview`` is the one function here; the survey page, the share panel's
completed counts and the distribution list call it. It reads through the one door
(``door.responses``/``door.answers`` with ``actor.scope``), so a member limited to a unit counts
and sees only that unit's responses, and comments are redacted for roles without personal
data. Included: complete responses (screened-out and partial ones are not counted). The newest
responses are only returned to members who may see responses.

An employee survey (confidential: no reader sees its rows) gets its count of complete responses
inside the reader's units only when it reaches the survey's smallest group (``complete`` is None
below it, with ``min_group`` set), no newest responses and no count per distribution (one
distribution per department would count small groups).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm

from . import door

SCORE_TYPES = ("nps", "csat", "ces", "rating")


@dataclass(frozen=True)
class LatestResponse:
    id: int
    completed_at: datetime | None
    channel: str
    language: str
    score: float | None  # the first NPS/CSAT/CES/rating answer, in question order of the rows
    score_type: str
    comment: str  # every text answer, joined


@dataclass(frozen=True)
class ResponseOverview:
    complete: int | None  # None: an employee survey below its smallest group
    by_distribution: dict[int, int]
    latest: tuple[LatestResponse, ...]
    min_group: int = 0  # an employee survey's smallest group; 0 for other surveys


def read_response_overview(
    actor: Actor, *, survey_id: int | None = None, distributions: bool = False, latest: int = 0
) -> ResponseOverview:
    """Complete responses (of one survey, or all), counted per distribution when asked, and the
    ``latest`` newest with their first score and their text answers."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if survey_id is not None and door.is_confidential(actor.organization, survey_id):
        minimum = door.confidential_min_group(actor.organization, survey_id)
        n = door.confidential_count(actor.scope, survey_id)
        return ResponseOverview(n if n >= minimum else None, {}, (), minimum)
    piece = door.Slice(survey_id=survey_id, status="complete")
    rows = door.responses(actor.scope, piece)
    by_distribution: dict[int, int] = {}
    if distributions:
        for dist, n in (
            rows.filter(meta__has_key="distribution")
            .values_list("meta__distribution")
            .annotate(n=Count("id"))
            .values_list("meta__distribution", "n")
        ):
            if isinstance(dist, int):
                by_distribution[dist] = by_distribution.get(dist, 0) + n
    newest: list[LatestResponse] = []
    if latest and actor.can(Perm.RESPONSES_VIEW):
        picked = list(rows.order_by("-completed_at", "-pk")[:latest])
        answers: dict[int, list] = {}
        for a in door.answers(actor.scope, piece).filter(response__in=picked).order_by("pk"):
            answers.setdefault(a.response_id, []).append(a)
        for r in picked:
            own = answers.get(r.pk, [])
            score = next((a for a in own if a.qtype in SCORE_TYPES and a.value_number is not None), None)
            texts = [
                door.text_view(actor.scope, a.value_text) for a in own if a.qtype == "text" and a.value_text
            ]
            newest.append(
                LatestResponse(
                    r.pk,
                    r.completed_at,
                    r.channel,
                    r.language,
                    score.value_number if score else None,
                    score.qtype if score else "",
                    " · ".join(texts),
                )
            )
    return ResponseOverview(rows.count(), by_distribution, tuple(newest))
