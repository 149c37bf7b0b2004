"""Events: OpenStack notifications from every region's bus, and Albatross's own audit trail."""
