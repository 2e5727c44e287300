"""REST API v1 of spec §4: metric rows (JSON and CSV), catalog, records, read-only org objects."""
