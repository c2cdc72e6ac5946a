"""The Strategic Assessment's hot spots section: where each theme's crime concentrates.

For every theme with enough located incidents in the period (:data:`MIN_INCIDENTS`), on a
British National Grid lattice over the area (:data:`CELL_SIZE` metres, cells inside the local
authority's boundary, and any cell holding an incident):

* **Getis-Ord Gi*** hot and cold spots (queen neighbours with the cell itself; conditional
  permutation p-values; classes at 90/95/99% confidence with Benjamini-Hochberg false discovery
  rate control), as an SVG map;
* a **kernel density** surface (quartic kernel, bandwidth by the ArcGIS Pro rule), as an SVG map;
* a table of the hot cells (any confidence) with their places: the LSOA, ward (where ward
  boundaries are loaded) and street most of the cell's incidents carry; and the share of the
  theme's located crime the hot cells hold;
* where the theme's near repeats are significant (the assessment's Knox test), the sentence
  saying for how far and how long, in the manner of the Near Repeat Calculator.

:func:`hotspots_section` computes it from what the assessment has; :func:`report_blocks` lays it
out as report blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from safercity.analytics import geography
from safercity.analytics.frames import incidents_frame, parse_period
from safercity.analytics.hotspots import (
    CLASS_LABELS,
    GiStar,
    Grid,
    KernelDensity,
    grid_counts,
    grid_svg,
)
from safercity.analytics.wording import period_label

if TYPE_CHECKING:
    from safercity.analytics.near_repeat import Knox
    from safercity.analytics.store import Workspace
    from safercity.analytics.themes import Theme

#: a theme needs this many incidents with a location in the period for a hot spot analysis
MIN_INCIDENTS = 50
#: metres per grid cell
CELL_SIZE = 250.0
#: the Gi* permutations (0: analytic z-scores, as ArcGIS Pro's Hot Spot Analysis; permutation
#: p-values cannot pass false discovery rate control over thousands of cells unless the
#: permutations run to a million) and their seed (recorded in the report)
PERMUTATIONS = 0
SEED = 20110401
ALPHA = 0.05


@dataclass
class ThemeHotspots:
    """One theme's hot spots."""

    name: str
    title: str
    incidents: int
    located: int
    grid: Grid
    counts: np.ndarray
    gi: GiStar
    kde: KernelDensity
    hot_cells: pd.DataFrame
    hot_share: float
    classes: dict[str, int]
    near_repeat: str | None = None

    @property
    def slug(self) -> str:
        return self.name


@dataclass
class HotspotsSection:
    """The section's data: one :class:`ThemeHotspots` per theme with enough data."""

    area: str
    period: str
    cell_size: float
    permutations: int
    seed: int
    themes: list[ThemeHotspots] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        """The period in words ("July 2018", "July 2017 to June 2018")."""
        start, end = parse_period(self.period)
        if start is None or end is None:
            return self.period
        return period_label(start, end)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables for the report's CSV files: per theme, its hot cells."""
        out: dict[str, pd.DataFrame] = {}
        for t in self.themes:
            out[f"hotspots-{t.slug}"] = hot_cells_table(t)
            out[f"hotspots-{t.slug}-densest"] = densest_cells(t)
        return out

    def figures(self) -> dict[str, str]:
        """The section's SVG maps, by figure id."""
        out: dict[str, str] = {}
        for t in self.themes:
            out[f"hotspots-{t.slug}-gi"] = gi_map(t, f"hotspots-{t.slug}-gi")
            out[f"hotspots-{t.slug}-kde"] = kde_map(t, f"hotspots-{t.slug}-kde")
        return out


def _modes(cells: np.ndarray, values: pd.Series) -> dict[int, str]:
    """For each cell, the value most of its incidents carry (ties: the first in order)."""
    frame = pd.DataFrame({"cell": cells, "v": values.astype("string").to_numpy()})
    frame = frame[frame["v"].notna() & (frame["v"].str.len() > 0)]
    if frame.empty:
        return {}
    n = frame.groupby(["cell", "v"]).size().reset_index(name="n")
    n = n.sort_values(["cell", "n", "v"], ascending=[True, False, True])
    first = n.drop_duplicates("cell")
    return dict(zip(first["cell"].astype(int), first["v"].astype(str), strict=True))


def near_repeat_sentence(knox: Knox | None, event: str, alpha: float) -> str | None:
    """The Near Repeat Calculator-style sentence ("Within 1 to 100 metres of a burglary, the
    risk of another is 69% higher for up to 7 days ...") where a close band is significant;
    None otherwise or without simulations."""
    if knox is None or knox.permutations == 0:
        return None
    significant = (knox.p_values[:-1, :-1] <= alpha) & (knox.knox_ratio[:-1, :-1] > 1)
    if not significant.any():
        return None
    return knox.summary(alpha=alpha, event=event)


