"""A sync in a child process that SIGKILLs itself part-way through a page's writes.

    python -m tests.faults.child SOURCE_ID MODEL_LABEL PAGE ROWS

Syncs source SOURCE_ID; on the PAGE-th upsert of MODEL_LABEL rows (e.g. delivery.PullRequest 2)
it writes the first ROWS rows of that page, inside the page's open transaction, then kills
itself with SIGKILL, so the transaction never ends. The wrapper is test-only: product code has
no kill hooks. Exit status 3 means the kill point was never reached. The database comes from
DATABASE_URL (tests/faults/conftest.SharedDatabase).
"""

import os
import signal
import sys

import django


def main(source_id: int, label: str, page: int, rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from apps.ingestion import upserts
    from apps.ingestion.services import source_sync
    from apps.organization.models import Source

    original = upserts.rows_upsert
    seen = [0]

    def killing(*, model, rows: list, **kw) -> int:  # type: ignore[no-untyped-def]
        if model._meta.label == label:
            seen[0] += 1
            if seen[0] == page:
                original(model=model, rows=rows[:count], **kw)
                os.kill(os.getpid(), signal.SIGKILL)
        return original(model=model, rows=rows, **kw)

    count = rows
    for name, module in list(sys.modules.items()):
        if name.startswith("apps.") and getattr(module, "rows_upsert", None) is original:
            module.rows_upsert = killing
    source_sync(source=Source.objects.get(pk=source_id))
    sys.exit(3)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
