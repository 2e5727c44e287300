"""The Docker image serves every page. This machine (and CI) has no Docker engine, so the test
builds the image's file set instead: it copies exactly what the Dockerfile's COPY lines copy into
an empty folder, starts Django from there (nothing else of the repository importable or readable)
and requests every page. A file the pages need that the Dockerfile forgets (the templates, once)
fails here as it would in the image (docs/operations.md#docker)."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run inside the image's file set: migrate, make a superuser, and GET every page the URL
# resolver serves (parameters filled with a made-up value: 404 is fine, a 500 is not).
PROBE = textwrap.dedent(
    """
    import os, re, sys
    import django
    django.setup()
    import apps, config
    from django.core.management import call_command
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import URLResolver, get_resolver

    here = os.getcwd()
    assert apps.__file__.startswith(here) and config.__file__.startswith(here), apps.__file__
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_superuser("root", "root@acme.test", "pw")

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            else:
                yield route

    pages = set()
    for route in walk(get_resolver().url_patterns):
        if "format" in route or route.startswith("^"):
            continue
        pages.add("/" + re.sub(r"<(?:\\w+:)?\\w+>", "x", route))
    failures = []
    for who in ("anonymous", "root"):
        client = Client(raise_request_exception=False)
        if who == "root":
            client.force_login(get_user_model().objects.get(username="root"))
        for page in sorted(pages):
            status = client.get(page).status_code
            if status >= 500:
                failures.append(f"{who} GET {page}: {status}")
    print(len(pages), "pages")
    print("\\n".join(failures))
    sys.exit(1 if failures else 0)
    """
)


def dockerfile_copies(dockerfile: Path) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY line, destinations relative to WORKDIR."""
    copies = []
    for line in dockerfile.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "COPY" and not any(p.startswith("--") for p in parts):
            copies.append((parts[1:-1], parts[-1]))
    return copies


def image_file_set(target: Path) -> None:
    """Copy into `target` what the Dockerfile copies into its WORKDIR: `COPY src dest` with
    `dest` a folder (`./`, `name/`, or a folder source's new name) or a file's new path."""
    for sources, destination in dockerfile_copies(ROOT / "Dockerfile"):
        into_folder = destination.endswith("/") or destination == "." or len(sources) > 1
        for source in sources:
            path = ROOT / source
            if into_folder:
                dest = target / destination / path.name
            else:
                dest = target / destination
            dest.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(path, dest)


def test_the_dockerfile_copies_every_top_level_folder_the_server_needs(tmp_path) -> None:
    copied = {s for sources, _ in dockerfile_copies(ROOT / "Dockerfile") for s in sources}
    assert {"config", "apps", "integrations", "templates", "manage.py"} <= copied


def test_the_images_file_set_serves_every_page(tmp_path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    image_file_set(app)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'image.sqlite3'}",
        PYTHONPATH="",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=app, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert int(result.stdout.split()[0]) >= 15
