"""The Strategic Assessment document: HTML (Jinja), tagged PDF (WeasyPrint), figures, tables,
manifest, and a summary edition for the board.

:func:`build_document` turns an :class:`~safercity.analytics.assessment.Assessment` into a
document model (sections of paragraphs, tables and figures) whose every number is formatted from
the assessment's tables by :mod:`safercity.analytics.wording`; :func:`render_html` lays it out
with the templates in ``analytics/templates/assessment``; :func:`write_report` writes

``<out>.html``, ``<out>.pdf``, ``<out>-summary.html`` and ``.pdf`` (the board's edition),
``<out>-figures/*.svg``, ``<out>-tables/*.csv``, ``<out>-manifest.json`` (software version,
inputs with sha256, parameters, seeds, and the sha256 of every table) and the analyst's
narrative file ``<out>-context.md`` when there is none yet.

The package splits the document by idea: :mod:`.model` (document model and number formats),
:mod:`.builder` (figures), :mod:`.overview`, :mod:`.places`, :mod:`.themes`, :mod:`.priorities`
and :mod:`.appendix` (the sections) and :mod:`.write` (rendering and files).

Re-running on the same workspace and parameters gives byte-identical tables and HTML: nothing
depends on the clock (the report date is a parameter, by default the date of the latest import)
and every float is written with a fixed format.
"""

from safercity.analytics.report.model import Block, FigureView, Section, TableView
from safercity.analytics.report.write import (
    CSV_FLOAT_FORMAT,
    WrittenReport,
    build_document,
    build_summary,
    render_html,
    table_csv,
    write_pdf,
    write_report,
)

__all__ = [
    "CSV_FLOAT_FORMAT",
    "Block",
    "FigureView",
    "Section",
    "TableView",
    "WrittenReport",
    "build_document",
    "build_summary",
    "render_html",
    "table_csv",
    "write_pdf",
    "write_report",
]
