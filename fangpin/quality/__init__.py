"""Data-quality checks DQ-01 … DQ-20 (DOMAIN §4.14): the report's queries and, narrowed to one
household, the blocking guard of the county approval steps. Above assistance and monitoring,
whose rows they read; the report page is in fangpin.reports, the guard's plugin point in
fangpin.monitoring.services.quality_guard (decision 0023)."""
