"""What the simulated receiving systems share: signed batches in, per-record outcomes out, deduplicated on SQLite.

The hub's outbox relay delivers data to systems outside the city (the provincial data centre, the 双公示
credit platform). Each receiver here checks the request signature, parses the batch envelope, stops any
record carrying a resident ID number, deduplicates by record id and hands the rest to the system's own
`RecordHandler`; see `receiver.py` for the pipeline and `errors.py` for the error tree.
"""
