"""The supervision platform's screens (行政执法监督网络平台): a server-rendered web console.

A client of the one graph like any front-end team: every page's data comes through the gateway over
HTTP with the signed-in user's token and a purpose code (`web.graph`); it never opens the store or
calls a subgraph. Sign-in is the identity provider's authorization code flow with PKCE (`web.auth`).
"""
