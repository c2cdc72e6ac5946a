"""The Strategic Assessment: every analysis for one area and period, held as tables.

The package splits the assessment by idea:

* :mod:`.core` - :class:`Assessment` (reading the workspace, coverage, overview, orchestration)
  and :class:`Change`;
* :mod:`.periods` - like-with-like comparison periods, dispersion, the long-run series;
* :mod:`.theme_profile` - one theme's trend, places, times, people, repeats and harm;
* :mod:`.wards` - ward profiles; :mod:`.comparators` - force area and most-similar group;
* :mod:`.partners` - partner data and the data gaps table;
* :mod:`.review` - last year's priorities from the strategy's monitoring;
* :mod:`.consultation` - consultation results; :mod:`.context` - the analyst's narrative;
* :mod:`.knox` - near repeats; :mod:`.findings` - key findings and the executive summary.
"""

from safercity.analytics.assessment.consultation import (
    THEME_ALIASES,
    Consultation,
    load_consultation,
    match_theme,
)
from safercity.analytics.assessment.core import (
    Assessment,
    Change,
    frame_columns,
    load_workday_population,
    theme_by_name,
)
from safercity.analytics.assessment.knox import KnoxResult
from safercity.analytics.assessment.theme_profile import ThemeResult

__all__ = [
    "THEME_ALIASES",
    "Assessment",
    "Change",
    "Consultation",
    "KnoxResult",
    "ThemeResult",
    "frame_columns",
    "load_consultation",
    "load_workday_population",
    "match_theme",
    "theme_by_name",
]
