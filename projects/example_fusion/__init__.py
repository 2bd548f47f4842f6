"""Example plugin: a user's own fusion head (see docs/tutorials/custom_fusion.md)."""
