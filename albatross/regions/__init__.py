"""The regions Albatross manages: discovery, one openstacksdk connection each, health, fan-out."""
