"""Alert channels, rules and messages (docs/alerts.md).

`AlertMessage` is the record of exactly-once, like the digests' deliveries: one row per rule,
scope key, period and kind (fired / resolved), created `pending`, claimed `sending` by a
conditional UPDATE before anything is sent (`apps.alerts.services.message_claim`), then marked
`sent` or `failed`. A rule that is snoozed records its messages as `snoozed`: never sent.
"""

from django.db import models

from apps.core.fields import EncryptedTextField


class AlertChannel(models.Model):
    """Where alerts go. Secrets (a Slack webhook URL or bot token, a webhook URL and its signing
    secret) are named by environment variable in the config file or entered here, stored
    encrypted."""

    class Kind(models.TextChoices):
        SLACK = "slack"
        EMAIL = "email"
        WEBHOOK = "webhook"

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    enabled = models.BooleanField(default=True, help_text="Off: its rules send nothing.")
    webhook_url_env = models.CharField(
        max_length=100, blank=True, help_text="Slack: variable holding the incoming webhook URL."
    )
    webhook_url = EncryptedTextField(
        blank=True, help_text="Slack incoming webhook URL. Write-only; stored encrypted."
    )
    token_env = models.CharField(
        max_length=100, blank=True, help_text="Slack: variable holding a bot token (xoxb-...)."
    )
    token = EncryptedTextField(
        blank=True, help_text="Slack bot token. Write-only; stored encrypted."
    )
    channel = models.CharField(
        max_length=100, blank=True, help_text="Slack channel for a bot token (#eng or C0123)."
    )
    to = models.JSONField(default=list, blank=True, help_text="E-mail: the addresses.")
    url_env = models.CharField(
        max_length=100, blank=True, help_text="Webhook: variable holding the URL."
    )
    url = EncryptedTextField(blank=True, help_text="Webhook URL. Write-only; stored encrypted.")
    secret_env = models.CharField(
        max_length=100, blank=True, help_text="Webhook: variable holding the signing secret."
    )
    secret = EncryptedTextField(
        blank=True, help_text="Webhook signing secret. Write-only; stored encrypted."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertRule(models.Model):
    """One rule: when a complete period of `metric` at `scope` fires, one message to `channel`
    (docs/alerts.md#rules)."""

    class When(models.TextChoices):
        BELOW = "below"
        ABOVE = "above"
        GOAL_MISSED = "goal_missed"
        ANOMALY = "anomaly"
        BELOW_SLO = "below_slo"

    name = models.SlugField(max_length=100, unique=True)
    metric = models.CharField(max_length=64)
    scope = models.CharField(max_length=16)
    scope_key = models.CharField(
        max_length=300, blank=True, help_text="Empty: every key of the scope."
    )
    granularity = models.CharField(max_length=8, default="month")
    when = models.CharField(max_length=16, choices=When.choices)
    value = models.FloatField(null=True, blank=True, help_text="The threshold of below / above.")
    periods = models.PositiveSmallIntegerField(
        default=1, help_text="goal_missed: periods in a row the goal must be missed."
    )
    channel = models.ForeignKey(AlertChannel, on_delete=models.PROTECT, related_name="rules")
    since = models.DateField(
        null=True,
        blank=True,
        help_text="Only periods starting on or after this day; set when the rule is created.",
    )
    enabled = models.BooleanField(default=True)
    snoozed_until = models.DateTimeField(
        null=True, blank=True, help_text="Until then its messages are recorded, not sent."
    )
    # A rule that keeps failing shows in the admin and on the Sources page.
    failures = models.PositiveIntegerField(default=0, help_text="Failed sends in a row.")
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertMessage(models.Model):
    """One message of a rule for one scope key and period: fired, or resolved."""

    class Kind(models.TextChoices):
        FIRED = "fired"
        RESOLVED = "resolved"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"
        SNOOZED = "snoozed"

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="messages")
    scope_key = models.CharField(max_length=300, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "rule", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "scope_key", "period_start", "kind"],
                name="alert_message_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.scope_key or 'org'} {self.period_start} {self.kind}"
