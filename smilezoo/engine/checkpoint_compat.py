"""Route mmengine's local-file checkpoint reads (a bare ``torch.load`` in mmengine 0.10) through
:func:`smilezoo.engine.checkpoint_loading.load_checkpoint_file` (``weights_only=True``, smilezoo's
safe globals, a clear refusal otherwise), so ``load_from``, ``--resume`` and
``mmengine.runner.load_checkpoint`` never unpickle code unless ``--unsafe-load`` asked for it.
"""
from .checkpoint_loading import load_checkpoint_file


def load_from_local_file(filename, map_location=None):
    return load_checkpoint_file(filename, map_location=map_location)


def allow_mmengine_checkpoint_types() -> None:
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local_file)
