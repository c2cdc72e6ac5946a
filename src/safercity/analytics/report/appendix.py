"""Report appendices: caveats and coverage, the full change tables, methods, glossary,
references, reproducibility."""

from __future__ import annotations

from pathlib import Path

from safercity.analytics import wording as w
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import (
    CHANGE_SPEC_FULL,
    Block,
    Section,
    f_int,
    f_str,
    table_view,
)
from safercity.analytics.report.priorities import scoring_rules


def caveats(b: Builder) -> Section:
    a = b.a
    cov = a.coverage
    s = Section("caveats", "Caveats and data coverage", appendix=True, page_break=True)
    items = []
    if "Violence and sexual offences" in set(a.overview_categories["category"]):
        items.append(
            "Violence: police recording of violence has improved since HM Inspectorate of "
            "Constabulary's 2014 inspection of crime data integrity, and the Office for "
            "National Statistics advises that police-recorded violence is not a reliable "
            "measure of trends (the Crime Survey for England and Wales is). Part of any rise in "
            "violence may be better recording; the priority assessment therefore scores "
            "violence with lower confidence, and A&E data (the Cardiff model) would measure it "
            "independently."
        )
    items.append(
        "Locations: police.uk anonymises every location by moving it to the nearest of a fixed "
        "list of snap points (the centre of a street, a station, a public place such as "
        "\u201cOn or near Supermarket\u201d). One point holds crimes from many addresses, so "
        "most points \u201crepeat\u201d whatever happens on the ground: repeat locations are "
        "reported as named places for problem-solving, not as repeat victimisation, and maps "
        "and near repeats are approximate at the scale of a street."
    )
    if any(t.knox is not None and t.knox.precision == "month" for t in a.themes):
        items.append(
            "Near repeats: with dates known to the month only, the Knox test can say only "
            "whether burglaries cluster within the same or the next month; results are in the "
            "theme sections but not in the summary."
        )
    if a.snapshots:
        held = w.join_list(sorted({str(m.year) for m in a.months_with_data}))
        items.append(
            f"The data holds {a.long_run_window.replace(' of each year', '')} of {held} only "
            "(police.uk monthly releases), so each period is compared with the same month(s) "
            "a year earlier, and monthly trends, control charts and seasonality cannot be "
            "drawn."
        )
    elif cov["missing_months"]:
        affected = cov["exposure_this"] < a.n_months or cov["exposure_last"] < a.n_months
        items.append(
            f"Months with no data: {w.join_list([w.month_label(m) for m in cov['missing_months']])}. "
            "They are treated as missing, not as zero"
            + (
                ": the two periods are compared per month of data "
                f"({cov['exposure_this']} and {cov['exposure_last']} months)."
                if affected
                else "; neither period compared is affected (monthly charts show the gap)."
            )
        )
    no_loc = cov["rows_without_location"]
    items.append(
        f"{'None' if no_loc == 0 else w.fmt_int(no_loc)} of the "
        f"{w.fmt_int(cov['rows_window'])} incidents in the two periods have no location and "
        "cannot be mapped or placed in an LSOA or ward."
    )
    # issue 18: rows in no area's figures, and rows in 2021 LSOAs
    no_la = cov.get("rows_no_local_authority_by_reason") or {}
    if no_la:
        reasons = w.join_list([f"{w.fmt_int(n)} {reason}" for reason, n in no_la.items()])
        items.append(
            f"{w.fmt_int(sum(no_la.values()))} incidents in the two periods' months have no "
            f"local authority and are in no area's figures: {reasons}."
        )
    else:
        items.append(
            "Every incident in the two periods' months has a local authority: each row is "
            "placed by its LSOA, or by its LSOA name and location where the built-in 2011 "
            "LSOAs do not know its LSOA (police.uk's 2021 LSOAs, from 2022)."
        )
    if cov.get("rows_lsoa_not_built_in"):
        items.append(
            f"{w.fmt_int(cov['rows_lsoa_not_built_in'])} incidents carry a 2021 LSOA that "
            "the built-in 2011 LSOAs lack (police.uk uses the 2021 LSOAs from 2022). They are "
            "in the area's totals, trends and themes, which stay comparable across the change "
            "(every row is placed in its local authority); the LSOA tables and maps use the "
            "2011 LSOAs and 2011 Census residents, so they leave these rows out. Load the "
            "2021 LSOA boundaries (safercity geography load --type lsoa) to place every "
            "incident, old and new, in one set of LSOAs."
        )
    if cov["rows_btp"]:
        items.append(
            f"{w.fmt_int(cov['rows_btp'])} incidents were recorded by British Transport Police "
            "(stations and railways) and are included."
        )
    if not cov["has_times"]:
        items.append(
            "The data has no times of day (police.uk gives the month only): themes defined by "
            "hours, such as the night-time economy, count incidents at every hour."
        )
    if not cov["has_people"]:
        items.append(
            "The data has no victim or suspect details, so themes defined by them (young "
            "people, violence against women and girls) are intelligence gaps."
        )
    if a.wards.empty:
        items.append("No ward boundaries are loaded: wards are not profiled.")
    if a.long_run_from_met:
        items.append(
            "The long-run figure uses the Met's recorded-crime series, whose categories and "
            "revisions differ from police.uk's: its totals are not expected to equal the "
            "police.uk counts elsewhere in this report."
        )
    items.append(
        "Rates per 1,000 residents use the 2011 Census; where many people work or visit but "
        "few live (town centres) they overstate the risk to any one person"
        + (
            "; rates per 1,000 workday population are shown beside them."
            if a.workday_population
            else "; an ONS workday population table would correct this (see the data gaps)."
        )
    )
    s.blocks.append(Block("ul", items=items))
    s.blocks.append(Block("h3", "Data sources and coverage", id="coverage"))
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "data-sources",
                [
                    ("source", "Source", f_str),
                    ("kind", "Kind", lambda v: w.source_kind(str(v))),
                    ("files", "Files", f_int),
                    ("rows_stored", "Rows stored", f_int),
                    ("rows_quarantined", "Rows set aside", f_int),
                ],
                note="The checksum of every file is in the manifest beside this report.",
            ),
        )
    )
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a, "coverage", [("measure", "Measure", f_str), ("value", "Value", f_int)]
            ),
        )
    )
    s.blocks.append(Block("h3", "Both tests for every category", id="tests"))
    s.blocks.append(
        Block(
            "p",
            "The E-test of two Poisson rates and the test that allows for overdispersion "
            "(quasi-Poisson, dispersion estimated from the months compared), for every "
            "category; the latter decides where the dispersion could be estimated.",
        )
    )
    both = table_view(
        a,
        "overview-categories",
        [("category", "Category", f_str), *CHANGE_SPEC_FULL],
        caption="Incidents by category: both tests",
    )
    both.id = "table-overview-categories-both-tests"
    s.blocks.append(Block("table", table=both))
    return s


