"""Alembic environment and versions; `gongzhi migrate` runs them (see api/migrate.py)."""
