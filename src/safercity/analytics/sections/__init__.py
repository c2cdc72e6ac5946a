"""Sections of the Strategic Assessment built on their own: each module takes what the
assessment has (the workspace, area, period, themes) and returns its data, figures and tables,
and turns them into report blocks (:mod:`safercity.analytics.report`)."""
