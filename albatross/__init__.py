"""Albatross: one service over many OpenStack regions."""
