"""Simulated unified identity provider (统一身份认证): OAuth2 token and authorization endpoints,
ES256 JWTs and their JWKS."""
