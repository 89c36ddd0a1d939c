"""What this database is: one row, written by `gongzhi demo` when it seeds an empty database.

The demo's accounts have a public password (api/cli/demo/), so the demo must never seed a real
database; its marker is how it recognises its own on a second run and refuses everything else
(api/cli/demo_guard.py, issue #12). A deployment's database has no row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class Installation(Base):
    __tablename__ = "installation"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demo: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
