"""Errors Keel raises to users. Each message says what went wrong and where."""


class KeelError(Exception):
    """Base class of every error Keel reports to a user."""


class ConfigError(KeelError):
    """The organisation config is invalid. `path` names the offending key, e.g.
    `sources[0].repos[1].team`; nothing of the file was applied."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)
