"""Usage series (config `usage` and `costs.engineering`): read from CSV when applied, errors
that name the file, the line and the key, and nothing applied on any error."""

import datetime as dt

import pytest

from apps.core.errors import ConfigError
from apps.organization.models import Organization, UsageMonth, UsageSeries
from apps.organization.services import config_apply_file, config_load
from apps.organization.usage import UsageFileError, usage_csv_parse
from tests.organization.conftest import db_counts

BASE = """\
organization: {name: Acme}
teams: [{slug: platform, name: Platform}]
costs: {engineering: {platform: 85000}}
usage:
  - {name: requests, unit: requests, path: usage.csv}
"""


def test_csv_with_header_blank_lines_and_decimals():
    text = "month,value\n2026-01,1000\n\n2026-02, 1250.5\n"
    assert usage_csv_parse(text, file="u.csv") == {
        dt.date(2026, 1, 1): 1000.0,
        dt.date(2026, 2, 1): 1250.5,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("month,value\n2026-01,abc\n", "u.csv line 2: invalid value 'abc': expected a number"),
        ("2026-01,10\n2026-13,10\n", "u.csv line 2: invalid month '2026-13': expected YYYY-MM"),
        ("2026-01,10\n2026-01,11\n", "u.csv line 2: month 2026-01 repeated (first at line 1)"),
        ("2026-01;10\n", "u.csv line 1: expected 2 columns (month,value), got 1"),
        ("2026-01,-5\n", "u.csv line 1: invalid value '-5': expected a number ≥ 0"),
        ("2026-01,nan\n", "u.csv line 1: invalid value 'nan': expected a number ≥ 0"),
        ("month,value\n", "u.csv: no month,value lines"),
    ],
)
def test_malformed_csv_names_file_and_line(text, message):
    with pytest.raises(UsageFileError) as error:
        usage_csv_parse(text, file="u.csv")
    assert str(error.value) == message


@pytest.mark.django_db
def test_apply_reads_the_csv_next_to_the_config(tmp_path):
    (tmp_path / "usage.csv").write_text("month,value\n2026-01,1000\n2026-02,1300\n")
    (tmp_path / "keel.yaml").write_text(BASE)
    result = config_apply_file(path=tmp_path / "keel.yaml")
    series = UsageSeries.objects.get()
    assert (series.name, series.unit, series.path) == ("requests", "requests", "usage.csv")
    assert list(UsageMonth.objects.values_list("month", "value")) == [
        (dt.date(2026, 1, 1), 1000.0),
        (dt.date(2026, 2, 1), 1300.0),
    ]
    assert result.get("organization.UsageMonth").created == 2
    assert Organization.objects.get().cost_settings["engineering"] == {"platform": 85000.0}
    again = config_apply_file(path=tmp_path / "keel.yaml")
    assert not again.changed
    (tmp_path / "usage.csv").write_text("2026-01,1000\n2026-02,1400\n")
    assert (
        config_apply_file(path=tmp_path / "keel.yaml").get("organization.UsageMonth").updated == 1
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (None, "usage file not found: {dir}/usage.csv"),
        (
            "2026-01,10\n2026-02,ten\n",
            "{dir}/usage.csv line 2: invalid value 'ten': expected a number",
        ),
        (b"2026-01,10\n\xff\xfe", "{dir}/usage.csv line 2: not UTF-8 text (invalid start byte)"),
    ],
)
def test_bad_usage_file_applies_nothing(tmp_path, csv, message):
    if isinstance(csv, bytes):
        (tmp_path / "usage.csv").write_bytes(csv)
    elif csv is not None:
        (tmp_path / "usage.csv").write_text(csv)
    (tmp_path / "keel.yaml").write_text(BASE)
    before = db_counts()
    with pytest.raises(ConfigError) as error:
        config_apply_file(path=tmp_path / "keel.yaml")
    assert error.value.path == "usage[0].path"
    assert error.value.message == message.format(dir=tmp_path)
    assert db_counts() == before
    assert not UsageSeries.objects.exists()


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            BASE.replace("platform: 85000", "platfrom: 85000"),
            "costs.engineering.platfrom",
            "unknown team 'platfrom'",
        ),
        (
            BASE.replace("platform: 85000", "platform: -1"),
            "costs.engineering.platform",
            "Input should be greater than or equal to 0",
        ),
        (
            BASE.replace("platform: 85000", "platform: lots"),
            "costs.engineering.platform",
            "Input should be a valid number, unable to parse string as a number",
        ),
        (BASE.replace("unit: requests, ", ""), "usage[0].unit", "required key missing"),
        (
            BASE.replace("name: requests", "name: Requests!"),
            "usage[0].name",
            "invalid slug 'Requests!': use letters, digits, '-' and '_'",
        ),
        (
            BASE + "  - {name: requests, unit: r, path: b.csv}\n",
            "usage[1].name",
            "duplicate usage name 'requests' (first at usage[0])",
        ),
    ],
)
def test_bad_usage_and_engineering_config_names_the_key(text, path, message):
    with pytest.raises(ConfigError) as error:
        config_load(text=text)
    assert (error.value.path, error.value.message) == (path, message)
