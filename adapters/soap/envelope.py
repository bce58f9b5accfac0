"""SOAP 1.1 envelopes on lxml: a request with its WS-Security UsernameToken, and reading the answer.

Faults map onto the adapters' error tree:

    soap:Client (authentication, limits, malformed request)   -> SourceRejected
    soap:Server, soap:VersionMismatch, no envelope, bad XML   -> SourceUnavailable

The fault string is the department's; it is kept in the error message after scrubbing nothing,
because the registry's faults never echo request values (checked by the adapter tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from adapters.errors import SourceError, SourceRejected, SourceUnavailable

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str

    def __repr__(self) -> str:  # never print the password
        return f"UsernameToken(username={self.username!r})"


def _parser() -> etree.XMLParser:
    # the answer is untrusted input: no entities, no DTDs, no network
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def request_envelope(payload: etree._Element, token: UsernameToken) -> bytes:
    """A SOAP 1.1 envelope carrying `payload` in its body and the UsernameToken in its header."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "wsse": WSSE})
    header = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    security = etree.SubElement(header, f"{{{WSSE}}}Security")
    security.set(f"{{{SOAP_ENV}}}mustUnderstand", "1")
    username_token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(username_token, f"{{{WSSE}}}Username").text = token.username
    password = etree.SubElement(username_token, f"{{{WSSE}}}Password")
    password.set("Type", PASSWORD_TEXT)
    password.text = token.password
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    body.append(payload)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def response_payload(source: str, status: int, content: bytes) -> etree._Element:
    """The single element in the answer's soap:Body; a fault or anything unreadable raises."""
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SourceUnavailable(source, f"HTTP {status}: answer is not XML") from exc
    body = root.find(f"{{{SOAP_ENV}}}Body") if root.tag == f"{{{SOAP_ENV}}}Envelope" else None
    if body is None:
        raise SourceUnavailable(source, f"HTTP {status}: answer is not a SOAP 1.1 envelope")
    children = [child for child in body if isinstance(child.tag, str)]
    if len(children) != 1:
        raise SourceUnavailable(source, f"HTTP {status}: soap:Body holds {len(children)} elements")
    element = children[0]
    if element.tag == f"{{{SOAP_ENV}}}Fault":
        raise fault_error(source, element)
    if status >= 400:
        raise SourceUnavailable(source, f"HTTP {status} without a SOAP fault")
    return element


def fault_error(source: str, fault: etree._Element) -> SourceError:
    code = (fault.findtext("faultcode") or "").strip()
    text = (fault.findtext("faultstring") or "").strip()
    local = code.rpartition(":")[2] or "Server"
    message = f"SOAP fault {local}: {text}"
    if local == "Client":
        return SourceRejected(source, message)
    return SourceUnavailable(source, message)
