"""Imports every model module, so metadata (create_all, Alembic) and relationships see all tables.

Each area keeps its models in its own module (planner/<area>_models.py) and adds one import here.
"""

from . import models  # noqa: F401
from . import maturity_models  # noqa: F401
from . import roadmap_models  # noqa: F401
from . import auth_models  # noqa: F401
from . import verstetigung_models  # noqa: F401
