"""Adapters are found through the entry-point group `otc_adapters.adapters`.

Our own SAP and Oracle adapters register the same way a third party's would, so a
Dynamics or NetSuite adapter is a `pip install` away, never a fork.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from adapters.errors import ConfigError
from adapters.protocol import AdapterFactory

GROUP = "otc_adapters.adapters"


def available() -> dict[str, EntryPoint]:
    """Installed adapters by name (not imported yet)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_adapter_factory(name: str) -> AdapterFactory:
    """The factory registered under `name`; a broken plugin names itself."""
    found = available()
    if name not in found:
        installed = ", ".join(sorted(found)) or "none"
        raise ConfigError(
            f"no adapter {name!r} is installed (entry-point group {GROUP}); installed: {installed}"
        )
    try:
        factory = found[name].load()
    except Exception as exc:
        raise ConfigError(
            f"adapter {name!r} ({found[name].value}) failed to import: {exc}"
        ) from exc
    if not callable(factory):
        raise ConfigError(f"adapter {name!r} ({found[name].value}) is not callable")
    return factory  # type: ignore[no-any-return]
