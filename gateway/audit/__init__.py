"""The cross-department access log: SM3-chained records, SM2 anchors, retention, auditor endpoint.

* `record`     -- what one record holds (names, never values)
* `store`      -- the store protocol and the JSON-lines file store (dev)
* `sql_store`  -- the store in the hub's database (SQLAlchemy async)
* `log`        -- append, anchor, prune (retention with a signed pruning point), verify
* `verify`     -- chain and anchor verification naming the first bad record
* `extension`  -- the gateway extension that writes records, and the AUDITOR-only endpoint
"""
