"""The analyst's narrative: PESTELO context, emerging threats and hidden harms.

The data cannot say what is changing around the partnership (a new licensing policy, a housing
development, cuts to a service, county lines, the cost of living), so the Strategic Assessment
holds an editable narrative file the analyst writes, and its text goes into the document. The
file is plain text in a small Markdown subset:

* ``## Heading`` starts a section (the template has Political, Economic, Social,
  Technological, Environmental, Legal and Organisational (PESTELO), Emerging threats and
  Hidden harms);
* ``- text`` is a bullet point; other lines are paragraphs (a blank line ends one);
* lines starting with ``>`` are the template's prompts and are never printed;
* ``#`` at the top is the file's title and is ignored.

:func:`context_template` writes a template with prompts drawn from the data (what rose, what
the data cannot show); a section with prompts only counts as not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: the sections of the narrative file, in order
CONTEXT_HEADINGS: tuple[str, ...] = (
    "Political",
    "Economic",
    "Social",
    "Technological",
    "Environmental",
    "Legal",
    "Organisational",
    "Emerging threats",
    "Hidden harms",
)

PROMPTS: dict[str, str] = {
    "Political": "national and local policy, elections, the Police and Crime Plan, funding",
    "Economic": "cost of living, unemployment, the night-time economy's trade, budgets",
    "Social": "population change, students and visitors, deprivation, housing",
    "Technological": "online fraud and harassment, CCTV, new reporting channels",
    "Environmental": "regeneration, licensing, street lighting, events",
    "Legal": "new legislation (e.g. the serious violence duty), recording rule changes",
    "Organisational": "partners' capacity, restructures, commissioning, data sharing",
    "Emerging threats": "what partners see rising that the data does not yet show",
    "Hidden harms": "domestic abuse, exploitation, modern slavery, hate crime: under-reported "
    "harms the police data undercounts",
}


@dataclass
class ContextSection:
    """One section of the narrative: paragraphs and bullet points in the order written."""

    title: str
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("p" | "li", text)

    @property
    def written(self) -> bool:
        return bool(self.blocks)


@dataclass
class Context:
    """The narrative file's sections (empty when the file does not exist)."""

    path: str
    sections: list[ContextSection] = field(default_factory=list)

    @property
    def written(self) -> list[ContextSection]:
        return [s for s in self.sections if s.written]

    @property
    def unwritten(self) -> list[str]:
        """The template's headings with no text (missing or prompts only), then any other
        empty section."""
        done = {s.title.lower() for s in self.written}
        out = [h for h in CONTEXT_HEADINGS if h.lower() not in done]
        return out + [s.title for s in self.sections if not s.written and s.title not in out]


def load_context(path: str | Path) -> Context:
    """Read a narrative file (module docstring); a missing file is an empty context."""
    p = Path(path)
    ctx = Context(str(p))
    if not p.is_file():
        return ctx
    current: ContextSection | None = None
    para: list[str] = []

    def flush() -> None:
        if para and current is not None:
            current.blocks.append(("p", " ".join(para)))
        para.clear()

    for raw in p.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            flush()
            current = ContextSection(line[3:].strip())
            ctx.sections.append(current)
        elif line.startswith("#") or line.startswith(">"):
            continue
        elif not line:
            flush()
        elif line.startswith(("- ", "* ")):
            flush()
            if current is not None:
                current.blocks.append(("li", line[2:].strip()))
        else:
            para.append(line)
    flush()
    return ctx


def context_template(area: str, period: str, hints: dict[str, list[str]] | None = None) -> str:
    """A narrative file to fill in: one section per heading with prompts (``>`` lines) and
    hints from the data."""
    lines = [
        f"# Context for the {area} Strategic Assessment, {period}",
        "",
        "> Write under each heading; delete nothing else. Lines starting with > are prompts",
        "> and are not printed. Re-run `safercity assess` to put the text in the report.",
        "",
    ]
    for heading in CONTEXT_HEADINGS:
        lines += [f"## {heading}", "", f"> {PROMPTS[heading]}"]
        for hint in (hints or {}).get(heading, []):
            lines.append(f"> From the data: {hint}")
        lines.append("")
    return "\n".join(lines)


__all__ = ["CONTEXT_HEADINGS", "Context", "ContextSection", "context_template", "load_context"]
