"""Single-value checks shared by the config schema (apps.organization.schema) and the admin forms
(apps.organization.forms), so a rule is written once. Each returns the clean value or raises
ValueError with a message meant for the person editing the config.
"""

import datetime as dt
import re
import zoneinfo
from urllib.parse import urlsplit

from apps.organization.sources import config_key_kinds, source_kinds

# A key with one of these names is a secret pasted into the file: never accepted
# (docs/configuration.md).
SECRET_KEYS = frozenset({"token", "password", "secret", "webhook_secret", "api_key", "api_token"})
_SECRET_SUFFIXES = ("_token", "_password", "_secret")

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Prefixes of provider tokens that are also valid variable names (GitHub classic and
# fine-grained tokens: https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/;
# Atlassian API tokens start with ATATT).
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "ATATT")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class PathError(ValueError):
    """A ValueError that knows the key it is about, relative to the object that raised it.

    Pydantic reports errors of a model-level validator at the model's own location; the config
    loader appends `path` so the message names the exact key, e.g. `sources[0].repos[1].team`.
    """

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


def is_secret_key(key: str) -> bool:
    """True for keys such as `token`, `password`, `webhook_secret`, `github_token`."""
    key = key.lower()
    return key in SECRET_KEYS or key.endswith(_SECRET_SUFFIXES)


def secret_key_message(key: str) -> str:
    return (
        f"secrets never live in the config file: remove '{key}' and name an environment "
        "variable with token_env, or enter the secret in the admin (stored encrypted)"
    )


def kind_only_keys() -> list[str]:
    """The source keys only some kinds accept (docs/configuration.md#sources), from the source
    registry: `repos`, `api`, `projects`, `email_env`, `story_points_field`, `services`."""
    return list(config_key_kinds())


def kind_key_error(*, kind: str, key: str) -> str | None:
    """The message for `key` set on a source of `kind` when only other kinds accept it."""
    wanted = config_key_kinds().get(key)
    if wanted is None or kind in wanted:
        return None
    return f"'{key}' is only for {' or '.join(wanted)} sources, not {kind}"


def check_identity(value: object) -> str | None:
    """A person's id at a provider: text of 1 to 200 characters (a number, as YAML reads
    `github: 1234`, becomes text); None when not given."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected text")
    if not 1 <= len(value) <= 200:
        raise ValueError("expected text of 1 to 200 characters")
    return value


def check_source_kind(value: str) -> str:
    """A registered source kind (apps.organization.sources)."""
    kinds = source_kinds()
    if value not in kinds:
        raise ValueError(f"unknown source kind '{value}': expected one of {', '.join(kinds)}")
    return value


def check_slug(value: str) -> str:
    """A slug: letters, digits, `-` and `_` (Django's SlugField)."""
    if not _SLUG.match(value):
        raise ValueError(f"invalid slug {value!r}: use letters, digits, '-' and '_'")
    return value


def check_email(value: str) -> str:
    """An e-mail address, lower-cased so `Bob@Acme.test` and `bob@acme.test` are one person."""
    if not _EMAIL.match(value):
        raise ValueError(f"invalid e-mail address {value!r}")
    return value.lower()


def check_env_name(value: str) -> str:
    """The name of an environment variable, e.g. `GITHUB_TOKEN`."""
    if not _ENV_NAME.match(value) or value.startswith(_TOKEN_PREFIXES):
        # The value is not echoed: what was pasted here is often the secret itself.
        raise ValueError(
            "expected the name of an environment variable (letters, digits, '_'; e.g. "
            "GITHUB_TOKEN), not a token: put the secret in that variable or in the admin"
        )
    return value


def check_regex(value: str) -> str:
    """A Python regular expression that compiles."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regex: {exc} in {value!r}") from None
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name known to zoneinfo, e.g. `Europe/Paris`."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')"
        raise ValueError(message) from None
    return value


def check_base_url(value: str) -> str:
    """An absolute http(s) URL with a host and no user name or password; a trailing slash is
    dropped. A `user:pass@` part is refused without echoing it (it is a credential: the token
    belongs in `token_env` or the admin, where it is stored encrypted)."""
    parts = urlsplit(value)
    if "@" in parts.netloc:
        raise ValueError(
            "base_url must not contain a user name or password (user:pass@host): name the "
            "token's environment variable in token_env, or enter the token in the admin"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"invalid base_url {value!r}: expected http(s)://host[/path]")
    return value.rstrip("/")


def url_without_credentials(value: str) -> str:
    """`value` with any `user:pass@` removed, for display (a row stored before check_base_url
    refused credentials)."""
    parts = urlsplit(value)
    if "@" not in parts.netloc:
        return value
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def check_one_line(value: str) -> str:
    """A name shown in e-mail subjects and page titles: no line breaks or other control
    characters (a newline in a subject is a header injection, and Django refuses to send it)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line of text: no line breaks, tabs or control characters")
    return value


def check_slo(value: float) -> float:
    """A service-level objective as a fraction strictly between 0 and 1, e.g. 0.999."""
    if not 0 < value < 1:
        raise ValueError(f"invalid slo {value}: expected a fraction between 0 and 1, e.g. 0.999")
    return value


def check_weight(value: float) -> float:
    """A service's weight in team and org uptime: a finite number, 0 or more (default 1)."""
    if not 0 <= value < float("inf"):
        raise ValueError(f"invalid weight {value}: expected a number of 0 or more, e.g. 1 or 2.5")
    return value


def check_text_keys(value: object) -> object:
    """A mapping whose keys are text. YAML reads an unquoted `012345670123` as an octal number:
    an account id must stay text, so a number key is an error, not a silently different id."""
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f'account id {key!r} must be quoted ("{key}") to stay text')
    return value


def check_date(value: object) -> dt.date:
    """A calendar date written `YYYY-MM-DD`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"invalid date {value!r}: expected YYYY-MM-DD")


def check_month(value: object) -> dt.date:
    """A month written `YYYY-MM`; returns its first day."""
    if isinstance(value, str) and _MONTH.match(value):
        year, month = (int(part) for part in value.split("-"))
        if 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise ValueError(f"invalid month {value!r}: expected YYYY-MM")


def format_path(loc: tuple[str | int, ...]) -> str:
    """`("sources", 0, "repos", 1, "team")` → `sources[0].repos[1].team`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
