"""Image sync: pure metadata rules and the streaming fan-out; Glance I/O is in regions/."""
