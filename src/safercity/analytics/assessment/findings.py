"""The summary of the Strategic Assessment: key findings, key figures and the executive summary.

Every sentence is generated from the assessment's tables (no hand-written number). Conventions:

* a change is called a rise or a fall only when the deciding test (overdispersion allowed for
  where it can be estimated) finds it significant, and the test is named;
* "largest" rise or fall means the largest change in the **number** of crimes among the
  significant changes (a small category's large percentage is not the largest);
* harm shares are of crime only (anti-social behaviour has no harm weight);
* month-level near-repeat results stay in the theme sections, out of the summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from safercity.analytics import wording as w
from safercity.analytics.places import PlaceProfile

if TYPE_CHECKING:
    from safercity.analytics.assessment.core import Assessment, Change

ASB = "Anti-social behaviour"


def test_words(ch: Change) -> str:
    """The deciding p-value and its test, e.g. "p = 0.30, allowing for overdispersion"."""
    if ch.p is None:
        return ""
    how = "allowing for overdispersion" if ch.adjusted else "E-test"
    return f"{w.fmt_p(ch.p)}, {how}"


def _largest(a: Assessment, rise: bool) -> pd.Series | None:
    cats = a.overview_categories
    sig = cats[cats["significant"].fillna(False).astype(bool) & (cats["category"] != ASB)]
    sub = sig[sig["pct_change"] > 0] if rise else sig[sig["pct_change"] < 0]
    if sub.empty:
        return None
    sub = sub.sort_values(["change", "category"], ascending=[not rise, True])
    return sub.iloc[0]


def findings(a: Assessment) -> list[str]:
    """The key findings, in the order of the report."""
    area = a.area
    out: list[str] = []
    cc, ac = a.crime_change, a.asb_change
    period = w.period_label(a.start, a.end)
    prev = w.period_label(a.prev_start, a.prev_end)
    if not cc.previous_has_data:
        out.append(
            f"Police-recorded crime in {area} (excluding anti-social behaviour): "
            f"{w.fmt_int(cc.this)} crimes in {period}; the comparison period ({prev}) has no "
            "data, so no change can be measured."
        )
        if ac.this:
            out.append(f"Anti-social behaviour: {w.fmt_int(ac.this)} incidents.")
    else:
        extra = (
            f", compared per month of data ({a.exposure_last} of {a.n_months} months)"
            if a.exposure_last < a.n_months
            else ""
        )
        out.append(
            f"Police-recorded crime in {area} (excluding anti-social behaviour) {cc.phrase()}: "
            f"{w.fmt_int(cc.this)} crimes in {period} against {w.fmt_int(cc.last)} in {prev}"
            + extra
            + (f" ({test_words(cc)})" if cc.p is not None else "")
            + "."
        )
        if ac.this + ac.last:
            out.append(
                f"Anti-social behaviour {ac.phrase()}: {w.fmt_int(ac.this)} incidents against "
                f"{w.fmt_int(ac.last)}" + (f" ({test_words(ac)})" if ac.p is not None else "") + "."
            )
        for rise in (True, False):
            r = _largest(a, rise)
            if r is None:
                continue
            word = "rise" if rise else "fall"
            direction = "up" if rise else "down"
            how = "allowing for overdispersion" if pd.notna(r["p_adjusted"]) else "E-test"
            out.append(
                f"The largest significant {word} in number was in "
                f"{str(r['category']).lower()}: {direction} {w.fmt_int(abs(int(r['change'])))} "
                f"crimes ({w.fmt_pct(abs(float(r['pct_change'])))}) to "
                f"{w.fmt_int(r['this_period'])} ({w.fmt_p(float(r['p']))}, {how})."
            )
        if cc.comparison is not None and not cc.adjusted:
            out.append(
                "With one month a year the variability of crime between months cannot be "
                "estimated, so these tests (E-test, Poisson) may call chance changes "
                "significant."
            )
    sm = a.same_months
    if len(sm) and len(sm.columns) > 2:
        years = [str(c) for c in sm.columns[1:]]
        crime = sm.iloc[0]
        text = f"In {a.long_run_window} ({w.join_list(years)}), crime went " + " → ".join(
            w.fmt_int(crime[y]) for y in years
        )
        asb_row = sm[sm["measure"] == ASB]
        if len(asb_row):
            text += "; anti-social behaviour " + " → ".join(
                w.fmt_int(asb_row.iloc[0][y]) for y in years
            )
        out.append(text + ".")
    lr = a.long_run[a.long_run["status"] != "left out"]
    if len(lr) >= 2 and (len(sm) == 0 or a.long_run_from_met):
        first, last = lr.iloc[0], lr.iloc[-1]
        pct = 100.0 * (float(last["value"]) / float(first["value"]) - 1.0)
        word = "higher" if pct > 0 else "lower"
        how = (
            "about the same as"
            if w.fmt_pct(abs(pct)) == "0%"
            else f"{w.fmt_pct(abs(pct))} {word} than"
        )
        est = " (estimated from part of the year)" if first["status"] == "estimated" else ""
        out.append(
            f"Over the longer run, the {w.fmt_int(last['value'])} crimes in "
            f"{last['year']} were {how} the {w.fmt_int(first['value'])} in {first['year']}{est}, "
            f"according to {a.long_run_source}."
        )
    s = a.seasonality
    if s.get("estimable") and max(abs(float(s["peak_pct"])), abs(float(s["low_pct"]))) >= 5:
        out.append(
            f"Crime is seasonal: {s['peak']} is the busiest month "
            f"({w.fmt_pct(float(s['peak_pct']))} above the monthly average) and {s['low']} the "
            f"quietest ({w.fmt_pct(abs(float(s['low_pct'])))} below); periods are therefore "
            "compared with the same months a year earlier."
        )
    hp = a.harm_all
    if hp.total_harm > 0:
        out.append(
            f"Crime harm this period totalled {w.fmt_int(hp.total_harm)} days of custody "
            f"(Cambridge Crime Harm Index); {_top_harm_sentence(a)}."
        )
    for t in a.themes:
        if t.has_data and t.change.significant:
            out.append(f"{t.title}: incidents {t.change.phrase()}, to {w.fmt_int(t.change.this)}.")
    prof = concentration(a)
    if prof is not None and prof.top10["share"] == prof.top10["share"]:
        out.append(
            f"Crime is concentrated: the busiest 10% of neighbourhoods (LSOAs; "
            f"{prof.top10['places']} of {prof.n_places}) had "
            f"{w.fmt_pct(100 * prof.top10['share'])} of crime this period."
        )
    for t in a.themes:
        if t.knox is not None and t.knox.precision == "day":
            lines = t.knox.sentences(a.alpha)[:1]
            if lines:
                out.append(w.capitalise(lines[0]) + ".")
                break
    if len(a.recommended):
        names = [str(x) for x in a.recommended["title"]]
        out.append(
            "Recommended priorities (highest scores in the priority assessment of every crime "
            f"category, anti-social behaviour and theme): {w.join_list(names)}."
        )
    _key_figures(a, prof)
    return out


def concentration(a: Assessment) -> PlaceProfile | None:
    """Crime (excluding ASB) by LSOA this period, with every LSOA of the area."""
    if not len(a.lsoa_codes):
        return None
    crimes = a.this[a.this["category"] != ASB]
    crimes = crimes[crimes["lsoa_code"].astype("string").isin(a.lsoa_codes).fillna(False)]
    return PlaceProfile(crimes, place="lsoa_code", population=a.lsoa_population)


def _top_harm_sentence(a: Assessment) -> str:
    t = a.harm_all.table.dropna(subset=["harm"])
    if t.empty:
        return "no category has a harm weight"
    r = t.iloc[0]
    return (
        f"{str(t.index[0]).lower()} caused {w.fmt_pct(r['share_of_harm'])} of that harm from "
        f"{w.fmt_pct(r['share_of_count'])} of crimes (anti-social behaviour has no harm weight "
        "and is left out of both shares)"
    )


def _key_figures(a: Assessment, prof: PlaceProfile | None) -> None:
    cc, ac, hp = a.crime_change, a.asb_change, a.harm_all
    rows: list[tuple[str, Any, str]] = [
        ("Crimes this period (excluding anti-social behaviour)", cc.this, "count"),
        ("Crimes in the comparison period", cc.last, "count"),
        ("Change in crime, per month of data", cc.pct, "pct"),
        ("p-value of the change in crime (deciding test)", cc.p, "p"),
        ("Anti-social behaviour incidents this period", ac.this, "count"),
        ("Anti-social behaviour incidents in the comparison period", ac.last, "count"),
        ("Change in anti-social behaviour, per month of data", ac.pct, "pct"),
        (
            "Crime harm this period, days of custody (Cambridge Crime Harm Index)",
            hp.total_harm,
            "count",
        ),
    ]
    if prof is not None:
        rows += [
            ("Neighbourhoods (LSOAs) in the area", prof.n_places, "count"),
            ("LSOAs in the busiest 10%", prof.top10["places"], "count"),
            ("Share of crime in the busiest 10% of LSOAs", 100 * prof.top10["share"], "share"),
        ]
    fmt = {
        "count": lambda v: w.fmt_int(v),
        "pct": lambda v: w.fmt_pct(v, signed=True),
        "share": lambda v: w.fmt_pct(v),
        "p": lambda v: w.fmt_p(v).removeprefix("p ").removeprefix("= "),
    }
    values = [None if v is None or v != v else float(v) for _m, v, _k in rows]
    a.add_table(
        "key-figures",
        pd.DataFrame(
            {
                "measure": [m for m, _v, _k in rows],
                "value": values,
                "shown": [
                    "–" if v is None else fmt[k](v)
                    for (_m, _x, k), v in zip(rows, values, strict=True)
                ],
            }
        ),
        "The figures quoted in the summary",
    )


def _why(r: pd.Series) -> str:
    """The reasons for a recommended priority, in plain words."""
    n, last = int(r["n"]), int(r["n_previous"])
    pct = r["likelihood_value"]
    if pct is None or pct != pct:
        trend = f"{w.fmt_int(n)} incidents this period"
    else:
        score = int(r["likelihood_score"])
        how = "a significant" if score in (1, 2, 4, 5) else "no significant"
        word = "rise" if pct > 0 else "fall"
        trend = f"{w.fmt_int(n)} incidents this period against {w.fmt_int(last)}, " + (
            f"{how} {word} of {w.fmt_pct(abs(float(pct)))}"
            if how == "a significant"
            else f"no significant change ({'up' if pct > 0 else 'down'} "
            f"{w.fmt_pct(abs(float(pct)))})"
        )
    parts = [
        trend + f"; {w.fmt_pct(float(r['harm_community_value']))} of all incidents",
    ]
    harm = r["harm_individual_value"]
    if harm is not None and harm == harm:
        parts.append(f"{w.fmt_num(float(harm), 0)} days of custody per crime on average (CCHI)")
    concern = r.get("public_concern_value")
    if concern is not None and concern == concern and r["public_concern_score"] is not pd.NA:
        parts.append(f"the public ranked it {w.ordinal(int(concern))} in the consultation")
    rag = r.get("organisational_value")
    if isinstance(rag, str):
        parts.append(f"last year's priority for it was rated {rag}")
    parts.append(f"confidence {int(r['confidence_score'])} of 5 ({r['confidence_reason']})")
    return "; ".join(parts)


def executive_summary(a: Assessment) -> dict[str, Any]:
    """The executive summary: overview sentences, recommended priorities with reasons,
    recommendations and intelligence requirements."""
    overview = [
        f"This Strategic Assessment covers {a.area} for "
        f"{w.period_label(a.start, a.end)}. {w.capitalise(a.basis.describe())}.",
        *a.findings[:2],
    ]
    priorities = []
    for r in a.recommended.to_dict(orient="records"):
        priorities.append(
            {
                "title": str(r["title"]),
                "kind": str(r["kind"]),
                "score": float(r["score"]),
                "why": _why(pd.Series(r)),
            }
        )
    recs: list[str] = []
    for p in priorities:
        recs.append(
            f"Adopt {str(p['title']).lower()} as a partnership priority for the coming year."
        )
    places = a.named_places
    if len(places) >= 2:
        named = []
        for r in places.head(3).to_dict(orient="records"):
            ward = f", {r['ward_name']}" if r["ward_name"] else ""
            named.append(
                f"{r['location']} ({r['lsoa_name']}{ward}; {w.fmt_int(int(r['incidents']))} crimes)"
            )
        recs.append(
            "Problem-solve at the named places with most crime, starting with "
            + w.join_list(named)
            + ": police.uk locations are anonymised points, so confirm the premises with "
            "neighbourhood officers."
        )
    cats = set(a.overview_categories["category"])
    if "Violence and sexual offences" in cats and "ae-assaults" not in a.partner_frames:
        recs.append(
            "Obtain A&E assault attendances (Cardiff model) to measure violence independently "
            "of police recording practice, which has changed."
        )
    for r in a.priority_matrix.gaps.to_dict(orient="records"):
        recs.append(
            f"Close the intelligence gap on {str(r['title']).lower()}: the data has no "
            f"{r['missing']} (see the data gaps table)."
        )
    proxies = (
        a.priorities[a.priorities["proxy_for"].notna()]
        if "proxy_for" in a.priorities.columns
        else a.priorities.head(0)
    )
    for r in proxies.to_dict(orient="records"):
        recs.append(
            f"Measure {r['proxy_for']} itself (probation and youth offending data): "
            f"{str(r['title']).lower()} is only a proxy for it."
        )
    if a.consultation is None:
        recs.append("Consult residents on these priorities before the board sets them.")
    if a.review is None:
        recs.append(
            "Review delivery of last year's priorities from the strategy's monitoring before "
            "confirming this year's."
        )
    if not a.context.written:
        recs.append(
            "Complete the context with partners (political, economic, social, technological, "
            "environmental, legal and organisational factors, emerging threats and hidden "
            "harms)."
        )
    requirements = [f"{r['question']}: {r['data']}." for r in a.gaps.to_dict(orient="records")]
    return {
        "overview": overview,
        "priorities": priorities,
        "recommendations": recs,
        "intelligence_requirements": requirements,
    }


__all__ = ["concentration", "executive_summary", "findings", "test_words"]
