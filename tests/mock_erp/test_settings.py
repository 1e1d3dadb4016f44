"""``/_mock/settings``: one documented call switches between real-system variants."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_erp.app import build_app
from mock_erp.settings import MockSettings


@pytest.fixture
def client() -> Any:
    with TestClient(build_app(customers=5, open_items=10)) as c:
        yield c


def test_get_lists_every_persona(client: Any) -> None:
    body = client.get("/_mock/settings").json()
    assert set(body) == {"sap", "oracle", "s4"}
    assert body == MockSettings().public()


def test_unknown_persona_and_setting_are_refused_naming_them(client: Any) -> None:
    answer = client.put("/_mock/settings", json={"db2": {}})
    assert answer.status_code == 400 and answer.json()["field"] == "db2"
    answer = client.put("/_mock/settings", json={"sap": {"no_such_switch": True}})
    assert answer.status_code == 400 and answer.json()["field"] == "sap.no_such_switch"
    answer = client.put("/_mock/settings", json=["sap"])
    assert answer.status_code == 400


def test_a_wrong_type_changes_nothing() -> None:
    @dataclasses.dataclass
    class Demo:
        flag: bool = False
        mode: str = "random"

    settings = MockSettings()
    from mock_erp.faults import FaultRuleError
    from mock_erp.settings import update_section

    target = Demo()
    with pytest.raises(FaultRuleError) as caught:
        update_section(target, "sap", {"mode": "key", "flag": "yes"})
    assert caught.value.field == "sap.flag"
    assert target == Demo()  # "mode" was valid but nothing is assigned
    assert update_section(target, "sap", {"flag": True}) == {"flag": True, "mode": "random"}
    assert settings.public() == MockSettings().public()


def test_personas_share_the_apps_settings_and_reset_restores_defaults(client: Any) -> None:
    state = client.app.state.mock
    assert state.sap.settings is state.settings.sap
    assert state.oracle.settings is state.settings.oracle
    client.post("/_mock/reset", json={"seed_data": False})
    assert client.get("/_mock/settings").json() == MockSettings().public()
    assert state.sap.settings is state.settings.sap  # same object after reset