def theme_hotspots(
    frame: pd.DataFrame,
    *,
    name: str,
    title: str,
    area_polygon: Any,
    cell_size: float = CELL_SIZE,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    near_repeat: str | None = None,
) -> ThemeHotspots:
    """Gi* hot and cold spots, a kernel density surface and the hot cells' places for one
    theme's incidents (the columns of the ``incidents`` table)."""
    located = frame[frame["easting"].notna() & frame["northing"].notna()]
    x = located["easting"].to_numpy(dtype=np.float64)
    y = located["northing"].to_numpy(dtype=np.float64)
    ax0, ay0, ax1, ay1 = (float(v) for v in area_polygon.bounds)
    grid = Grid.from_extent(
        min(ax0, float(x.min())),
        min(ay0, float(y.min())),
        max(ax1, float(x.max())),
        max(ay1, float(y.max())),
        cell_size,
    )
    counts = grid_counts(x, y, grid)
    mask = grid.inside(area_polygon) | (counts > 0)
    gi = GiStar(
        counts, cell_size=cell_size, mask=mask, permutations=permutations, seed=seed, fdr=True
    )
    kde = KernelDensity(x, y, grid)
    rows, cols, inside = grid.cell_of(x, y)
    cell_of_incident = np.where(inside, rows * grid.ncols + cols, -1)
    hot = np.flatnonzero((gi.classes > 0).ravel())
    in_hot = np.isin(cell_of_incident, hot)
    places = {
        key: _modes(cell_of_incident[in_hot], located[col][in_hot]) if col in located else {}
        for key, col in (("lsoa", "lsoa_name"), ("ward", "ward_name"), ("street", "location"))
    }
    records = []
    for idx in hot:
        r, c = divmod(int(idx), grid.ncols)
        records.append(
            {
                "row": r,
                "col": c,
                "easting": float(grid.x_centres[c]),
                "northing": float(grid.y_centres[r]),
                "incidents": int(counts[r, c]),
                "confidence": CLASS_LABELS[int(gi.classes[r, c])],
                "z": float(gi.Zs[r, c]),
                "p": float(gi.p_value[r, c]),
                **{key: found.get(int(idx), "") for key, found in places.items()},
            }
        )
    columns = ["row", "col", "easting", "northing", "incidents", "confidence", "z", "p"]
    hot_cells = pd.DataFrame(records, columns=[*columns, "lsoa", "ward", "street"])
    hot_cells = hot_cells.sort_values(
        ["incidents", "z", "row", "col"], ascending=[False, False, True, True]
    ).reset_index(drop=True)
    held = int(hot_cells["incidents"].sum())
    share = 100.0 * held / len(located) if len(located) else math.nan
    classes = {CLASS_LABELS[k]: int((gi.classes == k).sum()) for k in sorted(CLASS_LABELS)[::-1]}
    return ThemeHotspots(
        name=name,
        title=title,
        incidents=len(frame),
        located=len(located),
        grid=grid,
        counts=counts,
        gi=gi,
        kde=kde,
        hot_cells=hot_cells,
        hot_share=share,
        classes=classes,
        near_repeat=near_repeat,
    )


def hotspots_section(
    workspace: Workspace,
    *,
    area: str,
    period: str,
    themes: Sequence[Theme],
    near_repeats: Mapping[str, str | None] | None = None,
    cell_size: float = CELL_SIZE,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    min_incidents: int = MIN_INCIDENTS,
) -> HotspotsSection:
    """The hot spots section for an area, period and themes.

    Parameters
    ----------
    workspace : Workspace
    area : str
        A local authority (the area's boundary is the union of its built-in LSOAs).
    period : str
        ``"START:END"`` months.
    themes : sequence of Theme
    near_repeats : mapping, optional
        Theme name -> the sentence on its significant near repeats, or None (see
        :func:`near_repeat_sentence`).
    """
    la = geography.resolve_local_authority(area)
    polygon = geography.local_authority_polygon(la)
    out = HotspotsSection(la, period, cell_size, permutations, seed)
    for theme in themes:
        frame = incidents_frame(workspace, area=la, theme=theme, period=period)
        located = int((frame["easting"].notna()).sum()) if len(frame) else 0
        if located < min_incidents:
            out.skipped.append(
                (
                    theme.title,
                    f"{located:,} incidents with a location in the period; at least "
                    f"{min_incidents} are needed",
                )
            )
            continue
        out.themes.append(
            theme_hotspots(
                frame,
                name=theme.name,
                title=theme.title,
                area_polygon=polygon,
                cell_size=cell_size,
                permutations=permutations,
                seed=seed,
                near_repeat=(near_repeats or {}).get(theme.name),
            )
        )
    return out


