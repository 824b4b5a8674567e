"""The JSON API under /api/v1: blueprint and OpenAPI document in views.py, schemas in schemas.py."""
