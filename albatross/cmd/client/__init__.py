"""Client commands: talk to an Albatross API with the caller's Keystone credentials."""
