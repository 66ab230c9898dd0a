"""The clerical review queue: the suspected matches a run queues, and the decision on each, which
every later run reuses (`selectors.decisions_frame`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Conflict, Forbidden, InvalidInput
from fangpin.core.idnumber import mask as mask_id
from fangpin.core.models import AuditAction
from fangpin.datafeeds.core.compare import ReviewRow
from fangpin.datafeeds.models import FeedRun, ReviewPair, ReviewStatus
from fangpin.registry.models import Person


def review_decide(*, actor: Actor, pair: ReviewPair, verdict: str) -> ReviewPair:
    """Confirm or dismiss a suspected match; the decision is reused in every later run. [PEERS §5 item 1]"""
    if verdict not in (ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED):
        raise InvalidInput("核对结论只能是“是同一人”或“不是同一人”。")
    if not actor.user.can("datafeeds.review"):
        raise Forbidden()
    with transaction.atomic():
        locked = ReviewPair.objects.select_for_update().get(pk=pair.pk)
        if locked.status != ReviewStatus.OPEN:
            raise Conflict("该疑似匹配已由他人核对过，请刷新。")
        locked.status = verdict
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action=AuditAction.TRANSITION,
            changes={"status": [ReviewStatus.OPEN, verdict]},
            object_type="ReviewPair",
            object_id=locked.pk,
            area_code=locked.village_code,
            household_id=locked.person.household_id,
        )
    return locked


def queue_review_pairs(*, run: FeedRun, rows: Sequence[ReviewRow]) -> None:
    """Queue the run's suspected matches for clerical review (inside the run's write transaction)."""
    villages = (
        dict(Person.objects.filter(pk__in=[r.person_id for r in rows]).values_list("pk", "household__village_code"))
        if rows
        else {}
    )
    ReviewPair.objects.bulk_create(
        [
            ReviewPair(
                source=run.source,
                feed_key=key,
                person_id=person_id,
                village_code=villages.get(person_id, ""),
                run=run,
                probability=round(float(p), 6),
                feed_record={
                    "line": line,
                    "name": name,
                    "id_masked": mask_id(raw or ""),
                    "birth_date": born.isoformat() if born else "",
                    "sex": sex or "",
                    "village_code": village or "",
                },
            )
            for key, person_id, p, line, name, raw, born, sex, village in rows
        ],
        batch_size=2000,
        ignore_conflicts=True,  # a pair already decided (or already queued) never comes back
    )
