"""A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider-mock
(authlib's authorization server and OpenID Connect grant, in Flask), run in a thread, with a
thin WSGI layer that makes it enforce PKCE (RFC 7636 section 4.6: the token request's
`code_verifier` must hash to the authorization request's S256 `code_challenge`), which the mock
itself does not check. Nothing is downloaded: everything runs from installed packages."""

import base64
import hashlib
import io
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import werkzeug.serving
from oidc_provider_mock import User, app


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class PkceEnforcer:
    """WSGI middleware: remembers each authorization code's challenge and refuses a token
    request whose verifier does not match (or is missing) with `invalid_grant`."""

    wrapped: object
    challenges: dict[str, str] = field(default_factory=dict)  # code -> challenge
    verified: int = 0
    refused: int = 0

    def __call__(self, environ, start_response):
        path, query = environ["PATH_INFO"], parse_qs(environ.get("QUERY_STRING", ""))
        if path == "/oauth2/token" and environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = parse_qs(body.decode())
            challenge = self.challenges.pop(form.get("code", [""])[0], None)
            verifier = form.get("code_verifier", [""])[0]
            if challenge is None or not verifier or _s256(verifier) != challenge:
                self.refused += 1
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [b'{"error": "invalid_grant", "error_description": "PKCE failed"}']
            self.verified += 1
        if path == "/oauth2/authorize" and query.get("code_challenge_method") == ["S256"]:
            return self._remember_code(environ, start_response, query["code_challenge"][0])
        return self.wrapped(environ, start_response)

    def _remember_code(self, environ, start_response, challenge: str):
        def start(status, headers, exc_info=None):
            for name, value in headers:
                if name.lower() == "location":
                    code = parse_qs(urlsplit(value).query).get("code", [""])[0]
                    if code:
                        self.challenges[code] = challenge
            return start_response(status, headers, exc_info)

        return self.wrapped(environ, start)


@contextmanager
def provider(users: list[User]) -> Iterator[tuple[str, PkceEnforcer]]:
    """(issuer URL, the PKCE layer) of a provider on a free loopback port with `users`
    (buttons on its sign-in page)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    enforcer = PkceEnforcer(app(user_claims=users, require_nonce=True))
    server = werkzeug.serving.make_server("localhost", port, enforcer, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}", enforcer
    finally:
        server.shutdown()
        thread.join(timeout=5)
