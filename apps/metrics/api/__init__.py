"""REST API v1 (docs/api.md): metric rows (JSON and CSV), catalog, records, health; the API's
schema class and error pages. Organisation objects are in apps.organization.api, sources and
sync runs in apps.ingestion.api; config/api_router.py routes every viewset."""
