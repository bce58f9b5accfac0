"""Gateway -> subgraph trust, shared by both sides: signed calls, their errors and error responses.

Neither side owns it: the gateway signs (`trust.signing.CallSigner`), a subgraph verifies
(`trust.signing.SignedCallMiddleware`), so the subgraphs depend on this package, never on `gateway/`.
"""
