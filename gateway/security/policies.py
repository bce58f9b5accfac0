"""``@policy`` names the gateway understands: roles, identity kind and jurisdiction.

A policy name is one of:

* a named policy from the configuration (`PolicySet.named`): the caller holds at least one of its
  roles, e.g. ``case_handling`` -> OFFICER, BODY_HEAD, LEGAL_REVIEWER;
* ``role:OFFICER`` or ``role:OFFICER|BODY_HEAD`` -- the caller holds one of the roles;
* ``service`` / ``human`` -- a service identity (client credentials) or a person;
* ``region:445102`` -- the caller's region code lies within region 445102 (GB/T 2260: a code
  ending in 0000 is a province, in 00 a city, else a county; longer town codes nest by prefix).

Anything else, and any policy for an anonymous caller, is denied (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.security.jwt_auth import Principal
from gateway.security.roles import DEFAULT_NAMED_POLICIES

__all__ = ["DEFAULT_NAMED_POLICIES", "PolicySet", "region_within"]



def _region_prefix(code: str) -> str:
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def region_within(inner: str | None, outer: str) -> bool:
    """True when region code `inner` is `outer` or lies inside it."""
    if not inner or not outer or not inner.isdigit() or not outer.isdigit():
        return False
    return inner.startswith(_region_prefix(outer))


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Decides ``@policy`` names for a principal (use `evaluate` as the `PolicyEvaluator`)."""

    named: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_NAMED_POLICIES))

    def evaluate(self, name: str, principal: Principal | None) -> bool:
        if principal is None:
            return False
        kind, _, argument = name.partition(":")
        if not argument:
            if name == "service":
                return principal.is_service
            if name == "human":
                return not principal.is_service
            roles = self.named.get(name)
            return roles is not None and bool(roles & principal.roles)
        if kind == "role":
            return bool(set(argument.split("|")) & principal.roles)
        if kind == "region":
            return region_within(principal.region_code, argument)
        return False
