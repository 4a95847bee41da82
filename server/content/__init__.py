"""The clinical and interface text: pydantic models (``models``, ``session``, ``pwa``) loaded
from ``content/<lang>.yaml`` by ``loader``. No rule code lives here: the screening rule is in
``server.screening``, the session script in ``server.session``, what gets narrated in
``server.speech``.
"""

from server.content.loader import ContentError, load_all, load_file
from server.content.models import Content, Level, Outcome, Question, wording_problems

__all__ = [
    "Content",
    "ContentError",
    "Level",
    "Outcome",
    "Question",
    "load_all",
    "load_file",
    "wording_problems",
]
