"""What the pickers and the data page list: entities with scores, responsible units, the
criteria of one entity, the last write. Plain lookups, each one SQL file in metrics/sql/."""
from __future__ import annotations

import pandas as pd

from domain.frameworks import criterion_name_for
from metrics.sql_files import sql


def entities(con) -> pd.DataFrame:
    return con.execute(sql("catalog_entities.sql")).df()


def units(con, entity_code: str | None = None) -> pd.DataFrame:
    """The units named in the entity's plans (with the members of the groups they name), or,
    when it has none, the units of its level; None: every unit."""
    return con.execute(sql("catalog_units.sql"), {"entity_code": entity_code}).df()


def criteria(con, entity_code: str, index_code: str, year: int) -> pd.DataFrame:
    """The criteria the entity has a score for, named as the entity reads them («xã» for a
    commune: domain.frameworks.criterion_name_for)."""
    df = con.execute(sql("catalog_criteria.sql"),
                     {"entity_code": entity_code, "index_code": index_code, "year": year}).df()
    level = entity(con, entity_code)
    df["criterion_name"] = [criterion_name_for(n, level.level.iloc[0] if len(level) else None) for n in df.criterion_name]
    return df


def last_write(con) -> pd.DataFrame:
    return con.execute(sql("catalog_last_write.sql")).df()


def entity(con, entity_code: str) -> pd.DataFrame:
    """The entity's code, name and level (no row for a code not in the registry)."""
    return con.execute(sql("catalog_entity.sql"), {"entity_code": entity_code}).df()


def plans(con, entity_code: str) -> pd.DataFrame:
    return con.execute(sql("catalog_plans.sql"), {"entity_code": entity_code}).df()


def scored(con, entity_code: str, index_code: str | None = None) -> pd.DataFrame:
    """(index_code, year) pairs the entity has scores for; of one index with ``index_code``."""
    return con.execute(sql("catalog_scored.sql"), {"entity_code": entity_code, "index_code": index_code}).df()


def plan_tasks(con, index_code: str) -> pd.DataFrame:
    return con.execute(sql("catalog_plan_tasks.sql"), {"index_code": index_code}).df()


def dissolved(con, entity_code: str, today) -> str | None:
    """Why the entity cannot issue a document on ``today`` (it ended, domain.entities.ended_text),
    naming its successors; None while it exists (metrics/sql/catalog_dissolved.sql)."""
    from domain.entities import ended_text

    rows = con.execute(sql("catalog_dissolved.sql"), {"entity_code": entity_code}).fetchall()
    if not rows:
        return None
    name, level, valid_to, successors = rows[0]
    return ended_text(name, level, valid_to, list(successors or []), today)
