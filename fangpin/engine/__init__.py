"""The transition engine: every procedure (clue, identification, elimination, episode,
measure, and the ledgers to come) is a `Machine` declared as data and moved by the one
`transition` service, which writes the one event row (timeline, clock input, outbox).
See docs/architecture.md (the transition engine). Sits above registry and policy, below monitoring: it imports core,
accounts, areas, registry and policy, never an app that declares machines."""
