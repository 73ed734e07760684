"""Which door a write came through (page, api, admin, import, command), for the audit log."""

from contextlib import contextmanager
from contextvars import ContextVar

CHANNELS = {
    "page": "页面",
    "api": "接口",
    "admin": "后台",
    "import": "导入",
    "command": "命令",
    "task": "后台任务",
    "system": "系统",
}

_channel: ContextVar[str] = ContextVar("linli_channel", default="system")


def get_channel() -> str:
    return _channel.get()


def set_channel(name: str):
    if name not in CHANNELS:
        raise ValueError(f"unknown channel {name!r}")
    return _channel.set(name)


@contextmanager
def using_channel(name: str):
    token = set_channel(name)
    try:
        yield
    finally:
        _channel.reset(token)