def methods(b: Builder) -> Section:
    a = b.a
    s = Section("methods", "Methods", appendix=True)
    s.blocks.append(
        Block(
            "dl",
            pairs=[
                (
                    "Comparison periods",
                    w.capitalise(a.basis.describe())
                    + ". Counts are compared as rates per month of data; months with no data "
                    "are missing, not zero.",
                ),
                (
                    "Significance",
                    "The E-test for two Poisson rates (Krishnamoorthy & Thomson 2004) and a "
                    "quasi-Poisson z-test whose dispersion is the Pearson statistic of a Poisson "
                    "model of the months compared, with a level for each period and, for "
                    "12-month periods, a month-of-year effect (McCullagh & Nelder 1989). The "
                    "latter decides when it can be estimated; significant when "
                    f"p < {a.alpha:g}.",
                ),
                (
                    "Long run",
                    "One value per year: the period's window in each year. A year with part of "
                    "its months of data is estimated for the whole year when at least half its "
                    "months have data (marked *), and left out otherwise.",
                ),
                (
                    "Control charts",
                    "XmR charts with limits at the mean ± 2.66 × the mean moving range "
                    "(Wheeler 1993) and the NHS England 'Making Data Count' rules (2019).",
                ),
                (
                    "Places",
                    "Counts and rates per 1,000 residents (2011 Census) by LSOA; concentration "
                    "as the share in the busiest 5% and 10% of places and the Gini coefficient "
                    "(Bernasco & Steenbeek 2017 on sparse counts).",
                ),
                (
                    "Near repeats",
                    "Knox test (Knox 1964) with Monte Carlo permutation of dates "
                    f"({a.permutations} permutations, seed {a.seed}), Manhattan distance, as "
                    "in the Near Repeat Calculator (Ratcliffe 2009).",
                ),
                (
                    "Harm",
                    "Cambridge Crime Harm Index weights (Sherman, Neyroud & Neyroud 2016), "
                    f"table version {a.harm_weights.version}: SaferCity's derivation from the "
                    "Sentencing Council's starting points for a first offender. A third-party "
                    "derivation from the published per-offence values is higher for burglary "
                    "(245 days against 24), possession of weapons (274 against 28) and "
                    "violence and sexual offences (194 against 74); the two agree on robbery "
                    "and vehicle crime.",
                ),
                (
                    "Costs",
                    "Home Office unit costs of crime (Heeks et al. 2018, Table 1, 2015/16 "
                    "prices), each police.uk category priced from its cheapest to its dearest "
                    "published offence type.",
                ),
                (
                    "Priorities",
                    "MoRiLE-style scoring of every crime category, ASB and theme (section "
                    f"{b.number('priorities')}); sensitivity by re-weighting.",
                ),
                (
                    "Comparisons",
                    a.comparison.method if a.comparison is not None else "Not available.",
                ),
            ],
        )
    )
    s.blocks.extend(scoring_rules(b))
    return s


GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Anti-social behaviour (ASB)",
        "Behaviour causing or likely to cause harassment, alarm or "
        "distress; reported to the police but not a notifiable crime.",
    ),
    (
        "Aoristic analysis",
        "Spreading an incident known only to lie in a time window over the hours of that window.",
    ),
    (
        "Cambridge Crime Harm Index (CCHI)",
        "A weight per crime: the days of custody its "
        "sentencing guideline gives a first offender. Harm days add these up.",
    ),
    (
        "Confidence",
        "How far the data can be trusted to measure a candidate priority (MoRiLE); "
        "lowers the priority score.",
    ),
    (
        "Control chart (XmR)",
        "A chart of monthly counts with limits showing the range of "
        "ordinary variation; a point outside or a long run signals real change.",
    ),
    (
        "Dispersion (overdispersion)",
        "How much more monthly counts vary than chance alone "
        "would make them; 1 means Poisson variation. Larger values make a change harder to call "
        "significant.",
    ),
    (
        "E-test",
        "A test of whether two counts (e.g. this year and last) differ more than chance "
        "would explain, assuming Poisson variation (Krishnamoorthy & Thomson 2004).",
    ),
    (
        "Gini coefficient",
        "Concentration of crime across places: 0 when every place has the "
        "same, 1 when one place has it all.",
    ),
    ("Harm days", "Crimes weighted by the CCHI and added up."),
    ("Intelligence gap", "Something the partnership needs to know that its data cannot show."),
    (
        "Knox test",
        "A test of whether crimes close in space are also close in time (near "
        "repeats) more often than chance gives (Knox 1964).",
    ),
    (
        "LSOA",
        "Lower layer super output area: a census neighbourhood of about 1,500 residents; "
        "named by the local authority and a code (e.g. Westminster 013B).",
    ),
    (
        "MoRiLE",
        "Management of Risk in Law Enforcement: the police method of scoring threats "
        "on harm, likelihood, organisational position and confidence.",
    ),
    (
        "p-value",
        "The chance of a change at least this large if nothing had really changed; "
        "below 0.05 the change is called significant. Printed as < 0.001 when smaller.",
    ),
    (
        "PESTELO",
        "Political, economic, social, technological, environmental, legal and "
        "organisational context.",
    ),
    (
        "Proxy",
        "A measure that stands in for something the data cannot show (acquisitive crime "
        "for re-offending).",
    ),
    (
        "Snap point",
        "The anonymous point police.uk moves a crime to: the centre of a street or a public place.",
    ),
    (
        "Workday population",
        "The people in an area during the working day (ONS): the right "
        "denominator where many work or visit but few live.",
    ),
)


