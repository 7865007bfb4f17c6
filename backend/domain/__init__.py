"""Rules as plain Python: kinds, lifecycles, the working-day calendar. No I/O."""
