"""Home panels from the strategy: for the board, what is off track and what changed since last
quarter; for an action owner, what is due from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from safercity.analytics import monitoring as rules
from safercity.web.accounts.permissions import ACTION_OWNER, ADMIN, BOARD
from safercity.web.core.home import Item, Panel
from safercity.web.core.templatetags.govuk import format_date

from . import services

RAG_COLOUR = {"red": "red", "amber": "orange", "green": "green", "grey": "grey"}
STATUS_COLOUR = {
    rules.OVERDUE: "red",
    rules.AT_RISK: "orange",
    rules.NOT_STARTED: "grey",
    rules.ON_TRACK: "green",
    rules.COMPLETE: "blue",
}
SHOWN = 6


def _quarter_before(day: dt.date) -> dt.date:
    month = day.month - 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def panels(user: Any) -> list[Panel]:
    role = getattr(user, "role", None)
    if role not in {BOARD, ADMIN, ACTION_OWNER}:
        return []
    strategy = services.current_strategy()
    if strategy is None:
        return []
    day = services.default_as_at(strategy)
    views = services.monitor(strategy, day)
    query = f"?as_at={day.isoformat()}"
    out: list[Panel] = []
    if role in {BOARD, ADMIN}:
        off = [v for v in views if v.rag in {"red", "amber"}]
        off.sort(key=lambda v: 0 if v.rag == "red" else 1)
        out.append(
            Panel(
                title="Off track",
                summary=f"{strategy.title}, as at {format_date(day)}.",
                items=[
                    Item(
                        text=v.priority.title,
                        url=reverse("strategy:priority", kwargs={"pk": v.priority.pk}) + query,
                        detail=", ".join(
                            f"{n} {rules.STATUS_LABELS[s].lower()}"
                            for s, n in v.counts.items()
                            if n and s in {rules.OVERDUE, rules.AT_RISK}
                        ),
                        tag=rules.RAG_LABELS[v.rag],
                        tag_colour=RAG_COLOUR[v.rag],
                    )
                    for v in off[:SHOWN]
                ],
                empty="Every priority is on track.",
                link_text="The board report",
                link_url=reverse("strategy:report") + query,
                order=10,
            )
        )
        before = {v.priority.pk: v.rag for v in services.monitor(strategy, _quarter_before(day))}
        changed = [v for v in views if before.get(v.priority.pk, v.rag) != v.rag]
        out.append(
            Panel(
                title="Changed since last quarter",
                items=[
                    Item(
                        text=f"{v.priority.title}: now {rules.RAG_LABELS[v.rag].lower()}, was "
                        f"{rules.RAG_LABELS[before[v.priority.pk]].lower()}",
                        url=reverse("strategy:priority", kwargs={"pk": v.priority.pk}) + query,
                        tag=rules.RAG_LABELS[v.rag],
                        tag_colour=RAG_COLOUR[v.rag],
                    )
                    for v in changed[:SHOWN]
                ],
                empty="No priority's rating changed since last quarter.",
                order=11,
            )
        )
    if role == ACTION_OWNER:
        mine = services.led_by_me(user, strategy)
        order = {rules.OVERDUE: 0, rules.AT_RISK: 1, rules.NOT_STARTED: 2, rules.ON_TRACK: 3}
        due = [a for v in views for a in v.activities if a.activity.pk in mine]
        due = [a for a in due if a.status != rules.COMPLETE]
        due.sort(key=lambda a: (order.get(a.status, 4), a.next_due or dt.date.max))
        out.append(
            Panel(
                title="Due from you",
                summary=f"Activities your organisation leads, as at {format_date(day)}.",
                items=[
                    Item(
                        text=a.activity.text[:120],
                        url=reverse("strategy:activity", kwargs={"pk": a.activity.pk}) + query,
                        detail=f"Next due {format_date(a.next_due)}" if a.next_due else "",
                        tag=rules.STATUS_LABELS.get(a.status, a.status),
                        tag_colour=STATUS_COLOUR.get(a.status, "grey"),
                    )
                    for a in due[:SHOWN]
                ],
                empty="Nothing is due from your organisation.",
                link_text="The strategy",
                link_url=reverse("strategy:overview") + query,
                order=10,
            )
        )
    return out
