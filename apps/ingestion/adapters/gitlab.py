"""GitLab as a source (gitlab.com or self-managed): projects named by path or every project of
a group, with their merge requests (as pull requests), approvals, releases, tags, deployments
and issues (apps.ingestion.gitlab_sync over integrations.gitlab), people by username, and
webhooks at `POST /webhooks/gitlab/`.

Webhook: GitLab sends the hook's secret token as configured in `X-Gitlab-Token` (there is no
signature of the body), compared in constant time; the delivery is claimed by its
`X-Gitlab-Event-UUID` (a retried delivery keeps it), and the event's project
(`project.path_with_namespace`) is synced.
# GitLab: https://docs.gitlab.com/ee/user/project/integrations/webhooks.html#validate-payloads-by-using-a-secret-token
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.ingestion.deliveries import webhook_delivery_claim
from apps.ingestion.gitlab_sync import gitlab_client_build, gitlab_source_sync
from apps.ingestion.webhooks import deny, sync_enqueue, verified_source
from apps.organization.sources import IdentityKind, RecordLinks, SourceAdapter, source_register
from integrations.gitlab import DEFAULT_BASE_URL, gitlab_token_valid
from integrations.gitlab.webhooks import TOKEN_HEADER, UUID_HEADER, event_project

KIND = "gitlab"


def _token_check(*, secret: str, body: bytes, header: str) -> bool:
    return gitlab_token_valid(secret=secret, header=header)


@csrf_exempt
@require_POST
def gitlab_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/gitlab/: check the token, reject replays, enqueue a sync of the project."""
    header = request.headers.get(TOKEN_HEADER, "")
    source = verified_source(KIND, request.body, header, _token_check)
    if source is None:
        return deny(401, "missing or invalid X-Gitlab-Token")
    delivery = request.headers.get(UUID_HEADER, "")
    if not delivery:
        return deny(400, f"missing {UUID_HEADER}")
    try:
        project = event_project(request.body)
    except ValueError as exc:
        return deny(400, f"body is not a GitLab project event: {exc}")
    if not webhook_delivery_claim(provider=KIND, delivery_id=delivery):
        return deny(409, "delivery already received")
    if not source.repos.filter(full_name__iexact=project, enabled=True).exists():
        reason = "project not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return sync_enqueue(source, project)


def gitlab_web_url(base_url: str) -> str:
    """The web address of an API base URL: https://gitlab.com/api/v4 → https://gitlab.com (a
    self-managed instance's HOST/api/v4 → HOST)."""
    return base_url.rstrip("/").removesuffix("/api/v4")


ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="GitLab",
        roles=frozenset({"code", "issues"}),
        default_base_url=DEFAULT_BASE_URL,
        config_keys=("repos", "groups"),
        nested_repos=True,
        scope_noun="project",
        scope_relation="repos",
        # GitLab usernames are unique regardless of case.
        identity=IdentityKind(KIND, "GitLab", "gitlab username", case_insensitive=True),
        web_url=gitlab_web_url,
        web_hosts=("gitlab.com",),
        # GitLab: https://docs.gitlab.com/ee/user/project/repository/tags/ and
        # https://docs.gitlab.com/ee/ci/environments/ (a project's environments page).
        links=RecordLinks(
            tag=lambda repo_url, name: f"{repo_url}/-/tags/{name}",
            deployment=lambda repo_url, environment: f"{repo_url}/-/environments",
        ),
        sync=gitlab_source_sync,
        client_build=gitlab_client_build,
        webhook=gitlab_webhook,
    )
)
