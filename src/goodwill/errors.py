"""The one error tree of goodwill.

::

    GoodwillError
    ├── ConfigError (ValueError)        a setting or option has a bad value
    ├── LedgerError                     the ledger folder is missing or unreadable
    ├── StoreError                      the store cannot be reached, is not migrated, or refused a write
    │   └── BudgetNotSetError (ValueError)  spending asked of a kind and month with no budget
    ├── DeliveryError                   a channel could not hand a message over (retried later)
    ├── MessageTemplateError (ValueError)  a template is missing or needs what it was not given
    └── IngestError (ValueError)        source data cannot be ingested
        ├── MissingTableError           a required table file is absent
        ├── MissingColumnError          a required column is absent from a table file
        ├── UnreadableFileError         empty, not CSV/Parquet, or not decodable
        ├── EmptyTableError             no rows would replace a table that has some
        └── TooManyBadRowsError         a table's bad-row fraction is over the limit

Every message says what was wrong and what to do about it.
"""

from __future__ import annotations


class GoodwillError(Exception):
    """Base of every error goodwill raises on purpose."""


class ConfigError(GoodwillError, ValueError):
    """A setting or command-line option has a value goodwill cannot use."""


class LedgerError(GoodwillError):
    """The ledger folder is missing, incomplete or unreadable."""


class IngestError(GoodwillError, ValueError):
    """Source data cannot be ingested; the previous ledger is left as it was."""


class MissingTableError(IngestError):
    """A required table has no file in the source folder."""


class MissingColumnError(IngestError):
    """A table file lacks a required column."""


class UnreadableFileError(IngestError):
    """A table file is empty, malformed or not in the expected encoding."""


class EmptyTableError(IngestError):
    """A header-only (or absent) source would replace a ledger table that has rows."""


class TooManyBadRowsError(IngestError):
    """More rows of a table failed validation than the configured fraction allows."""


class StoreError(GoodwillError):
    """The store cannot be reached, is not migrated, or refused a write."""


class BudgetNotSetError(StoreError, ValueError):
    """Spending was asked of a gift kind and month that has no budget."""


class DeliveryError(GoodwillError):
    """A channel could not hand a message over; the outbox will try again later."""


class MessageTemplateError(GoodwillError, ValueError):
    """A message template is missing, or needs something the moment or caller did not give."""
