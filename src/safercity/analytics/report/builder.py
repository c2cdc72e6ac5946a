"""The document builder: numbered figures (SVG with alt text and data table) for the sections."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from safercity.analytics.assessment import Assessment
from safercity.analytics.report.model import Block, FigureView, TableView


class Builder:
    """Holds the assessment and numbers the figures as the sections add them."""

    def __init__(self, a: Assessment, figures_dir: str) -> None:
        self.a = a
        self.figures_dir = figures_dir
        self.figures: list[FigureView] = []
        #: the planned sections (id, appendix?) in order, for cross-references
        self.plan: list[tuple[str, bool]] = []

    def number(self, section_id: str) -> str:
        """The number (``"4"``) or appendix letter (``"B"``) a planned section will have."""
        n = letter = 0
        for sid, appendix in self.plan:
            if appendix:
                letter += 1
            else:
                n += 1
            if sid == section_id:
                return chr(ord("A") + letter - 1) if appendix else str(n)
        raise KeyError(f"no section {section_id!r} in the plan")

    def figure(
        self,
        fig_id: str,
        title: str,
        alt: str,
        make_svg: Callable[[str], str],
        table: TableView | None,
        source: str = "",
        full_table: TableView | None = None,
    ) -> Block:
        number = len(self.figures) + 1
        svg = make_svg(fig_id)
        # the chart's <desc> is the figure's alt text
        svg = re.sub(
            rf'<desc id="{re.escape(fig_id)}-desc">.*?</desc>',
            lambda _m: f'<desc id="{fig_id}-desc">{escape(alt)}</desc>',
            svg,
            count=1,
            flags=re.S,
        )
        fv = FigureView(
            id=fig_id,
            number=number,
            title=title,
            alt=alt,
            svg=svg,
            file=f"{self.figures_dir}/{fig_id}.svg",
            table=table,
            source=source,
            full_table=full_table,
        )
        self.figures.append(fv)
        return Block("figure", figure=fv)


__all__ = ["Builder"]
