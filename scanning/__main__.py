"""``python -m scanning IMAGE...``: see :mod:`scanning.cli`."""

from scanning.cli import main

raise SystemExit(main())
