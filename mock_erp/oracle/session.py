"""Shared by the Oracle persona's SQL engine and PL/SQL interpreter: errors and sessions.

An ORDS request is its own database session (committed on success, rolled back on
error); an oracledb-compatible connection keeps one session until it closes. Either way
the apps context (FND_GLOBAL.APPS_INITIALIZE), the multi-org policy context
(MO_GLOBAL.SET_POLICY_CONTEXT) and the FND message stack live here (docs/specs/oracle.md §4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OraError(Exception):
    """An Oracle error as the client sees it: `ORA-00942: table or view does not exist`."""

    code: int
    message: str
    offset: int = 0  # position in the statement text where the parser stopped, if known

    @property
    def full_code(self) -> str:
        return f"ORA-{self.code:05d}"

    def __str__(self) -> str:
        return f"{self.full_code}: {self.message}"


@dataclass
class OracleSession:
    """One database session's state; dropped with the session."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    user_id: int | None = None
    resp_id: int | None = None
    resp_appl_id: int | None = None
    access_mode: str | None = None  # MO_GLOBAL: 'S' single org, 'M' multiple, None = not set
    org_id: int | None = None  # the single org of a policy context
    org_ids: set[int] = field(default_factory=set)  # orgs visible in 'M' mode
    messages: list[str] = field(default_factory=list)  # FND_MSG_PUB stack (encoded)
    package_state: dict[str, Any] = field(default_factory=dict)

    @property
    def apps_initialized(self) -> bool:
        return self.user_id is not None and self.resp_id is not None

    def visible_orgs(self) -> set[int] | None:
        """Orgs the MO-secured views show; None = no policy context (they show nothing)."""
        if self.access_mode == "S" and self.org_id is not None:
            return {self.org_id}
        if self.access_mode == "M":
            return set(self.org_ids)
        return None
