"""Case work on people (deliver): the rules, as a plain library that never imports Django.

A *cohort* (MARAC, IOM, the gangs panel, rapid returners, ABC, triage, DIP, or any cohort a
partnership defines) is configuration, not code: a YAML file read and checked by
:mod:`safercity.cases.config`. The rules that decide what happens to a *case* (a person in a
cohort) live here, each in a module of its own and each testable without a database:

* :mod:`~safercity.cases.eligibility` -- does a referral meet the cohort's criteria;
* :mod:`~safercity.cases.lifecycle` -- statuses and the transitions allowed between them;
* :mod:`~safercity.cases.schedule` -- review cadence and panel meeting dates;
* :mod:`~safercity.cases.agenda` -- which cases a panel meeting discusses;
* :mod:`~safercity.cases.retention` -- when a closed case is erased or anonymised;
* :mod:`~safercity.cases.names` and :mod:`~safercity.cases.duplicates` -- likely duplicate
  people (transliteration, nicknames, date of birth, postcode);
* :mod:`~safercity.cases.sharing` -- information-sharing agreements;
* :mod:`~safercity.cases.figures` -- the cohort's figures (size, referrals, time to panel);
* :mod:`~safercity.cases.measures` -- those figures by period, as strategy measures.

The Django app :mod:`safercity.web.cases` stores cases and calls these rules.
"""
