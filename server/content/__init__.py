"""The clinical and interface text: pydantic models (``models``, ``session``, ``pwa``) loaded
from ``content/<lang>.yaml`` by ``loader``. No rule code lives here: the screening rule is in
``server.screening``, the session script in ``server.session``, what gets narrated in
``server.speech.texts``.
"""

from server.content.loader import ContentError, load_all, load_file
from server.content.models import Content, Level, Outcome, Question, wording_problems
from server.content.wording import FORBIDDEN_PATTERNS, WordingCheck, forbidden_wording

__all__ = [
    "FORBIDDEN_PATTERNS",
    "Content",
    "ContentError",
    "Level",
    "Outcome",
    "Question",
    "WordingCheck",
    "forbidden_wording",
    "load_all",
    "load_file",
    "wording_problems",
]
