import base64

import pytest

from linli.env import ConfigError, env_bool, env_data_key, env_int, env_list, env_str


def test_missing_required_variable_names_itself(monkeypatch):
    monkeypatch.delenv("LINLI_X", raising=False)
    with pytest.raises(ConfigError, match="LINLI_X"):
        env_str("LINLI_X")
    assert env_str("LINLI_X", "d") == "d"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("off", False), ("0", False)])
def test_booleans(monkeypatch, raw, value):
    monkeypatch.setenv("LINLI_B", raw)
    assert env_bool("LINLI_B") is value


def test_bad_boolean_and_int_fail_loudly(monkeypatch):
    monkeypatch.setenv("LINLI_B", "maybe")
    with pytest.raises(ConfigError, match="LINLI_B"):
        env_bool("LINLI_B")
    monkeypatch.setenv("LINLI_I", "ten")
    with pytest.raises(ConfigError, match="LINLI_I"):
        env_int("LINLI_I", 1)


def test_lists_and_keys(monkeypatch):
    monkeypatch.setenv("LINLI_L", "a, b,,c")
    assert env_list("LINLI_L", []) == ["a", "b", "c"]
    monkeypatch.setenv("LINLI_K", base64.urlsafe_b64encode(b"k" * 32).decode())
    assert env_data_key("LINLI_K") == b"k" * 32
    monkeypatch.setenv("LINLI_K", base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(ConfigError, match="32 字节"):
        env_data_key("LINLI_K")
