"""The Django-free core of the data-feed comparison: reading per format (`reading`), ID repair
(`idrepair`), exact and probabilistic linkage (`matching`; `linking` for the command-line tool),
rules (`rules`, `templates_rules`), the declared sources (`sources`), the DuckDB steps (`pipeline`)
and the one entry point that runs them in order (`compare.compare`).  Frames in, rows out: nothing
here imports Django or another app (import-linter contract in pyproject.toml)."""