def _cell_label(grid: Grid, row: int, col: int) -> str:
    """A cell by its centre's British National Grid reference, e.g. "430125 E, 433625 N"."""
    return f"{grid.x_centres[col]:.0f} E, {grid.y_centres[row]:.0f} N"


def hot_cells_table(t: ThemeHotspots) -> pd.DataFrame:
    """The hot cells with each one's share (%) of the theme's located incidents."""
    cells = [
        _cell_label(t.grid, r, c)
        for r, c in zip(t.hot_cells["row"], t.hot_cells["col"], strict=True)
    ]
    return t.hot_cells.assign(
        cell=cells, share=100.0 * t.hot_cells["incidents"] / max(t.located, 1)
    )


def gi_map(t: ThemeHotspots, chart_id: str = "hotspots-gi") -> str:
    return grid_svg(
        t.grid, np.where(t.gi.mask, t.gi.classes, 0), classes=True, width=640,
        title=f"{t.title}: Getis-Ord Gi* hot and cold spots", chart_id=chart_id,
    )  # fmt: skip


def kde_map(t: ThemeHotspots, chart_id: str = "hotspots-kde") -> str:
    return grid_svg(
        t.grid, np.where(t.gi.mask, t.kde.density, 0.0), width=640,
        title=f"{t.title}: kernel density, incidents per square kilometre", chart_id=chart_id,
    )  # fmt: skip


def densest_cells(t: ThemeHotspots, top: int = 10) -> pd.DataFrame:
    """The ``top`` cells of highest kernel density (in the study area), with their incidents
    and, where they are hot cells, their places."""
    dens = np.where(t.gi.mask, t.kde.density, -np.inf).ravel()
    order = np.argsort(-dens, kind="stable")[:top]
    places: dict[tuple[int, int], dict[Any, Any]] = {
        (int(h["row"]), int(h["col"])): h for h in t.hot_cells.to_dict("records")
    }
    rows = []
    for idx in order:
        r, c = divmod(int(idx), t.grid.ncols)
        found = places.get((r, c), {})
        rows.append(
            {
                "row": r,
                "col": c,
                "cell": _cell_label(t.grid, r, c),
                "density_per_km2": float(t.kde.density[r, c]),
                "incidents": int(t.counts[r, c]),
                "street": str(found.get("street", "")),
                "lsoa": str(found.get("lsoa", "")),
            }
        )
    return pd.DataFrame(
        rows, columns=["row", "col", "cell", "density_per_km2", "incidents", "street", "lsoa"]
    )


def sentences(t: ThemeHotspots, cell_size: float) -> list[str]:
    """What the section says about a theme, in words."""
    hot = sum(v for k, v in t.classes.items() if k.startswith("Hot"))
    cold = sum(v for k, v in t.classes.items() if k.startswith("Cold"))
    km2 = hot * cell_size * cell_size / 1e6
    out = [
        f"{t.located:,} of {t.incidents:,} {t.title.lower()} incidents had a location. "
        f"{hot:,} of the area's {int(t.gi.mask.sum()):,} cells of {cell_size:,.0f} m are hot "
        f"spots ({km2:,.2f} km²) holding {t.hot_share:.1f}% of them; {cold:,} cells are cold "
        "spots."
    ]
    if len(t.hot_cells):
        top = t.hot_cells.iloc[0]
        where = ", ".join(v for v in (top["street"], top["lsoa"], top["ward"]) if v)
        out.append(f"The busiest hot cell ({int(top['incidents']):,} incidents) is at {where}.")
    if t.near_repeat:
        out.append(f"Near repeats: {t.near_repeat}")
    return out


