"""import_costs command, the beat task, /api/v1/cost-imports/, the admin, and the metrics store."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.costs.models import CostImport, CostLine
from apps.ingestion.tasks import import_cost_exports
from apps.metrics.models import MetricRow
from apps.organization.models import CostExport
from tests.integrations.cost_exports.builders import focus_frame, write_csv

from .conftest import REAL

pytestmark = pytest.mark.django_db


def test_command_imports_a_folder_and_computes(org_costs, tmp_path, capsys):
    write_csv(tmp_path / "a.csv", focus_frame(rows=2))
    write_csv(
        tmp_path / "b.csv.gz",
        focus_frame(
            rows=1, ChargePeriodStart="2024-10-01T00:00:00Z", ChargePeriodEnd="2024-10-01T01:00:00Z"
        ),
    )
    (tmp_path / "notes.txt").write_text("ignored")
    call_command("import_costs", str(tmp_path), "--format", "focus")
    out = capsys.readouterr().out
    assert "a.csv: succeeded, 2 rows" in out and "b.csv.gz: succeeded, 1 rows" in out
    # org monthly cost: September 0.5 + 1.0 = 1.5 (EffectiveCost (i+1)/2), October 0.5
    rows = MetricRow.objects.filter(metric="cost", scope="org", granularity="month")
    assert {r.period_start.isoformat(): r.value for r in rows} == {
        "2024-09-01": 1.5,
        "2024-10-01": 0.5,
    }
    assert (
        MetricRow.objects.get(metric="cost", granularity="month", period_start="2024-09-01").unit
        == "currency"
    )


def test_command_fails_on_a_bad_file_and_unknown_export(org_costs, tmp_path):
    path = write_csv(tmp_path / "a.csv", focus_frame(BilledCost=["1", "x", "3"]))
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_costs", str(path), "--format", "focus", "--no-compute")
    with pytest.raises(CommandError, match="no cost export named 'nope'"):
        call_command("import_costs", str(path), "--format", "focus", "--export", "nope")


def test_beat_task_imports_new_files_once(org_costs, tmp_path):
    CostExport.objects.create(name="aws", format="aws-cur", path=str(tmp_path))
    (tmp_path / "cur.csv").write_bytes((REAL / "aws-cur-legacy-sample.csv").read_bytes())
    first = import_cost_exports()
    again = import_cost_exports()
    assert first == again and CostImport.objects.get().export.name == "aws"
    assert CostLine.objects.count() == 1281


def test_api_lists_imports(org_costs, tmp_path):
    record = CostImport.objects.create(
        path="x.csv",
        sha256="ab",
        format="focus",
        status="failed",
        error="x.csv, row 2, column BilledCost: not a number",
    )
    client = APIClient()
    assert client.get("/api/v1/cost-imports/").status_code in (401, 403)
    client.force_authenticate(get_user_model().objects.create_user("u"))
    assert client.get("/api/v1/cost-imports/").status_code == 403  # paths: admins only
    client.force_authenticate(get_user_model().objects.create_superuser("root"))
    body = client.get("/api/v1/cost-imports/?status=failed").json()
    assert body["count"] == 1 and body["results"][0]["error"] == record.error
    assert client.get(f"/api/v1/cost-imports/{record.pk}/").json()["format"] == "focus"


def test_admin_pages(admin_client, org_costs, tmp_path):
    cost_file = write_csv(tmp_path / "a.csv", focus_frame(rows=2))
    call_command("import_costs", str(cost_file), "--format", "focus", "--no-compute")
    assert admin_client.get("/admin/costs/costimport/").status_code == 200
    record = CostImport.objects.get()
    assert admin_client.get(f"/admin/costs/costimport/{record.pk}/change/").status_code == 200
    assert admin_client.get("/admin/costs/costline/").status_code == 200
