"""Training-engine glue around mmengine (hooks, loops, checkpoint compatibility)."""
from .checkpoint_compat import allow_mmengine_checkpoint_types

__all__ = ['allow_mmengine_checkpoint_types']
