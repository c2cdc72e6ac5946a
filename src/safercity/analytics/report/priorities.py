"""Report sections: partner data and data gaps, context, last year's priorities, the priority
assessment and the consultation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from safercity.analytics import wording as w
from safercity.analytics.priorities import DIMENSION_LABELS, DIMENSIONS
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import (
    Block,
    Formatter,
    Section,
    f_int,
    f_num2,
    f_pct,
    f_str,
    f_yes,
    table_view,
)

if TYPE_CHECKING:
    from safercity.analytics.assessment import Assessment


def partners(b: Builder) -> Section:
    a = b.a
    s = Section("partners", "Partner data and data gaps")
    pt = a.partners
    loaded = pt[pt["loaded"].astype(bool)]
    s.blocks.append(
        Block(
            "p",
            "Police records show only what is reported to and recorded by the police. Partners "
            "hold the rest: each dataset below comes in through the local extract importer "
            "with a ready mapping (safercity/data/mappings), and is reported here by dataset, "
            "never added to the police counts. "
            + (
                f"Loaded: {w.join_list([str(x) for x in loaded['dataset']])}."
                if len(loaded)
                else "None is loaded yet."
            ),
        )
    )
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "partner-data",
                [
                    ("dataset", "Dataset", f_str),
                    ("partner", "Partner", f_str),
                    ("loaded", "Loaded", f_yes),
                    ("this_period", "This period", f_int),
                    ("previous_period", "Comparison", f_int),
                    ("pct_change", "Change", f_pct),
                    ("mapping", "Mapping file", f_str),
                ],
            ),
        )
    )
    s.blocks.append(Block("h3", "Data gaps", id="data-gaps"))
    s.blocks.append(
        Block(
            "p",
            "Every question this assessment cannot answer from its data, why it matters and the "
            "data that would answer it. These are the partnership's intelligence requirements "
            "for the year.",
        )
    )
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "data-gaps",
                [
                    ("question", "What we cannot answer", f_str),
                    ("why_it_matters", "Why it matters", f_str),
                    ("data", "Data that would answer it", f_str),
                    ("status", "Status", f_str),
                ],
            ),
        )
    )
    return s


def context(b: Builder) -> Section:
    a = b.a
    s = Section("context", "Context, emerging threats and hidden harms")
    ctx = a.context
    if ctx.written:
        s.blocks.append(
            Block(
                "p",
                "Written by the partnership's analysts with partners (the narrative file "
                f"{Path(ctx.path).name}), alongside the data.",
            )
        )
        for sec in ctx.written:
            s.blocks.append(Block("h3", sec.title, id=f"context-{_slug(sec.title)}"))
            items: list[str] = []
            for kind, text in sec.blocks:
                if kind == "li":
                    items.append(text)
                    continue
                if items:
                    s.blocks.append(Block("ul", items=items))
                    items = []
                s.blocks.append(Block("p", text))
            if items:
                s.blocks.append(Block("ul", items=items))
    if not ctx.written or ctx.unwritten:
        missing = ctx.unwritten if ctx.written else []
        s.blocks.append(
            Block(
                "note",
                "The analysts' narrative "
                + (
                    f"has no text yet for {w.join_list(missing)}"
                    if missing
                    else "has not been written"
                )
                + ". The data cannot show political, economic, social, technological, "
                "environmental, legal and organisational change, emerging threats or hidden "
                "harms; write them in the narrative file"
                + (f" ({Path(a.context_path).name})" if a.context_path else "")
                + " and run the assessment again.",
            )
        )
    s.blocks.append(Block("h3", "Hidden harms in the data", id="context-hidden-harms-data"))
    s.blocks.append(
        Block(
            "p",
            "Domestic abuse, sexual violence, exploitation, modern slavery and hate crime are "
            "under-reported, and police.uk does not identify them: domestic abuse sits inside "
            "violence and sexual offences, exploitation inside drugs and other crime. Their "
            "scale needs partners' data (MARAC, the Cardiff model, children's services); see "
            "the data gaps.",
        )
    )
    return s


def review(b: Builder) -> Section | None:
    a = b.a
    r = a.review
    if r is None:
        return None
    s = Section("review", "Last year's priorities")
    t = a.tables["previous-priorities"]
    reds = [str(x) for x in t[t["rag"] == "Red"]["priority"]]
    s.blocks.append(
        Block(
            "p",
            f"The strategy {r.title} ({r.period}), monitored as at "
            f"{r.as_at.day} {w.month_label(r.as_at)} with the board report's rules: each "
            "activity's status from its milestones and progress updates, each measure's RAG "
            "against its target. "
            + (f"Off track (red): {w.join_list(reds)}. " if reds else "No priority is off track. ")
            + "The rating scores each priority's organisational position in the priority "
            "assessment.",
        )
    )
    lines = []
    for p in r.priorities:
        cand = a.priorities[a.priorities["candidate"] == p.candidate] if p.candidate else None
        change = ""
        if cand is not None and len(cand):
            change = f" In the data: {cand.iloc[0]['likelihood_reason']}."
        elif p.candidate is None:
            change = " No theme or category of the data matches it."
        lines.append(
            f"{p.title}: {p.rag}; "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in p.activities.items() if n)
            + (f". Latest update: {p.latest_update}" if p.latest_update else "")
            + "."
            + change
        )
    s.blocks.append(Block("ul", items=lines))
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "previous-priorities",
                [
                    ("priority", "Priority", f_str),
                    ("rag", "Rating", f_str),
                    ("activities", "Activities", f_int),
                    ("complete", "Complete", f_int),
                    ("on_track", "On track", f_int),
                    ("at_risk", "At risk", f_int),
                    ("overdue", "Overdue", f_int),
                    ("not_started", "Not started", f_int),
                    ("measures_rated", "Measures rated", f_int),
                ],
            ),
        )
    )
    return s


def priorities(b: Builder) -> Section:
    a = b.a
    pm = a.priority_matrix
    s = Section("priorities", "Priority assessment", page_break=True)
    weights = ", ".join(
        f"{DIMENSION_LABELS[d].lower()} {w.fmt_num(v, 2)}" for d, v in pm.weights.items()
    )
    s.blocks.append(
        Block(
            "p",
            "Every crime category, anti-social behaviour and each of the partnership's themes "
            "competes for priority. Each is scored 1 (low) to 5 (high) on the dimensions of "
            "MoRiLE (Management of Risk in Law Enforcement, National Police Chiefs' Council): "
            "harm to individuals, harm to the community, likelihood (is it getting worse?), "
            "the partnership's organisational position and public concern, by the rules "
            f"below, combined with the weights {weights} into a risk score. The priority score "
            "is the risk score times a confidence factor (0.5 + 0.1 × confidence), so a "
            "candidate the data measures poorly, such as a proxy, cannot top the list by "
            "artefact. Dimensions without data (no consultation, no strategy monitoring) are "
            "left out and the weights re-normalised.",
        )
    )
    if len(a.recommended):
        s.blocks.append(Block("h3", "Recommended priorities", id="recommended"))
        s.blocks.append(
            Block(
                "ol",
                items=[f"{p['title']}: {p['why']}." for p in a.executive["priorities"]],
            )
        )
    sens = a.weight_sensitivity
    changed = sens[~sens["same_top"].astype(bool)]
    s.blocks.append(
        Block(
            "p",
            "Sensitivity to the weights: "
            + (
                "the same candidates are recommended with equal weights and with any one "
                "weight halved or doubled."
                if changed.empty
                else f"the recommended set changes in {len(changed)} of {len(sens)} "
                "re-weightings ("
                + "; ".join(f"{r.weights}: {r.top}" for r in changed.head(4).itertuples())
                + "): treat the order of close candidates as a judgement for the board."
            ),
        )
    )
    s.blocks.append(Block("h3", "The matrix", id="matrix"))
    dim_spec: list[tuple[str, str, Formatter]] = [
        (f"{d}_score", DIMENSION_LABELS[d], f_int) for d in DIMENSIONS if d in pm.weights
    ]
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "priorities",
                [
                    ("rank", "Rank", f_int),
                    ("title", "Candidate", f_str),
                    ("n", "Incidents", f_int),
                    *dim_spec,
                    ("confidence_score", "Confidence", f_int),
                    ("score", "Priority score", f_num2),
                ],
            ),
        )
    )
    if len(pm.gaps):
        s.blocks.append(
            Block(
                "p",
                "Intelligence gaps (not ranked, because the data cannot measure them): "
                + w.join_list([f"{r.title} (no {r.missing})" for r in pm.gaps.itertuples()])
                + ". They are listed with the data that would fill them in the data gaps table.",
            )
        )
    s.blocks.append(
        Block(
            "p",
            "How each dimension is scored from 1 to 5 is in Appendix "
            f"{b.number('methods')} (Methods: priority scoring rules).",
        )
    )
    return s


def scoring_rules(b: Builder) -> list[Block]:
    """The priority assessment's scoring rule for each dimension (for the methods appendix)."""
    rules = b.a.priority_matrix.rules()
    return [
        Block("h3", "Priority scoring rules", id="rules"),
        Block(
            "dl",
            pairs=[(DIMENSION_LABELS[k], v) for k, v in rules.items() if k in DIMENSION_LABELS],
        ),
    ]


