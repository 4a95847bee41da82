"""``python -m server serve | export | content check | audio build | audio check``.

Only the standard library is imported before a no-change ``audio build`` is answered from
its stamp (``server/build_stamp.py``); everything else is ``server/cli.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from server import build_stamp


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:2] == ["audio", "build"]:
        output = build_stamp.unchanged(arguments)
        if output is not None:
            sys.stdout.write(output)
            return 0
    from server.cli import main as run

    return run(arguments)


if __name__ == "__main__":
    sys.exit(main())