def glossary(b: Builder) -> Section:
    s = Section("glossary", "Glossary", appendix=True)
    s.blocks.append(Block("dl", pairs=list(GLOSSARY)))
    return s


REFERENCES: tuple[str, ...] = (
    "Bernasco, W. & Steenbeek, W. (2017). More places than crimes. Journal of Quantitative "
    "Criminology 33, 451-467.",
    "Heeks, M., Reed, S., Tafsiri, M. & Prince, S. (2018). The economic and social costs of "
    "crime, second edition. Home Office Research Report 99.",
    "HM Inspectorate of Constabulary (2014). Crime-recording: making the victim count.",
    "Knox, E. G. (1964). The detection of space-time interactions. Applied Statistics 13, 25-29.",
    "Krishnamoorthy, K. & Thomson, J. (2004). A more powerful test for comparing two Poisson "
    "means. Journal of Statistical Planning and Inference 119, 23-35.",
    "McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed. Chapman & Hall.",
    "National Police Chiefs' Council. MoRiLE: Management of Risk in Law Enforcement.",
    "NHS England and NHS Improvement (2019). Making Data Count.",
    "Office for National Statistics. Crime in England and Wales: user guide (police recorded "
    "crime and the Crime Survey for England and Wales).",
    "Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3). Temple University.",
    "Sherman, L., Neyroud, P. & Neyroud, E. (2016). The Cambridge Crime Harm Index. Policing "
    "10(3), 171-183.",
    "Wheeler, D. J. (1993). Understanding Variation. SPC Press.",
)


def references(b: Builder) -> Section:
    s = Section("references", "References", appendix=True)
    s.blocks.append(Block("ul", items=list(REFERENCES)))
    return s


def reproducibility(b: Builder) -> Section:
    a = b.a
    s = Section("reproducibility", "Reproducibility and licence", appendix=True)
    params = a.parameters()
    s.blocks.append(
        Block(
            "dl",
            pairs=[
                ("Software", params["software"]),
                ("Area", params["area"]),
                ("Period", params["period"]),
                ("Comparison period", params["previous_period"]),
                ("Significance level", f"{params['alpha']:g}"),
                ("Random seed", str(params["seed"])),
                ("Knox permutations", str(params["permutations"])),
                ("Themes file", Path(params["themes_file"]).name),
                ("Harm weights", str(params["harm_weights_version"])),
            ],
        )
    )
    s.blocks.append(
        Block(
            "p",
            "The manifest beside this report lists every input file with its SHA-256 checksum, "
            "the parameters and seeds, and the checksum of every table; the tables themselves "
            "are CSV files in the tables folder.",
        )
    )
    s.blocks.append(
        Block(
            "p",
            "Contains public sector information licensed under the Open Government Licence "
            "v3.0 (police.uk, Home Office, Metropolitan Police, ONS). Contains OS data © Crown "
            "copyright and database right. Contains National Statistics data © Crown copyright "
            "and database right.",
        )
    )
    return s


__all__ = ["GLOSSARY", "caveats", "glossary", "methods", "references", "reproducibility"]
