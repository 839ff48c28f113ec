"""The exception hierarchy of mixite.

::

    MixiteError                      every error raised on purpose by mixite
    ├── InvalidDataError             a user's file breaks the data model (carries the problems)
    ├── UnknownKindError             an import kind or table name that does not exist
    ├── ReferenceDataError           reference data missing for a vintage (never guessed)
    └── StoreError                   the store cannot be opened or written
        └── MissingDataError         the store (or a table the command needs) does not exist

API misuse by developers raises the built-in ``ValueError`` or ``TypeError`` with a
message that names the parameter, the rule, the value and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mixite.core.validation import Problem


class MixiteError(Exception):
    """Base class of every error mixite raises on purpose."""


class InvalidDataError(MixiteError):
    """A file does not satisfy the data model.

    ``problems`` holds at most ``report_limit`` problems in file order and
    ``total`` counts all of them.
    """

    def __init__(
        self, problems: Sequence[Problem], *, total: int, source: str, action: str = "import"
    ) -> None:
        self.problems = tuple(problems)
        self.total = total
        self.source = source
        #: What was refused: ``import``, ``reglages`` (a settings file) or ``lecture``.
        self.action = action
        super().__init__(f"{source}: {total} problem(s) found, nothing was written")

    @classmethod
    def single(
        cls,
        source: str,
        rule: str,
        *,
        row: int = 0,
        column: str = "",
        value: str = "",
        action: str = "import",
    ) -> InvalidDataError:
        """A refusal for one problem (a whole file, an option, a setting)."""
        from mixite.core.validation import Problem

        return cls(
            [Problem(row, column, value, rule, source)], total=1, source=source, action=action
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt whole on the other side of a process boundary (the platform's
        candidate search runs in a process of its own)."""
        return (_refus, (self.problems, self.total, self.source, self.action))

    def relabel(self, action: str) -> InvalidDataError:
        """The same problems, reported as a refusal of another kind."""
        return InvalidDataError(self.problems, total=self.total, source=self.source, action=action)

    def report(self) -> str:
        """The French report shown to users: one line per problem, then the count."""
        from mixite.core.validation import format_report

        return format_report(
            self.problems, total=self.total, source=self.source, action=self.action
        )


def _refus(problems: Sequence[Problem], total: int, source: str, action: str) -> InvalidDataError:
    return InvalidDataError(problems, total=total, source=source, action=action)


class UnknownKindError(MixiteError):
    """An import kind or a table name that mixite does not know."""


class ReferenceDataError(MixiteError):
    """Reference data (ceilings, thresholds) is missing for the vintage asked."""


class StoreError(MixiteError):
    """The store cannot be opened, read or written."""


class MissingDataError(StoreError):
    """The store, or a table a command needs, does not exist (a user error, in French)."""
