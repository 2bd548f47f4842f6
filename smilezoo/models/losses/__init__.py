"""The three SMILE-VLM objectives, each a registered module with its own weight."""
from .cross_modal_redundancy import CrossModalRedundancyLoss
from .multiview_barlow_twins import MultiViewBarlowTwinsLoss
from .vision_language_infonce import MultiViewInfoNCELoss

__all__ = ['CrossModalRedundancyLoss', 'MultiViewBarlowTwinsLoss', 'MultiViewInfoNCELoss']
