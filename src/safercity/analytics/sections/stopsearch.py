"""The Strategic Assessment's stop and search section, when the workspace holds police.uk
stop-and-search files for the area: use (searches per month, by object and legislation),
outcomes (the share other than no further action, by group, with 95% intervals) and fairness
(searches per 1,000 residents by ethnic group and the disproportionality ratio, or a clear
statement when no population by ethnic group is loaded), with a map of searches by LSOA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from safercity.analytics import geography
from safercity.analytics.stopsearch import StopSearchProfile, lsoa_map_svg, stop_search_profile

if TYPE_CHECKING:
    from safercity.analytics.store import Workspace


@dataclass
class StopSearchSection:
    area: str
    period: str
    profile: StopSearchProfile
    unlocated_outside_area: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables (CSV files of the report)."""
        p = self.profile
        out = {
            "stop-search-per-month": p.per_month,
            "stop-search-by-object": p.breakdowns["by_object_of_search"],
            "stop-search-by-legislation": p.breakdowns["by_legislation"],
            "stop-search-by-outcome": p.breakdowns["by_outcome"],
            "stop-search-by-age": p.breakdowns["by_age"],
            "stop-search-by-gender": p.breakdowns["by_gender"],
            "stop-search-by-ethnic-group": p.by_broad_group,
            "stop-search-by-lsoa": p.by_lsoa,
        }
        if p.rates is not None:
            out["stop-search-rates"] = p.rates
        return out

    def map_svg(self, chart_id: str = "stop-search-map") -> str:
        return lsoa_map_svg(self.profile, self.area, chart_id=chart_id)

    def sentences(self) -> list[str]:
        p = self.profile
        a = p.action
        months = len(p.per_month)
        out = [
            f"{p.searches:,} stop and searches in {self.area} over {months} month(s) with data; "
            f"{a['action']:,} of the {a['with_outcome']:,} with an outcome recorded "
            f"({_pct(a['rate'])}, 95% interval {_pct(a['low'])} to {_pct(a['high'])}) ended "
            "in an outcome other than no further action."
        ]
        top = p.breakdowns["by_object_of_search"].iloc[0] if p.searches else None
        if top is not None:
            out.append(
                f"The most common object of search was {str(top['group']).lower()} "
                f"({_pct(float(top['share']))} of searches)."
            )
        if p.rates is not None:
            rates = p.rates.set_index("group")
            white_rate = float(rates["per_1000"].get("White", math.nan))
            high = rates.drop(index="White", errors="ignore")
            high = high[high["ratio_low"] > 1]
            for group, r in high.sort_values("ratio", ascending=False).iterrows():
                out.append(
                    f"{group!s} residents were searched {r['ratio']:.1f} times as often as White "
                    f"residents per head (95% interval {r['ratio_low']:.1f} to "
                    f"{r['ratio_high']:.1f}; {r['per_1000']:,.1f} against "
                    f"{white_rate:,.1f} per 1,000)."
                )
        out.append(p.population_statement)
        if p.unlocated:
            out.append(
                f"{p.unlocated:,} searches have no location (police.uk withholds it for some) "
                "and are not on the map."
            )
        return out


def _pct(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:.1f}%"


def stop_search_section(
    workspace: Workspace, *, area: str, period: str
) -> StopSearchSection | None:
    """The section for a local authority and period; None when the workspace holds no
    stop-and-search rows for it."""
    la = geography.resolve_local_authority(area)
    profile, left_out = stop_search_profile(workspace, area=la, period=period)
    if profile.searches == 0:
        return None
    return StopSearchSection(la, period, profile, left_out)


def report_section(builder: Any) -> Any:
    """The section for :func:`safercity.analytics.report.build_document`; None when the
    assessment has no stop-and-search data."""
    from safercity.analytics.report.model import (
        Block,
        Section,
        f_int,
        f_num1,
        f_num2,
        f_share,
        f_str,
        table_view,
    )

    assessment = builder.a

    section: StopSearchSection | None = getattr(assessment, "stop_search", None)
    if section is None:
        return None
    s = Section("stop-search", "Stop and search")
    for text in section.sentences():
        s.blocks.append(Block("p", text))
    group_spec = [
        ("group", "Group", f_str),
        ("searches", "Searches", f_int),
        ("share", "Share", f_share),
        ("action_rate", "Outcome other than NFA", f_share),
        ("action_low", "95% from", f_share),
        ("action_high", "95% to", f_share),
    ]
    for name, caption in (
        ("stop-search-by-object", "Stop and search by object of search"),
        ("stop-search-by-legislation", "Stop and search by legislation"),
        ("stop-search-by-outcome", "Stop and search by outcome (police.uk wording)"),
        ("stop-search-by-ethnic-group", "Stop and search by ethnic group"),
        ("stop-search-by-age", "Stop and search by age"),
        ("stop-search-by-gender", "Stop and search by gender"),
    ):
        s.blocks.append(
            Block("table", table=table_view(assessment, name, group_spec, caption=caption))
        )
    if section.profile.rates is not None:
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    assessment,
                    "stop-search-rates",
                    [
                        ("group", "Ethnic group", f_str),
                        ("searches", "Searches", f_int),
                        ("residents", "Residents", f_int),
                        ("per_1000", "Per 1,000 residents", f_num1),
                        ("ratio", "Ratio to White", f_num2),
                        ("ratio_low", "95% from", f_num2),
                        ("ratio_high", "95% to", f_num2),
                    ],
                    caption="Searches per 1,000 residents by ethnic group, and the "
                    "disproportionality ratio",
                ),
            )
        )
    lsoa_table = table_view(
        assessment,
        "stop-search-by-lsoa",
        [("lsoa_code", "LSOA", f_str), ("searches", "Searches", f_int)],
        rows=10,
        frame=section.profile.by_lsoa.sort_values(
            ["searches", "lsoa_code"], ascending=[False, True]
        ),
        caption="Searches with a location by LSOA",
    )
    p = section.profile
    s.blocks.append(
        builder.figure(
            "stop-search-map",
            f"Stop and search by LSOA, {section.area}",
            f"Map of {section.area}'s LSOAs shaded by stop and searches with a location "
            f"({p.searches - p.unlocated:,} of {p.searches:,}).",
            section.map_svg,
            lsoa_table,
        )
    )
    return s


report_section.section_id = "stop-search"  # type: ignore[attr-defined]