def report_blocks(
    section: HotspotsSection,
    *,
    figure: Callable[..., Any],
    table: Callable[[str, pd.DataFrame, str], Any],
    block: Callable[..., Any],
    recommended: Collection[str] | None = None,
) -> list[Any]:
    """The section as report blocks. ``figure(fig_id, title, alt, make_svg, table)``,
    ``table(name, frame, caption)`` and ``block(kind, text=...)`` are the report's own
    builders (:mod:`safercity.analytics.report`), so figures are numbered and tables written
    as CSV like every other section's. Kernel density maps, and the Gi* maps of themes that
    are not among the ``recommended`` priorities (names; None: every theme's map stays), are
    marked ``detail``: the full document shows them in its appendix of maps and tables."""
    inference = (
        "analytic z-scores, as ArcGIS Pro's Hot Spot Analysis"
        if section.permutations == 0
        else f"{section.permutations:,} conditional permutations, seed {section.seed}"
    )
    blocks = [
        block(
            "p",
            text=(
                f"Getis-Ord Gi* hot and cold spots on a {section.cell_size:,.0f} m grid over "
                f"{section.area} (queen neighbours with the cell itself; {inference}; "
                "90/95/99% confidence with Benjamini-Hochberg false discovery rate control over "
                "the area's cells), and a kernel density surface (quartic kernel, bandwidth by "
                f"the ArcGIS Pro rule). A theme needs {MIN_INCIDENTS} incidents with a location "
                "in the period. Hot spots are where incidents cluster more than chance would "
                "place them, not where one address repeats."
            ),
        )
    ]
    for t in section.themes:
        blocks.append(block("h3", text=f"{t.title}: hot spots", id=f"hotspots-{t.slug}"))
        for s in sentences(t, section.cell_size):
            blocks.append(block("p", text=s))
        tv = table(
            f"hotspots-{t.slug}",
            hot_cells_table(t),
            f"{t.title}: hot cells, the places their incidents carry, and their share of "
            "located incidents",
        )
        gi = figure(
            f"hotspots-{t.slug}-gi",
            f"{t.title}: Gi* hot and cold spots, {section.period_label}",
            f"Map of {section.area} on a {section.cell_size:,.0f} m grid: {len(t.hot_cells)} "
            f"hot cells hold {t.hot_share:.1f}% of located {t.title.lower()} incidents.",
            lambda fig_id, t=t: gi_map(t, fig_id),
            tv,
        )
        gi.detail = recommended is not None and t.name not in recommended
        blocks.append(gi)
        kde = figure(
            f"hotspots-{t.slug}-kde",
            f"{t.title}: kernel density, {section.period_label}",
            f"Map of {section.area}: kernel density of {t.title.lower()} incidents "
            f"(bandwidth {t.kde.bandwidth:,.0f} m, peak {t.kde.peak:,.0f} per km²).",
            lambda fig_id, t=t: kde_map(t, fig_id),
            table(
                f"hotspots-{t.slug}-densest",
                densest_cells(t),
                f"{t.title}: the cells of highest kernel density",
            ),
        )
        kde.detail = True  # the full document shows it with the maps and tables in detail
        blocks.append(kde)
    if section.skipped:
        blocks.append(
            block(
                "ul",
                items=[f"{title}: not analysed ({why})" for title, why in section.skipped],
            )
        )
    return blocks


def report_section(builder: Any) -> Any:
    """The section for :func:`safercity.analytics.report.build_document` (``builder`` is its
    ``_Builder``, ``assessment`` the :class:`~safercity.analytics.assessment.Assessment` with
    ``hotspots``); None when the assessment has no hot spots section."""
    from safercity.analytics.report.model import (
        Block,
        Section,
        f_int,
        f_num1,
        f_share,
        f_str,
        table_view,
    )

    assessment = builder.a

    section: HotspotsSection | None = getattr(assessment, "hotspots", None)
    if section is None:
        return None

    def table(name: str, frame: pd.DataFrame, caption: str) -> Any:
        spec = (
            # places as people know them
            [  # not every dense cell is a hot cell with a place: the grid reference leads
                ("cell", "Grid reference of the cell centre", f_str),
                ("density_per_km2", "Density per km²", f_num1),
                ("incidents", "Incidents in the cell", f_int),
                ("street", "Street (hot cells)", f_str),
                ("lsoa", "LSOA (hot cells)", f_str),
            ]
            if name.endswith("-densest")
            else [
                ("street", "Street", lambda v: f_str(v) or "(no street)"),
                ("lsoa", "LSOA", f_str),
                ("ward", "Ward", f_str),
                ("incidents", "Incidents", f_int),
                ("share", "Share of located", f_share),
                ("confidence", "Confidence", f_str),
            ]  # each cell's easting and northing are in the table file
        )
        return table_view(assessment, name, spec, frame=frame, caption=caption, rows=10)

    def block(kind: str, text: str = "", items: list[str] | None = None, id: str = "") -> Any:
        return Block(kind, text=text, items=items or [], id=id)

    s = Section("hotspots", "Hot spots")
    recommended = getattr(assessment, "recommended", None)
    s.blocks.extend(
        report_blocks(
            section,
            figure=builder.figure,
            table=table,
            block=block,
            recommended=None if recommended is None else set(recommended["candidate"]),
        )
    )
    return s


report_section.section_id = "hotspots"  # type: ignore[attr-defined]
