"""The organisation page as a funnel that follows the system: delivery → DORA → quality →
people → reliability → cost. Each stage groups metric families; a family not named here (a
future one) lands in a last "other" stage, so every registered metric gets a tile."""

from dataclasses import dataclass

from apps.metrics.registry import MetricFamily, families


@dataclass(frozen=True)
class Stage:
    slug: str
    title: str
    question: str
    family_names: tuple[str, ...]


STAGES: tuple[Stage, ...] = (
    Stage(
        "delivery",
        "Delivery",
        "Do we ship often, and how fast do customers go live?",
        ("delivery", "customers"),
    ),
    Stage(
        "dora",
        "DORA",
        "How fast does a change reach production, how often does it break it, and where does a "
        "pull request wait? (DORA's deployment frequency is the release frequency above.)",
        ("dora", "flow"),
    ),
    Stage("quality", "Quality", "Are customers hurt by bugs nobody planned for?", ("quality",)),
    Stage("people", "People", "Is anyone drowning in bug fixing?", ("bug_load",)),
    Stage("reliability", "Reliability", "Are we up?", ("reliability",)),
    Stage("cost", "Cost", "What does all this cost, per unit of value?", ("costs",)),
    Stage(
        "economics",
        "Unit economics",
        "How does cost grow as we grow, and what does poor quality cost?",
        ("economics",),
    ),
)
OTHER = Stage("other", "Other", "Metrics of families added later.", ())

# What a family's numbers come from: source roles (apps.organization.sources: the kinds having
# one of them feed it). Used to say "no source configured" on an empty tile.
FAMILY_SOURCES: dict[str, tuple[str, ...]] = {
    "delivery": ("code",),
    "dora": ("code",),
    "flow": ("code",),
    "customers": ("code", "tracker"),
    "quality": ("issues", "tracker"),
    "bug_load": ("code", "tracker"),
    "reliability": ("incidents",),
    "costs": ("costs",),
    "economics": ("costs",),
}


def stages_with_families() -> list[tuple[Stage, list[MetricFamily]]]:
    """Every stage in funnel order with its registered families (registration order); stages
    with no family are left out, and unknown families form the last stage."""
    registered = families()
    known = {name for stage in STAGES for name in stage.family_names}
    out = [(s, [f for f in registered if f.name in s.family_names]) for s in STAGES]
    out.append((OTHER, [f for f in registered if f.name not in known]))
    return [(stage, fams) for stage, fams in out if fams]
