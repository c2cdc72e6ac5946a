"""Consultation: residents rank the priorities, and what they said (a plain library, no Django).

* :mod:`~.rankings` turns answers into the choices the ranking models read (full, partial and
  top-k rankings) and the descriptive checks (mean rank, Borda count).
* :mod:`~.plackett_luce` fits the Plackett-Luce model (Plackett 1975; Luce 1959) by Hunter's
  (2004) MM algorithm, with case weights and bootstrap confidence intervals.
* :mod:`~.weighting` rakes responses to the population (iterative proportional fitting, ipfn)
  and states the effective sample size and design effect (Kish 1965).
* :mod:`~.moderation` masks e-mail addresses, phone numbers, postcodes and names in free text.
* :mod:`~.duplicates` holds the duplicate and rate-limit rules.
* :mod:`~.text_themes` suggests themes in free text (scikit-learn NMF).
* :mod:`~.results` puts it together and exports the ranking the Strategic Assessment reads.
"""

from safercity.consult.plackett_luce import NotEstimable, PlackettLuce
from safercity.consult.rankings import Ranking, RankSummary
from safercity.consult.weighting import Raking

__all__ = ["NotEstimable", "PlackettLuce", "Raking", "RankSummary", "Ranking"]
