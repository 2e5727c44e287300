"""The dashboard's static assets, served by Django from installed files: no CDN, no network,
no collectstatic step. plotly.min.js comes from the installed `plotly` Python package
(`plotly/package_data/plotly.min.js`); keel.css and keel.js from this app's `assets/`.

URLs carry a version (the plotly package version, a hash of our files), so responses are
cached for a year; gzip is applied once in memory when the browser accepts it.
"""

import gzip
import hashlib
from functools import cache
from pathlib import Path

import plotly
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

HERE = Path(__file__).resolve().parent / "assets"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
FILES: dict[str, tuple[Path, str]] = {
    "plotly.min.js": (PLOTLY_JS, "text/javascript; charset=utf-8"),
    "keel.css": (HERE / "keel.css", "text/css; charset=utf-8"),
    "keel.js": (HERE / "keel.js", "text/javascript; charset=utf-8"),
}
YEAR = 365 * 24 * 3600


@cache
def _content(name: str) -> tuple[bytes, bytes, str]:
    """(raw bytes, gzipped bytes, version) of asset `name`, read once per process."""
    path, _ = FILES[name]
    raw = path.read_bytes()
    version = plotly.__version__ if name == "plotly.min.js" else hashlib.sha256(raw).hexdigest()
    return raw, gzip.compress(raw, compresslevel=6), version[:12]


def asset_version(name: str) -> str:
    return _content(name)[2]


@require_GET
def asset_serve(request: HttpRequest, name: str, version: str) -> HttpResponse:
    """GET /assets/<version>/<name>: 404 for unknown names; a stale version is still served
    (the content is what is installed now) but not cached for long."""
    if name not in FILES:
        raise Http404("unknown asset")
    raw, zipped, current = _content(name)
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(zipped if use_gzip else raw, content_type=FILES[name][1])
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    fresh = version == current
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable" if fresh else "max-age=60"
    return response
