"""Initial-sync benchmark: N hub orders through the dual-write maps to the F&O simulator."""
