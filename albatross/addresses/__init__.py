"""Global IP and MAC address view: records as the inventory stores them, cross-region conflicts
and CIDR allocation. Pure: no I/O, everything tested with hypothesis."""
