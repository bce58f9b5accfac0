"""Simulated unified identity provider (统一身份认证): OAuth2 token endpoint, ES256 JWTs and JWKS."""
