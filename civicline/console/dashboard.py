"""The dashboard: the records' KPIs over a chosen period and language, each chart with the
same figures in a table (a chart alone says nothing to a screen reader)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import request

from civicline.console.calls_views import day_start, languages, period
from civicline.console.core import ConsoleError, _, _l, bp, civic, record_towns, render, state
from civicline.console.i18n import language_name, problem_text, word
from records import browse, kpis
from records.schema import OUTCOMES

BAR_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 26, 150, 560


def bars(items: list[tuple[str, float]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart drawn as SVG by the template (no script)."""
    top = max((v for _label, v in items), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    return {
        "height": BAR_HEIGHT * len(items) + 10,
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "rows": [
            {"label": label, "value": value, "y": 5 + i * BAR_HEIGHT, "w": round(span * value / top, 1)}
            for i, (label, value) in enumerate(items)
        ],
    }


@bp.get("/dashboard")
def dashboard() -> Any:
    start, end = period(default_days=30)
    lang = request.args.get("language") or None
    if lang and lang not in languages():
        raise ConsoleError(422, _l("Unknown language %(language)s.", language=repr(lang)), _l("Bad filter"))
    view = browse.WithoutTrials(state().store, language=lang, towns=record_towns())
    report = kpis.compute(
        view,
        since=day_start(start),
        until=day_start(end + timedelta(days=1)),
        minutes_per_call=civic().config.minutes_per_call,
    )
    # Calls started in the period, and the outcomes of those that ended: the calls not
    # ended (a conversation still open, a line cut without an outcome) make them add up.
    report["not_ended"] = report["calls"] - report["ended"]
    outcome_chart = bars([(word("outcome", o), report[o]) for o in OUTCOMES]
                         + [(word("outcome", "in_progress"), report["not_ended"])])
    language_chart = bars([(language_name(k), v["calls"]) for k, v in report["by_language"].items()])
    channel_chart = bars([(word("channel", k), v["calls"]) for k, v in report["by_channel"].items()])
    intent_chart = bars([(k, v["calls"]) for k, v in report["by_intent"].items()])
    return render(
        "dashboard.html", title=_("Dashboard"), r=report, start=start, end=end, language=lang,
        languages=languages(), outcomes=OUTCOMES, outcome_chart=outcome_chart,
        language_chart=language_chart, intent_chart=intent_chart, channel_chart=channel_chart,
        freshness=data_freshness(), notice_text=notice_text,
    )


def data_freshness() -> list[Any]:
    """Calendars' end dates and fees' verification dates, most urgent first, for staff."""
    from flows.town.freshness import freshness

    town = civic().runtime.town
    if town is None or not hasattr(town, "path"):
        return []
    tz = getattr(town, "timezone", None)
    today = datetime.now(tz).date()
    max_age = civic().config.max_age_days or getattr(town, "max_age_days", 180)
    return freshness(town, today, max_age, everything=True)


def notice_text(notice: Any) -> str:
    """A freshness notice in the staff's language, its dates written their way."""
    return problem_text(notice)
