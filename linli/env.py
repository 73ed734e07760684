"""Typed readers for settings from the environment.

Each reader fails loudly with the variable's name, so a misconfigured server refuses to start
instead of running with a silent default.
"""

import base64
import json
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    pass


_MISSING = object()


def env_str(name: str, default=_MISSING) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ConfigError(f"环境变量 {name} 未设置 (environment variable {name} is required)")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"环境变量 {name}={value!r} 不是布尔值 (expected 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"环境变量 {name}={value!r} 不是整数") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_data_key(name: str, default=_MISSING) -> bytes:
    """A 32-byte key, given as url-safe base64 (as `linli genkey` prints)."""
    raw = env_str(name, default)
    if isinstance(raw, bytes):
        return raw
    try:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"环境变量 {name} 不是有效的 base64 密钥") from exc
    if len(key) != 32:
        raise ConfigError(f"环境变量 {name} 必须是 32 字节的密钥（url-safe base64），当前 {len(key)} 字节")
    return key


def dev_secrets(data_dir: Path) -> dict:
    """Secrets for a developer's or demo machine, made once and kept in the data folder.

    Only used when DEBUG or LINLI_DEMO is on; production must set SECRET_KEY and LINLI_DATA_KEY itself.
    """
    path = data_dir / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LINLI_DATA_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate such as `60/m` (per second s, minute m, hour h, day d; `30/10s` for a window of 10 s),
    as (requests, seconds)."""
    value = os.environ.get(name) or default
    try:
        count, _, per = value.strip().partition("/")
        unit = per[-1:].lower()
        span = int(per[:-1] or 1) * _PERIODS[unit]
        requests = int(count)
        if requests < 1 or span < 1:
            raise ValueError(value)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"环境变量 {name}={value!r} 不是有效的频率（例如 60/m、1000/h、30/10s）") from exc
    return requests, span
