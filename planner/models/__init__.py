"""The database tables, one module per area.

`core` holds what every area builds on (organisations, persons, strategies, measures, owners,
dependencies); each area keeps its tables in a module of its own (`auth`, `roadmap`,
`maturity`, `verstetigung`, `cache`, `session`, `token`, `land`, `mail`) with a migration of its own. Importing
this package registers every table, so metadata (create_all, Alembic) and relationships see
them all before the first query. The core names are re-exported: `models.Strategy`.
"""

from . import auth, cache, jobs, land, mail, maturity, review, roadmap, session, token, verstetigung  # noqa: F401  (every table)
from .core import (
    NAMING,
    PERSON_KINDS,
    Dependency,
    Measure,
    MeasureOwner,
    Model,
    Organisation,
    Person,
    Strategy,
    utcnow,
)
from .jobs import DocumentJob

__all__ = [
    "NAMING",
    "PERSON_KINDS",
    "Dependency",
    "DocumentJob",
    "Measure",
    "MeasureOwner",
    "Model",
    "Organisation",
    "Person",
    "Strategy",
    "utcnow",
]
