"""SaferCity analytics: a plain library (never imports Django).

Ingestion, the DuckDB store, geography, statistics, the Strategic Assessment and its report.
"""
