"""The demo extension: generated monthly FOCUS files, imported and allocated."""

from datetime import UTC, datetime

import pytest

from apps.costs.models import CostImport, CostLine
from apps.demo import costs as demo
from apps.organization.models import CostExport


@pytest.mark.django_db
def test_demo_export_is_imported_and_allocated(org_costs, teams, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    config: dict = {}
    demo.extend_config(config=config, base_url="http://x")  # writes 18 months up to now
    assert len(list(demo.export_dir().glob("*.csv"))) == 18
    for path in demo.export_dir().glob("*.csv"):
        path.unlink()
    today = datetime(2026, 3, 10, tzinfo=UTC)
    paths = demo.demo_export_write(today=today, months=2)
    # February (28 days) and March 1–9: 37 days × 4 owners × 4 services
    assert [p.name for p in paths] == ["focus-2026-02.csv", "focus-2026-03.csv"]
    org_costs(**{k: v for k, v in config["costs"].items() if k != "exports"})
    CostExport.objects.create(name=demo.EXPORT_NAME, format="focus", path=str(demo.export_dir()))
    demo.after_sync()
    assert CostImport.objects.filter(status="succeeded").count() == 2
    assert CostLine.objects.count() == 37 * 16
    by_account = dict(CostLine.objects.values_list("sub_account_id", "team__slug").distinct())
    assert by_account == {
        "111100002222": "platform",
        "111100003333": "payments",
        "111100004444": None,
        demo.MAPPED_ACCOUNT: "payments",
    }
    demo.demo_export_write(today=today, months=2)  # same bytes → nothing new
    demo.after_sync()
    assert CostImport.objects.count() == 2
