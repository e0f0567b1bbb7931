"""The ``goodwill`` command: one Typer app, one module of commands per area."""

from __future__ import annotations

from goodwill.cli import (  # noqa: F401  (each registers its commands)
    advise,
    agents,
    clv,
    db,
    deliver,
    demo,
    ledger,
    run,
    scorecard,
    serve,
    staff,
    themes,
)
from goodwill.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
