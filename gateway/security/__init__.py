"""Security building blocks of the gateway, each usable on its own.

* `jwt_auth`    -- verify JWTs against the identity provider's JWKS -> `Principal`
* `limits`      -- operation limits (tokens, depth, aliases, fields, directives, cost, body size)
* `hygiene`     -- CSRF prevention, batching, GET mutations, introspection, client-safe errors
* `directives`  -- @authenticated / @requiresScopes / @policy -> denied response paths
* `signing`     -- HMAC-SM3 signed gateway -> subgraph calls and the subgraph middleware
* `errors`      -- the layer's error tree with stable codes; `responses` renders them over HTTP

Only graphql-core ASTs and schemas, Starlette, httpx, PyJWT and `domain.sm` are used.
"""
