"""Quota arithmetic with no I/O: resources, effective limits, rebalance plans and the safe
order of writes, soft thresholds. Everything here is tested with hypothesis."""
