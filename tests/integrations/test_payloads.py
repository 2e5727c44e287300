"""integrations.http.payloads.bad_text: the fast re-encoding check and the walk that names the
field agree (huge strings, lone surrogates in values or keys, emoji that are valid)."""

from integrations.http.payloads import bad_text


def test_clean_items_pass_including_emoji_and_long_but_allowed_text():
    item = {"title": "fix 🐛", "labels": [{"name": "bug"}], "body": "x" * 999_000, "n": 3}
    assert bad_text(item) is None


def test_a_huge_string_is_named_by_its_path():
    item = {"head": {"repo": {"topics": ["ok", "y" * 1_000_001]}}}
    assert bad_text(item) == (
        "head.repo.topics[1]",
        "is 1,000,001 characters long (at most 1,000,000)",
    )


def test_a_lone_surrogate_in_a_value_or_a_key_is_named():
    assert bad_text({"user": {"login": "a\ud800b"}})[0] == "user.login"
    assert bad_text({"fields": {"\udc00": 1}})[0] == "fields.\udc00"


def test_a_long_page_of_short_strings_is_not_an_error():
    # The whole item is longer than the limit, but no single string is: walked, and clean.
    assert bad_text({"items": ["z" * 600_000, "z" * 600_000]}, limit=1_000_000) is None
