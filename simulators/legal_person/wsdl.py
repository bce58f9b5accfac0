"""The service description: the packaged WSDL with its soap:address pointed at the serving host."""

from __future__ import annotations

import copy
from importlib import resources

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
SERVICE_PATH = "/ws/EntRegService"


def load_wsdl() -> etree._ElementTree:
    data = resources.files("simulators.legal_person").joinpath("EntRegService.wsdl").read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.ElementTree(etree.fromstring(data, parser=parser))


def render_wsdl(template: etree._ElementTree, base_url: str) -> bytes:
    """The WSDL with `soap:address/@location` set to `base_url` + the service path."""
    tree = copy.deepcopy(template)
    for address in tree.iter(f"{{{WSDL_SOAP_NS}}}address"):
        address.set("location", base_url.rstrip("/") + SERVICE_PATH)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def operation_names(tree: etree._ElementTree) -> list[str]:
    """Operation names of the portType (what a client generator would offer)."""
    return [str(op.get("name")) for op in tree.iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")]
