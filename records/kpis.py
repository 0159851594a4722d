"""KPIs: does the assistant help? Computed from counts that retention keeps.

Definitions (also in docs/privacy.md for the data-protection officer, and printed by the
text report so nobody has to guess):

- calls: calls started in the window. Rates are over *ended* calls (those with an outcome).
- contained: outcome ``answered`` — the caller got their answer without a person. A call
  that ends before any answer (a goodbye at the first menu, a caller sent to the emergency
  number) is ``abandoned``: it was not answered here.
- a call's intent is its first recognised intent (turns with an intent, in order).
- repeat call: a call whose caller (same keyed hash) had called within the 7 days before;
  the look-back reaches before the window so the first days are counted fairly.
- not understood: a turn where the caller said something and no intent was recognised.
- time saved: contained calls × ``minutes_per_call`` (what a call with a person costs).
- channel: how the resident reached the service — ``voice`` (a phone call), ``sms`` (text
  messages) or ``chat`` (the web chat page); a text conversation counts as one call, and
  ends when the resident stops writing for ``[text] idle_minutes`` (abandoned, unless it
  ended otherwise first), as a phone call ends when the caller hangs up.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from records.database import Row
from records.schema import CHANNELS, OUTCOMES


class CallHistory(Protocol):
    """What the report reads: a Store, or a read-only view of one
    (records.browse.WithoutTrials)."""

    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...
    def turns(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...


REPEAT_WINDOW = timedelta(days=7)
NOT_UNDERSTOOD = {None, "", "not_understood", "nomatch", "fallback", "unknown"}


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _outcomes(calls: list[dict]) -> dict[str, Any]:
    counts = Counter(c["outcome"] for c in calls if c["outcome"])
    ended = sum(counts.values())
    durations = [c["duration_s"] for c in calls if c["duration_s"] is not None]
    return {
        "calls": len(calls),
        "ended": ended,
        **{o: counts.get(o, 0) for o in OUTCOMES},
        "containment_rate": _rate(counts.get("answered", 0), ended),
        "abandonment_rate": _rate(counts.get("abandoned", 0), ended),
        "average_handling_s": round(sum(durations) / len(durations), 1) if durations else None,
    }


def compute(
    store: CallHistory,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    minutes_per_call: float = 5.0,
    top: int = 10,
    town: str | None = None,
) -> dict[str, Any]:
    """The report as a dict (what ``--format json`` prints). ``town``: only the calls of the
    town with this key (a service answering several towns); None: every call."""
    until = until or datetime.now(UTC)
    lookback = store.calls(since - REPEAT_WINDOW if since else None, until)
    if town is not None:
        lookback = [c for c in lookback if (c.get("town") or "") == town]
    calls = [c for c in lookback if since is None or _parse(c["started_at"]) >= since]
    turns = store.turns(since, until)
    if town is not None:
        in_town = {c["id"] for c in lookback}
        turns = [t for t in turns if t["call_id"] in in_town]

    first_intent: dict[str, str] = {}
    not_understood: Counter[str] = Counter()
    counted_ids = {c["id"] for c in calls}
    # Calls that heard the emergency number as a precaution: staff check that none was one.
    with_notice = {t["call_id"] for t in turns if t.get("emergency_notice") and t["call_id"] in counted_ids}
    for t in turns:
        if t["intent"] not in NOT_UNDERSTOOD:
            first_intent.setdefault(t["call_id"], t["intent"])
        elif t["caller_text"]:
            not_understood[" ".join(t["caller_text"].lower().split())] += 1

    by_language: dict[str, list[dict]] = defaultdict(list)
    by_intent: dict[str, list[dict]] = defaultdict(list)
    by_channel: dict[str, list[dict]] = {channel: [] for channel in CHANNELS}
    for c in calls:
        by_language[c["language"] or "unknown"].append(c)
        by_channel.setdefault(c.get("channel") or "voice", []).append(c)
        by_intent[first_intent.get(c["id"], "none")].append(c)

    # Repeat callers: walk each caller's calls in time order over the look-back.
    last_seen: dict[str, datetime] = {}
    repeat_calls, repeat_callers = 0, set()
    counted = counted_ids
    for c in lookback:
        if not c["caller_hash"]:
            continue
        at = _parse(c["started_at"])
        prev = last_seen.get(c["caller_hash"])
        if prev is not None and at - prev <= REPEAT_WINDOW and c["id"] in counted:
            repeat_calls += 1
            repeat_callers.add(c["caller_hash"])
        last_seen[c["caller_hash"]] = at
    identified = sum(1 for c in calls if c["caller_hash"])

    scores = [c["satisfaction"] for c in calls if c["satisfaction"] is not None]
    totals = _outcomes(calls)
    return {
        "window": {"since": since.isoformat() if since else None, "until": until.isoformat()},
        "town": town,
        **totals,
        "transfer_reasons": dict(
            Counter(
                c["transfer_reason"] or "unspecified"
                for c in calls
                if c["outcome"] == "transferred"
            ).most_common()
        ),
        "repeat_calls_7d": repeat_calls,
        "repeat_callers_7d": len(repeat_callers),
        "repeat_rate": _rate(repeat_calls, identified),
        "satisfaction": {
            "responses": len(scores),
            "average": round(sum(scores) / len(scores), 2) if scores else None,
            "distribution": {str(n): scores.count(n) for n in range(1, 6)},
        },
        "minutes_per_call": float(minutes_per_call),
        "time_saved_minutes": round(float(totals["answered"] * minutes_per_call), 1),
        "by_channel": {k: _outcomes(v) for k, v in by_channel.items()},
        "by_language": {k: _outcomes(v) for k, v in sorted(by_language.items())},
        "by_intent": {k: _outcomes(v) for k, v in sorted(by_intent.items())},
        "top_not_understood": [{"text": t, "count": n} for t, n in not_understood.most_common(top)],
        "emergency_notices": len(with_notice),
    }


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def to_text(r: dict[str, Any]) -> str:
    since = r["window"]["since"] or "the beginning"
    out = [
        f"Calls{' of ' + r['town'] if r.get('town') else ''} from {since} to {r['window']['until']}",
        f"  calls                  {r['calls']}  (ended {r['ended']})",
        f"  answered (contained)   {r['answered']}  {_pct(r['containment_rate'])}",
        f"  transferred            {r['transferred']}",
        f"  callback requested     {r['callback']}",
        f"  message left           {r['message']}",
        f"  abandoned              {r['abandoned']}  {_pct(r['abandonment_rate'])}",
        f"  average handling time  {r['average_handling_s'] or '-'} s",
        f"  repeat calls (7 days)  {r['repeat_calls_7d']} from {r['repeat_callers_7d']} callers"
        f"  {_pct(r['repeat_rate'])}",
        f"  time saved             {r['time_saved_minutes']} min"
        f"  ({r['answered']} contained × {r['minutes_per_call']} min)",
        f"  emergency number said as a precaution  {r['emergency_notices']} calls (check none was an emergency)",
    ]
    sat = r["satisfaction"]
    dist = " ".join(f"{k}:{v}" for k, v in sat["distribution"].items())
    out.append(
        f"  satisfaction           {sat['average'] or '-'} / 5 from {sat['responses']}"
        f" answers ({dist})"
    )
    if r["transfer_reasons"]:
        out.append("Transfer reasons")
        out += [f"  {n:5d}  {reason}" for reason, n in r["transfer_reasons"].items()]
    for title, key in (("By channel", "by_channel"), ("By language", "by_language"), ("By intent", "by_intent")):
        out.append(f"{title}  (calls, contained, transferred, abandoned, avg s)")
        for name, g in r[key].items():
            out.append(
                f"  {name:24s} {g['calls']:5d} {_pct(g['containment_rate']):>7s}"
                f" {g['transferred']:5d} {g['abandoned']:5d} {g['average_handling_s'] or '-'}"
            )
    if r["top_not_understood"]:
        out.append("Top not-understood phrases")
        out += [f"  {x['count']:5d}  {x['text']}" for x in r["top_not_understood"]]
    return "\n".join(out) + "\n"


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str, Any]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, rows)
    elif isinstance(value, list):
        for item in value:
            rows.append((prefix, item.get("text", ""), item.get("count")))
    else:
        rows.append((prefix, "", value))


def to_csv(r: dict[str, Any]) -> str:
    """One metric a row: ``metric,item,value`` (item for lists such as phrases)."""
    rows: list[tuple[str, str, Any]] = []
    _flatten("", r, rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["metric", "item", "value"])
    writer.writerows(rows)
    return buf.getvalue()


def render(report: dict[str, Any], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(report)
    return to_text(report)
