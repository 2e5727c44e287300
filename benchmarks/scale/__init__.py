"""The scale benchmark's organisation (docs/performance.md#a-three-year-organisation), used by
`benchmarks/scale_org.py`.

- `plan`: who and what the organisation holds at a given fraction (teams, people and their
  identities, repos, Jira projects, PagerDuty services, record counts, simulator ports);
- `worlds`: the simulated GitHub / Jira / PagerDuty worlds, and the process that serves one;
- `hourly`: the records of "the last hour" added to a world for the incremental benchmark;
- `config`: the organisation config applied with `config_apply`;
- `costs`: the FOCUS export (monthly CSV files);
- `runner`: the database (fresh, anchor), one phase per child process, peak RSS;
- `sizes`: row counts, relation sizes and the results JSON.
"""
