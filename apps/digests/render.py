"""A digest as an e-mail (docs/digests.md): HTML + plain text, charts as inline PNG parts.

The message is `multipart/related` holding the `multipart/alternative` (text, HTML) and one
`image/png` part per chart with a `Content-ID`; the HTML refers to it as `cid:<id>` — no
external image host. For a browser (preview page, docs screenshot) the same HTML is rendered
with `data:` URIs instead.
"""

import base64
from email.mime.image import MIMEImage
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.digests.charts import chart_png
from apps.digests.content import recent_months
from apps.digests.selectors import Digest
from apps.metrics.display import change_text, change_verdict, value_text
from apps.metrics.registry import definition


def digest_subject(digest: Digest) -> str:
    scope = (
        "organisation"
        if digest.recipient.kind == "org"
        else ", ".join(s.title for s in digest.scopes)
    )
    # One line whatever is stored (a name saved before names were checked): a line break in a
    # subject would be a header injection, which Django refuses with BadHeaderError.
    return " ".join(f"{digest.organization} — {digest.month:%B %Y} digest ({scope})".split())


def _title(metric: str) -> str:
    found = definition(metric)
    return found.title_long if found else metric


def _unit(metric: str) -> str:
    found = definition(metric)
    return found.unit if found else ""


def digest_charts(digest: Digest) -> dict[str, bytes]:
    """{content id: PNG bytes}, one chart per section (its first metric, last 12 months)."""
    months = recent_months(digest.month)
    return {
        section.chart_id: chart_png(
            title=f"{_title(section.chart_metric)} (bars) and trend (line), monthly",
            months=months,
            points=scope.series.get(section.chart_metric, {}),
            unit=_unit(section.chart_metric),
            currency=digest.currency,
        )
        for scope in digest.scopes
        for section in scope.sections
    }


def _goal_text(line, currency: str) -> str:
    """ "goal ≥ 8 releases: missed" (docs/metrics.md#goals), or "" without a goal."""
    if line.target is None:
        return ""
    sign = "≥" if line.better == "up" else "≤"
    verdict = {True: "met", False: "missed", None: "not judged"}[line.met]
    return f"goal {sign} {value_text(line.target, unit=line.unit, currency=currency)}: {verdict}"


def _context(digest: Digest, image_src: dict[str, str]) -> dict:
    cur = digest.currency
    scopes = []
    for scope in digest.scopes:
        sections = [
            {
                "title": s.title,
                "image": image_src.get(s.chart_id, ""),
                "chart_id": s.chart_id,
                "lines": [
                    {
                        "metric": line.metric,
                        "label": line.label,
                        "link": line.link,
                        "anomaly": line.anomaly,
                        "value": value_text(line.value, unit=line.unit, currency=cur),
                        "previous": value_text(line.previous, unit=line.unit, currency=cur),
                        "change": change_text(line.change, unit=line.unit, currency=cur),
                        "trend": value_text(line.smoothed, unit=line.unit, currency=cur),
                        "vs_trend": change_text(line.vs_trend, unit=line.unit, currency=cur),
                        # better / worse / unchanged by the metric's direction (docs/metrics.md)
                        "change_verdict": change_verdict(
                            line.change, better=line.better, unit=line.unit
                        ),
                        "trend_verdict": change_verdict(
                            line.vs_trend, better=line.better, unit=line.unit
                        ),
                        "note": line.note if line.value is None else "",
                        "goal": _goal_text(line, cur),
                        "met": line.met,
                        "band": line.band,
                    }
                    for line in s.lines
                ],
            }
            for s in scope.sections
        ]
        services = [
            {
                "name": s.name,
                "link": s.link,
                "uptime": value_text(s.uptime, unit="ratio"),
                "slo": value_text(s.slo, unit="ratio"),
                "verdict": {True: "met", False: "missed", None: "no SLO"}[s.met],
            }
            for s in scope.services
        ]
        at_risk = (
            None
            if scope.at_risk is None
            else [
                {"name": p.name, "email": p.email, "link": p.link, "score": f"{p.score:.2f}"}
                for p in scope.at_risk
            ]
        )
        scopes.append(
            {
                "title": scope.title,
                "link": scope.link,
                "sections": sections,
                "anomalies": scope.anomalies,
                "services": services,
                "at_risk": at_risk,
                "economics": scope.economics,
            }
        )
    return {"digest": digest, "scopes": scopes, "subject": digest_subject(digest)}


def digest_html(digest: Digest, *, image_src: dict[str, str]) -> str:
    return render_to_string("digests/digest.html", _context(digest, image_src))


def digest_text(digest: Digest) -> str:
    return render_to_string("digests/digest.txt", _context(digest, {}))


def digest_html_standalone(digest: Digest) -> str:
    """The HTML with charts as data: URIs, for a browser (preview page, screenshots)."""
    charts = digest_charts(digest)
    src = {
        cid: "data:image/png;base64," + base64.b64encode(png).decode()
        for cid, png in charts.items()
    }
    return digest_html(digest, image_src=src)


def digest_message(
    digest: Digest, *, to: str, subject_prefix: str = "", connection=None
) -> EmailMultiAlternatives:
    """The e-mail of `digest` addressed to `to`, with a fresh Message-ID header."""
    charts = digest_charts(digest)
    message = EmailMultiAlternatives(
        subject=subject_prefix + digest_subject(digest),
        body=digest_text(digest),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={"Message-ID": make_msgid(domain="keel.digests")},
    )
    message.attach_alternative(
        digest_html(digest, image_src={cid: f"cid:{cid}" for cid in charts}), "text/html"
    )
    # EmailMessage.mixed_subtype (Django's own attribute; the stubs lack it).
    message.mixed_subtype = "related"  # type: ignore[attr-defined]
    for cid, png in charts.items():
        image = MIMEImage(png, "png")
        image.add_header("Content-ID", f"<{cid}>")
        image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
        message.attach(image)
    return message


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def digest_slack(digest: Digest) -> tuple[str, list[dict]]:
    """The digest as a Slack message (docs/digests.md#slack): `text` (the subject) and Block
    Kit `blocks` — a section per headline group with each number, its change on the month
    before and its goal, the anomalies, and a link to the dashboard."""
    cur = digest.currency
    subject = digest_subject(digest)
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": subject[:150]}}]
    for scope in digest.scopes:
        for section in scope.sections:
            lines = []
            for line in section.lines:
                value = value_text(line.value, unit=line.unit, currency=cur)
                change = change_text(line.change, unit=line.unit, currency=cur)
                text = f"• {line.label}: *{value}* ({change} on the month before)"
                if line.target is not None:
                    text += f"; {_goal_text(line, cur)}"
                if line.anomaly:
                    text += " — anomaly"
                lines.append(_slack_escape(text))
            body = f"*{_slack_escape(section.title)}*\n" + "\n".join(lines)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
        if scope.anomalies:
            text = "*Anomalies*\n" + "\n".join(f"• {_slack_escape(a)}" for a in scope.anomalies)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"<{digest.link}|Open the dashboard>"}],
        }
    )
    return subject, blocks[:50]  # Slack takes at most 50 blocks per message
