"""From a `[systems.NAME]` section to a ready adapter, through the registry."""

from __future__ import annotations

from typing import Any

from adapters.registry import load_adapter_factory
from jobs import logs
from jobs.config import Settings


def build_adapter(settings: Settings, name: str) -> Any:
    """The adapter for `name`; its secrets are registered with the log redaction first."""
    system = settings.system(name)
    secrets = system.resolved_secrets()
    logs.register_secrets(secrets.values())
    factory = load_adapter_factory(system.adapter)
    section = dict(system.options)
    if system.transport:
        section["transport"] = system.transport
    return factory(name, section, secrets)
