"""Projectors (g_v) between a backbone and the joint embedding space."""
from .mlp_projector import MLPProjector

__all__ = ['MLPProjector']
