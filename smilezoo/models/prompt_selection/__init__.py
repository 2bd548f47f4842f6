"""Prompt selection: which prompt pool a sample's text is drawn from, label-free."""
from .pseudo_labeler import PseudoLabeler

__all__ = ['PseudoLabeler']
