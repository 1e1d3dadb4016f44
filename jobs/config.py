"""`otc.toml` -> frozen settings, checked once; secrets only from environment variables.

Where the file is: `--config`, else `$OTC_CONFIG`, else `./otc.toml`. A secret is always
named by a `*_env` key (`password_env = "OTC_SAP_PASSWORD"`); a secret written inline is a
`ConfigError`, so a config file can be committed and shared without leaking anything.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from adapters.errors import ConfigError

DEFAULT_PATH = Path("otc.toml")
ENV_VAR = "OTC_CONFIG"
#: Keys that hold a secret when written inline; they must be given as `<key>_env` instead.
SECRET_KEYS = frozenset(
    {"password", "passwd", "secret", "client_secret", "token", "api_key", "private_key"}
)
MASK = "***"


def _is_secret_key(key: str) -> bool:
    return key.lower() in SECRET_KEYS or key.lower().endswith(("_password", "_secret", "_token"))


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    """A secret the config names by its environment variable; the value is read on use."""

    key: str
    env_var: str

    def is_set(self, env: Mapping[str, str] | None = None) -> bool:
        return self.env_var in (os.environ if env is None else env)

    def value(self, owner: str, env: Mapping[str, str] | None = None) -> str:
        environ = os.environ if env is None else env
        if self.env_var not in environ:
            raise ConfigError(f"{owner} needs its {self.key}: export {self.env_var}=...")
        return environ[self.env_var]


def _split_secrets(
    where: str, section: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, SecretRef]]:
    options: dict[str, Any] = {}
    secrets: dict[str, SecretRef] = {}
    for key, value in section.items():
        if _is_secret_key(key):
            raise ConfigError(
                f"{where} has a {key} written inline; put it in an environment variable "
                f'and name it: {key}_env = "OTC_..."'
            )
        if key.endswith("_env"):
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} {key} must name an environment variable")
            secrets[key.removesuffix("_env")] = SecretRef(
                key=key.removesuffix("_env"), env_var=value
            )
        else:
            options[key] = value
    return options, secrets


@dataclass(frozen=True, kw_only=True)
class SystemSettings:
    """One `[systems.NAME]` section; the adapter validates its own options."""

    name: str
    adapter: str
    transport: str | None
    options: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, SecretRef] = field(default_factory=dict)

    def secret(self, key: str, env: Mapping[str, str] | None = None) -> str:
        if key not in self.secrets:
            raise ConfigError(f'[systems.{self.name}] needs {key}_env = "OTC_..."')
        return self.secrets[key].value(f"[systems.{self.name}]", env)

    def resolved_secrets(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        return {key: self.secret(key, env) for key in self.secrets}


@dataclass(frozen=True, kw_only=True)
class JournalSettings:
    """The idempotency journal: SQLite by default, PostgreSQL where runners share work."""

    backend: str = "sqlite"
    path: str = ".otc/journal.db"
    dsn: str | None = None
    table: str = "otc_journal"  # PostgreSQL: several journals can share one database
    lease_s: float = 60.0  # a claim's lease, renewed every lease_s / 3 while a run works
    grace_margin_s: float = 30.0  # added to the system's timeout_s before a sent key is looked up
    secrets: Mapping[str, SecretRef] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Settings:
    source: Path | None
    systems: Mapping[str, SystemSettings]
    journal: JournalSettings = field(default_factory=JournalSettings)

    def system(self, name: str) -> SystemSettings:
        if name not in self.systems:
            known = ", ".join(sorted(self.systems)) or "none"
            raise ConfigError(
                f"no [systems.{name}] in {self.source or 'the config'}; configured: {known}"
            )
        return self.systems[name]

    def secret_values(self, env: Mapping[str, str] | None = None) -> list[str]:
        """Every secret value that is set, so logs can mask it wherever it appears."""
        environ = os.environ if env is None else env
        refs = [r for s in self.systems.values() for r in s.secrets.values()]
        refs += list(self.journal.secrets.values())
        return [v for r in refs if (v := environ.get(r.env_var))]


def locate(path: Path | str | None, env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    if path is not None:
        found = Path(path)
    elif environ.get(ENV_VAR):
        found = Path(environ[ENV_VAR])
    else:
        found = DEFAULT_PATH
    if not found.is_file():
        raise ConfigError(
            f"config file {found} not found; pass --config, set {ENV_VAR}, or write one with "
            "`otc mock-erp serve --write-config otc.toml`"
        )
    return found


def parse(text: str, source: Path | None = None) -> Settings:
    where = source or "<config>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    unknown = data.keys() - {"systems", "journal", "logging", "matching"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown sections {sorted(unknown)}; known: journal, logging, matching, "
            "systems"
        )
    systems: dict[str, SystemSettings] = {}
    for name, section in (data.get("systems") or {}).items():
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: [systems.{name}] must be a table")
        here = f"{where}: [systems.{name}]"
        options, secrets = _split_secrets(here, section)
        adapter = options.pop("adapter", None)
        if not isinstance(adapter, str) or not adapter:
            raise ConfigError(f'{here} needs adapter = "sap" (or another installed adapter)')
        transport = options.pop("transport", None)
        systems[name] = SystemSettings(
            name=name,
            adapter=adapter,
            transport=transport,
            options=MappingProxyType(options),
            secrets=MappingProxyType(secrets),
        )
    journal_section = data.get("journal") or {}
    options, secrets = _split_secrets(f"{where}: [journal]", journal_section)
    known = {"backend", "path", "dsn", "table", "lease_s", "grace_margin_s"}
    unknown = options.keys() - known
    if unknown:
        raise ConfigError(
            f"{where}: [journal] unknown {sorted(unknown)}; known: {', '.join(sorted(known))}"
        )
    for name, low in (("lease_s", 1.0), ("grace_margin_s", 0.0)):
        value = options.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < low
        ):
            raise ConfigError(f"{where}: [journal] {name} must be a number of seconds >= {low:g}")
    if "path" in options and not isinstance(options["path"], str):
        raise ConfigError(f"{where}: [journal] path must be a string")
    if source is not None:  # relative to the config file, never to the working directory
        path = Path(options.get("path", JournalSettings.path)).expanduser()
        options["path"] = str((source.parent / path).absolute())
    if urlsplit(str(options.get("dsn", ""))).password:
        raise ConfigError(f"{where}: [journal] dsn carries a password; use password_env instead")
    journal = JournalSettings(secrets=MappingProxyType(secrets), **options)
    if journal.backend not in {"sqlite", "postgres"}:
        raise ConfigError(f"{where}: [journal] backend must be sqlite or postgres")
    return Settings(source=source, systems=MappingProxyType(systems), journal=journal)


def load(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    found = locate(path, env)
    return parse(found.read_text(encoding="utf-8"), found)


def masked(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The resolved config as data, each secret shown as set or missing, never its value."""

    def secret_view(refs: Mapping[str, SecretRef]) -> dict[str, str]:
        return {
            f"{key}_env": f"{ref.env_var} ({MASK if ref.is_set(env) else 'NOT SET'})"
            for key, ref in refs.items()
        }

    return {
        "source": str(settings.source) if settings.source else None,
        "systems": {
            name: {
                "adapter": s.adapter,
                **({"transport": s.transport} if s.transport else {}),
                **dict(s.options),
                **secret_view(s.secrets),
            }
            for name, s in settings.systems.items()
        },
        "journal": {
            "backend": settings.journal.backend,
            "path": settings.journal.path,
            "lease_s": settings.journal.lease_s,
            "grace_margin_s": settings.journal.grace_margin_s,
            **({"dsn": settings.journal.dsn} if settings.journal.dsn else {}),
            **secret_view(settings.journal.secrets),
        },
    }
