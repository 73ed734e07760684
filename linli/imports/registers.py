"""The registers that can be imported. A new register is a module declaring a `Register`, listed here."""

from linli.core.errors import NotFound
from linli.imports import (
    compounds,
    dwellings,
    grid_workers,
    grids,
    partners,
    party_members,
    party_orgs,
    positions,
    property_services,
    residents,
    self_orgs,
)
from linli.imports.engine import Register

# In the order a district brings its registers in: each one names what the ones before it registered.
REGISTERS: dict[str, Register] = {register.name: register for register in (
    compounds.REGISTER, grids.REGISTER, dwellings.REGISTER, residents.REGISTER, party_orgs.REGISTER,
    party_members.REGISTER, grid_workers.REGISTER, self_orgs.REGISTER, property_services.REGISTER,
    partners.REGISTER, positions.REGISTER,
)}


def get(name: str) -> Register:
    try:
        return REGISTERS[name]
    except KeyError:
        raise NotFound() from None
