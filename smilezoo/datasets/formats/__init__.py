"""Readers (and, for the synthetic data, writers) of the on-disk scan formats."""
from .mesh import Mesh, ScanFormatError

__all__ = ['Mesh', 'ScanFormatError']
