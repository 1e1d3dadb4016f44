"""Which company codes a pull or sync covers: the command line's, else the config's."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.errors import ConfigError


def chosen_companies(
    system: str, given: Sequence[str], configured: Sequence[str], example: str = "1000"
) -> list[str]:
    """`given` (--company), else `configured` (`companies = [...]`); neither is a clear error."""
    chosen = list(given) or list(configured)
    if not chosen:
        raise ConfigError(
            f"[systems.{system}] name the company codes: --company {example} or "
            f'companies = ["{example}"] in the config'
        )
    return chosen
