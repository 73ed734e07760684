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

# How a case history or the audit log says where a step was taken, in words a worker uses: the sweep
# and the scheduled jobs run as commands, which to a reader is "the system did it by itself".
PHRASES = {
    "page": "网页办理",
    "api": "手机或对接系统",
    "admin": "管理后台",
    "import": "表格导入",
    "command": "系统自动",
    "task": "系统自动",
    "system": "系统自动",
}


def phrase(name: str) -> str:
    return PHRASES.get(name, "")


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
