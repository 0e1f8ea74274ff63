"""The six seed scenarios driven over HTTP against a running hub and its simulators."""
