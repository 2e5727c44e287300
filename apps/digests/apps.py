from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "apps.digests"
    label = "digests"

    def ready(self) -> None:
        # The config's `digests` section is stored here (apps.organization.sections); the
        # alerts app registers `alerts` first (it is installed before), so a digest channel
        # it names exists by the time this runs.
        from apps.digests.config import digests_apply
        from apps.organization.sections import section_applier_register

        section_applier_register("digests", digests_apply)
