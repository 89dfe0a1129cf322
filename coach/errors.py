"""One error hierarchy. Every error carries a message fit to show a user.

The CLI maps any CoachError to exit code 2; the web layer maps each kind to an
RFC 9457 problem document using `kind` as the stable `type` suffix and `status`.
"""

from __future__ import annotations


class CoachError(Exception):
    kind = "error"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ParseError(CoachError):
    """The draft could not be read as an OKR set."""

    kind = "parse-error"
    status = 422

    def __init__(
        self, message: str, *, line: int | None = None, columns: list[str] | None = None
    ):
        self.line = line
        # A table whose columns could not be told apart: its header cells, as they read,
        # for the coach to say which holds what.
        self.columns = columns
        super().__init__(f"line {line}: {message}" if line else message)


class InputTooLargeError(ParseError):
    kind = "input-too-large"
    status = 413


class RubricError(CoachError):
    """A rubric file is missing, malformed or refers to unknown rules."""

    kind = "rubric-error"
    status = 422


class UnknownRuleError(RubricError):
    kind = "unknown-rule"
    status = 404

    def __init__(self, rule_id: str, known: list[str] | None = None):
        self.rule_id = rule_id
        hint = f" Known rules: {', '.join(known)}." if known else ""
        super().__init__(f"Unknown rule '{rule_id}'.{hint}")


class ConfigError(CoachError):
    """Settings or options that cannot work together."""

    kind = "config-error"
    status = 422


class DatasetError(CoachError):
    """A labeled-example file does not follow the format of okr-labels.md."""

    kind = "dataset-error"
    status = 422


class NotFoundError(CoachError):
    """A stored review or API key that does not exist."""

    kind = "not-found"
    status = 404


class StoreError(CoachError):
    """The database cannot be reached or used."""

    kind = "store-unavailable"
    status = 503


class BaselineError(CoachError):
    """An eval baseline that is missing, unreadable or made on other datasets."""

    kind = "baseline-error"
    status = 422


class StaleRecordingError(CoachError):
    """A replayed eval has no recorded model answer for the current prompts.

    `changed` names the prompt templates or rubric parts that differ from the
    ones the recording was made with (empty when the recording is just missing).
    """

    kind = "stale-recording"
    status = 409

    def __init__(self, message: str, *, changed: list[str] | None = None):
        super().__init__(message)
        self.changed = changed or []


class LimitExceededError(CoachError):
    """An input over one of the limits that protect the reader (rows, cells, merged ranges,
    an XLSX part's unpacked size or compression ratio). Ends the whole read: the message
    names the file, the limit and the setting that raises it, when there is one."""

    kind = "limit-exceeded"
    status = 422

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        setting: str | None = None,
        max: int | None = None,  # noqa: A002 - the problem document's member
        actual: int | None = None,
        file: str | None = None,
    ):
        self.limit = limit
        self.setting = setting
        self.max = max
        self.actual = actual
        self.file = file
        self.reason = message
        text = f"{message} ({setting})" if setting else message
        super().__init__(f"{file}: {text}" if file else text)

    def named(self, file: str, setting: str | None) -> LimitExceededError:
        """The same error, said of this file and naming the setting of its limit."""
        return LimitExceededError(
            self.reason, limit=self.limit, setting=self.setting or setting, max=self.max,
            actual=self.actual, file=self.file or file,
        )  # fmt: skip
