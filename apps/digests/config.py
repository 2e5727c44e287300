"""The config file's `digests` section (docs/digests.md#weekly-digest), applied inside
`config_apply`'s transaction (registered with apps.organization.sections), after `alerts`."""

from apps.alerts.models import AlertChannel
from apps.digests.models import DigestSettings
from apps.organization.rows import ApplyResult
from apps.organization.schema import OrgConfig


def digests_apply(*, config: OrgConfig, result: ApplyResult, prune: bool) -> None:
    """Make the one DigestSettings row match the file."""
    section = config.digests
    channel = (
        AlertChannel.objects.get(name=section.slack_channel) if section.slack_channel else None
    )
    wanted = {"weekly": list(section.weekly), "slack_channel_id": channel.pk if channel else None}
    row = DigestSettings.objects.order_by("pk").first()
    label = DigestSettings._meta.label
    if row is None:
        if wanted["weekly"] or channel is not None:
            DigestSettings.objects.create(**wanted)
            result.add(label, created=1)
        return
    changed = [name for name, value in wanted.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, wanted[name])
        row.save(update_fields=changed)
        result.add(label, updated=1)
