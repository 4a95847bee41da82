"""The track index's keys: under which key a plan's track in a perspective is listed, for the
build that writes the index (``tracks``) and the lookup that reads it (``track_lookup``)."""

from __future__ import annotations

from server.content.perspective import Perspective

# The carer's ("they") track of a plan is listed under ``<plan>.they`` (plan ids are slugs,
# so never hold a dot); the person's own track under the plan id.
CARER_SUFFIX = f".{Perspective.THEY.value}"


def index_key(plan_id: str, perspective: Perspective = Perspective.YOU) -> str:
    """The track index's key for a plan's track in ``perspective``."""
    return f"{plan_id}{CARER_SUFFIX}" if perspective == Perspective.THEY else plan_id


def plan_of_key(key: str) -> str:
    """The plan id of an index key."""
    return key.removesuffix(CARER_SUFFIX)
