"""Point backbones: (M, P, C) point views -> (M, out_dim), M = B*N views; each sets
``view_ndim = 2`` (one view is (P, C)) for the multi-view models."""
from .dgcnn import DGCNN
from .pointmlp import PointMLPElite
from .pointnet import PointNet

__all__ = ['DGCNN', 'PointMLPElite', 'PointNet']
