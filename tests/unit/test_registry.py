"""A third-party adapter, installed as a distribution with an entry point, is found."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.errors import ConfigError
from adapters.registry import GROUP, available, load_adapter_factory

PLUGIN = """
class AcmeAdapter:
    def __init__(self, name, section, secrets):
        self.name, self.section, self.secrets = name, section, secrets
    def ping(self):
        return "acme ok"

def build(name, section, secrets):
    return AcmeAdapter(name, section, secrets)
"""


@pytest.fixture
def third_party(tmp_path: Path) -> Iterator[Path]:
    """A tiny installed distribution: a package plus its dist-info with entry_points.txt."""
    (tmp_path / "acme_otc").mkdir()
    (tmp_path / "acme_otc" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (tmp_path / "acme_otc" / "broken.py").write_text("raise ImportError('no acme sdk')\n")
    info = tmp_path / "acme_otc-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-otc\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\nacme = acme_otc:build\nacme_broken = acme_otc.broken:build\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("acme_otc")]:
            del sys.modules[name]


def test_third_party_adapter_is_found(third_party: Path) -> None:
    assert "acme" in available()
    factory = load_adapter_factory("acme")
    adapter = factory("crm", {"url": "x"}, {"password": "p"})
    assert adapter.ping() == "acme ok"
    assert adapter.name == "crm"


def test_broken_plugin_names_itself(third_party: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"adapter 'acme_broken' \(acme_otc.broken:build\).*no acme sdk"
    ):
        load_adapter_factory("acme_broken")


def test_unknown_adapter_lists_installed(third_party: Path) -> None:
    with pytest.raises(ConfigError, match=r"no adapter 'dynamics'.*acme"):
        load_adapter_factory("dynamics")
