"""In-process simulators of the external systems, served over real HTTP for tests and `make run`."""
