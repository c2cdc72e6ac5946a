"""The analysis pages keep no Django records: they read the workspace's DuckDB store."""
