"""Order use cases: intake, orchestration, operator queries and commands."""
