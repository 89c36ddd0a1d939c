"""Alembic environment and versions; `gongzhi migrate` runs them (see api/store/migrations.py)."""
