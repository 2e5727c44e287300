"""`Simulator`: a loopback HTTP server that serves one or more simulated upstream APIs.

Standard library only (`http.server.ThreadingHTTPServer`, HTTP/1.1 keep-alive, daemon threads).
Every request is logged as a `RequestRecord`, checked against the `FaultSet`, then handed to the
provider that owns its path.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.simulator.faults import FaultRule, FaultSet, truncate_body
from integrations.simulator.github.provider import GitHubProvider
from integrations.simulator.github.world import GitHubWorld
from integrations.simulator.messages import Request, Response, json_response
from integrations.simulator.provider import Provider


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator answered: `method`, `path` (no query), decoded `query`
    (last value wins), final `status`, and the request `headers` (lower-case names)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    headers: dict[str, str] = field(default_factory=dict, repr=False)


class Simulator:
    """Serve simulated upstreams on `host` (default 127.0.0.1) and a free port.

    `github`: the organisation to serve through the GitHub REST API (optional, so that other
    providers can run alone). `token`: when set, GitHub requests must send
    `Authorization: Bearer <token>` or `token <token>`. `page_size_max`: the largest `per_page`
    honoured (GitHub: 100). `rate_limit` requests per `rate_limit_window` seconds per token
    (REST), and `graphql_rate_limit` points in the same window (GraphQL, `POST /graphql`).
    `link_by_repo_id`: build `Link` URLs as `/repositories/{id}/...` like api.github.com does
    (False: keep the `/repos/{owner}/{repo}/...` path the client used).
    Use as a context manager, or call `start()` / `stop()`.
    """

    def __init__(
        self,
        github: GitHubWorld | None = None,
        *,
        token: str | None = None,
        page_size_max: int = 100,
        rate_limit: int = 5000,
        rate_limit_window: float = 3600.0,
        graphql_rate_limit: int = 5000,
        link_by_repo_id: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.faults = FaultSet()
        self.providers: dict[str, Provider] = {}
        self._host, self._port = host, port
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None
        if github is not None:
            self.add_provider(
                GitHubProvider(
                    github,
                    token=token,
                    page_size_max=page_size_max,
                    rate_limit=rate_limit,
                    rate_limit_window=rate_limit_window,
                    graphql_rate_limit=graphql_rate_limit,
                    link_by_repo_id=link_by_repo_id,
                )
            )

    @property
    def github(self) -> GitHubProvider:
        """The GitHub provider (its `world`, `budget`, settings); KeyError when not serving one."""
        return self.providers["github"]  # type: ignore[return-value]

    def add_provider(self, provider: Provider) -> None:
        """Serve another upstream (e.g. Jira) from the same server; call before `start()`."""
        self.providers[provider.name] = provider

    @property
    def base_url(self) -> str:
        """ "http://127.0.0.1:PORT" (no trailing slash, no prefix); raises before the first
        `start()` (after `stop()` it still names the address that was served)."""
        if self._base_url is None:
            raise RuntimeError("Simulator is not running; call start() or use it in a with block")
        return self._base_url

    def start(self) -> str:
        """Bind, serve in a daemon thread and return `base_url` (idempotent)."""
        if self._server is None:
            self._server = _Server((self._host, self._port), _Handler)
            self._server.simulator = self
            host, port = self._server.server_address[:2]
            self._base_url = f"http://{host!s}:{port}"
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="keel-simulator", daemon=True
            )
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests answered so far, oldest first."""
        with self._log_lock:
            return list(self._log)

    def reset_requests(self) -> None:
        """Forget the request log."""
        with self._log_lock:
            self._log.clear()

    def dispatch(self, request: Request) -> Response:
        """Answer one request: fault rules first, then the owning provider (404 if none)."""
        provider = next((p for p in self.providers.values() if p.owns(request.path)), None)
        if provider is None:
            response = json_response(404, {"message": "Not Found"})
        else:
            response = self._answer(provider, request, self.faults.take(request.target))
        self._record(request, response.status)
        return response

    def _answer(self, provider: Provider, request: Request, rule: FaultRule | None) -> Response:
        if rule is None:
            return provider.handle(request)
        if rule.delay > 0:
            time.sleep(rule.delay)
        if rule.replaces_response:
            return provider.fault_response(rule, request)
        response = provider.handle(request)
        if rule.kind == "malformed" and response.status == 200:
            truncate_body(response)
        return response

    def _record(self, request: Request, status: int) -> None:
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query=request.query_dict(),
            status=status,
            headers=dict(request.headers),
        )
        with self._log_lock:
            self._log.append(record)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of parallel connects (1 s SYN retry)
    simulator: Simulator

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that hang up early (timeouts in tests); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs; we always send a length
    server_version = "KeelSimulator/1.0"
    timeout = 30  # seconds an idle keep-alive connection may hold a thread
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def _serve(self, send_body: bool) -> None:
        body = self._read_body()
        simulator = self.server.simulator
        request = Request.parse(
            self.command, self.path, dict(self.headers.items()), simulator.base_url, body
        )
        try:
            response = simulator.dispatch(request)
        except Exception as exc:  # a simulator bug must not hang the client
            traceback.print_exc()
            response = json_response(500, {"message": f"simulator error: {exc!r}"})
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the default stderr access log (`Simulator.requests` is the log)."""
