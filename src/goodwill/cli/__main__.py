"""``python -m goodwill.cli``: the same as the ``goodwill`` command."""

from goodwill.cli import main

main()
