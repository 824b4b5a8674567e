"""Imports every model module, so metadata (create_all, Alembic) and relationships see all tables.

Each area keeps its models in its own module (planner/<area>_models.py) and adds one import here.
"""

from . import (
    auth_models,  # noqa: F401
    cache_models,  # noqa: F401
    land_models,  # noqa: F401
    maturity_models,  # noqa: F401
    models,  # noqa: F401
    roadmap_models,  # noqa: F401
    session_models,  # noqa: F401
    token_models,  # noqa: F401
    verstetigung_models,  # noqa: F401
)
