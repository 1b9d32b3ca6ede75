"""Reading a logdir: discovery (runs), scan (bulk framing, CRC and scalar decoding), events
(per-record protobuf path), store (per-run columns), loader (incremental passes) and provider
(the dataclass API the routes and pages use; start there)."""
