"""The registers that can be imported. A new register is a module declaring a `Register`, listed here."""

from linli.core.errors import NotFound
from linli.imports import residents
from linli.imports.engine import Register

REGISTERS: dict[str, Register] = {register.name: register for register in (residents.REGISTER,)}


def get(name: str) -> Register:
    try:
        return REGISTERS[name]
    except KeyError:
        raise NotFound() from None