def _theme_title(a: Assessment, key: object) -> str:
    """A theme or category as the report names it, not its key."""
    name = f_str(key)
    try:
        return a.themes_set[name].title
    except KeyError:  # a crime category is named as it is
        return name


def consultation(b: Builder) -> Section | None:
    a = b.a
    c = a.consultation
    if c is None:
        return None
    s = Section("consultation", "Public consultation")
    detail = []
    if c.when:
        detail.append(f"held {c.when}")
    if c.responses:
        detail.append(f"{c.responses} responses")
    unmatched = [r for r, t in zip(c.wording, c.themes, strict=True) if t is None]
    s.blocks.append(
        Block(
            "p",
            f"The consultation ranking from {Path(c.source).name}"
            + (f" ({', '.join(detail)})" if detail else "")
            + " puts "
            + w.join_list([f"{r} ({w.ordinal(i + 1)})" for i, r in enumerate(c.wording)])
            + ". It scores the public concern dimension of the priority assessment."
            + (
                f" {w.join_list(unmatched)} matched no theme or category and "
                f"{'was' if len(unmatched) == 1 else 'were'} left out."
                if unmatched
                else ""
            ),
        )
    )
    s.blocks.append(
        Block(
            "table",
            detail=True,  # the ranking is in the sentence; this is how each answer was matched
            table=table_view(
                a,
                "consultation",
                [
                    ("rank", "Rank", f_int),
                    ("as_given", "As given", f_str),
                    ("theme", "Theme", lambda v: _theme_title(a, v)),
                ],
            ),
        )
    )
    return s


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


__all__ = ["consultation", "context", "partners", "priorities", "review"]
