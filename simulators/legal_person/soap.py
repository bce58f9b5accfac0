"""SOAP 1.1 on lxml: read a request envelope (with its WS-Security UsernameToken), write responses and faults.

Error tree (one exception, stable codes carried in `faultcode`):

    SoapFault
      faultcode "soap:Client"          the caller's fault: malformed request, authentication, limits
      faultcode "soap:Server"          the registry's fault: injected failures
      faultcode "soap:VersionMismatch" a SOAP 1.2 envelope

Every fault is answered with HTTP 500, as SOAP 1.1 over HTTP requires.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
#: The registry's own target namespace (WSDL and XSD).
TNS = "http://scjg.chaozhou.example/ws/entreg"

#: Requests larger than this are refused as malformed (the registry's gateway limit).
MAX_REQUEST_BYTES = 1_000_000

CONTENT_TYPE = "text/xml; charset=utf-8"


class SoapFault(Exception):
    """A SOAP 1.1 fault to send back; `code` is the local part of the faultcode (Client, Server, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def client_fault(message: str) -> SoapFault:
    return SoapFault("Client", message)


@dataclass(frozen=True)
class Credentials:
    username: str | None
    password: str | None
    password_type: str | None


@dataclass(frozen=True)
class SoapRequest:
    """A parsed envelope: the body's single operation element and the caller's UsernameToken, if any."""

    operation: str
    payload: etree._Element
    credentials: Credentials | None


def _parser() -> etree.XMLParser:
    # No entities, no DTD fetching, no network: the request is untrusted input.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True)


def _text(parent: etree._Element, path: str) -> str | None:
    found = parent.find(path)
    if found is None:
        return None
    return found.text or ""


def parse_request(body: bytes) -> SoapRequest:
    """Parse a SOAP 1.1 envelope; raise `SoapFault` (Client or VersionMismatch) if it is not one."""
    if len(body) > MAX_REQUEST_BYTES:
        raise client_fault("malformed request: envelope larger than 1 MB")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise client_fault(f"malformed request: not well-formed XML ({exc.msg})") from exc
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault("VersionMismatch", "SOAP 1.2 envelopes are not supported; use SOAP 1.1")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise client_fault("malformed request: root element is not a SOAP 1.1 Envelope")
    body_el = root.find(f"{{{SOAP_ENV}}}Body")
    if body_el is None:
        raise client_fault("malformed request: no soap:Body")
    children = [c for c in body_el if isinstance(c.tag, str)]
    if len(children) != 1:
        raise client_fault("malformed request: soap:Body must hold exactly one operation element")
    payload = children[0]
    qname = etree.QName(payload)
    if qname.namespace != TNS:
        raise client_fault(f"malformed request: operation element not in namespace {TNS}")
    return SoapRequest(operation=qname.localname, payload=payload, credentials=_credentials(root))


def _credentials(root: etree._Element) -> Credentials | None:
    token = root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return None
    password_el = token.find(f"{{{WSSE}}}Password")
    return Credentials(
        username=_text(token, f"{{{WSSE}}}Username"),
        password=None if password_el is None else (password_el.text or ""),
        password_type=None if password_el is None else password_el.get("Type"),
    )


def _envelope() -> tuple[etree._Element, etree._Element]:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "er": TNS})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    return env, body


def response_envelope(payload: etree._Element) -> bytes:
    env, body = _envelope()
    body.append(payload)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault_envelope(fault: SoapFault) -> bytes:
    env, body = _envelope()
    el = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    # faultcode and faultstring are unqualified, per SOAP 1.1 section 4.4.
    etree.SubElement(el, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(el, "faultstring").text = fault.message
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def tns(local: str) -> str:
    """Clark notation for an element of the registry's namespace."""
    return f"{{{TNS}}}{local}"
