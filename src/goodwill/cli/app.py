"""The Typer app and what every command shares: settings from options, errors as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from goodwill.errors import ConfigError, GoodwillError
from goodwill.settings import Settings

app = typer.Typer(
    name="goodwill",
    help="Find the moments to give your customers something of real value, act on them, "
    "and prove it pays.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="The data folder (ledger, quarantine, store). Default: $GOODWILL_DATA_DIR or ./goodwill-data.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def make_settings(data: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with the command's options on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if data is not None:
        given["data_dir"] = data
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {key}={first.get('input')!r}: {first['msg']}") from exc


def reports_errors(command: F) -> F:
    """Turn a GoodwillError into a red message and exit status 1 instead of a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GoodwillError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(code=1) from exc

    return wrapper  # type: ignore[return-value]


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """goodwill: find the moments to give, decide who gets what, act warmly, and prove it pays."""
    if version:
        from goodwill import __version__

        console.print(f"goodwill {__version__}")
        raise typer.Exit()
