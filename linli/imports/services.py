"""Importing a register: who may, and the engine's check and commit (the writes go through the domains'
services, audited with the channel "import")."""

from linli.accounts.scope import can_import
from linli.core.access import require
from linli.imports import engine
from linli.imports.engine import Register, Report

NOT_IMPORTER = "只有社区和街道工作人员可以导入台账。"


def require_importer(actor) -> None:
    require(can_import(actor), NOT_IMPORTER)


def import_check(*, actor, register: Register, data: bytes, filename: str) -> Report:
    """The dry run: every row checked, nothing written."""
    require_importer(actor)
    return engine.check(actor, register, data, filename)


def import_commit(*, actor, register: Register, data: bytes, filename: str, token: str | None) -> Report:
    """All rows or none; `token` is the dry run's (None only for the operator command, which checks first)."""
    require_importer(actor)
    return engine.commit(actor, register, data, filename, token=token)
