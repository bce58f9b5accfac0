"""Subscriptions through the gateway: clients over WebSocket (``graphql-transport-ws``) and Server-Sent
Events; subgraphs over WebSocket; each event's fields from other subgraphs resolved through the usual plan."""
