"""Pure legal core of the case subgraph: calendar, deadlines, surcharge and the state machines.

Modules: `working_calendar` (工作日), `calendar_data` (holiday files), `config` (deadlines.toml),
`deadlines`, `surcharge`, `machine.apply` (penalty cases, DOMAIN.md §5), `coercive` (§6.1),
`inspection` (§7), `rules` (guard catalogue), `errors` (error tree).
"""
