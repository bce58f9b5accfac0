"""Outbound data (provincial data centre, 双公示 credit publicity) through a transactional outbox.

A case change and the messages it owes the outside world are written in one transaction
(`messages.messages_for_change`, called by the case service); the relay (`relay.OutboxRelay`) delivers
them later, in order per destination, with retries, and each message's key as the receivers'
idempotency key — so a crash between sending and marking sent only causes a duplicate the receiver
recognises, never a lost or doubled record.
"""
