"""Readers (and, for the synthetic data, writers) of the on-disk scan formats."""
from .mesh import Mesh, ScanFormatError
from .vrml import read_vrml

__all__ = ['Mesh', 'ScanFormatError', 'read_vrml']
