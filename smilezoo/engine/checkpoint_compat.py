"""Let torch >= 2.6 (``weights_only=True`` by default) load mmengine checkpoints.

mmengine 0.10 pickles its message hub (history buffers, numpy scalars and
arrays, config) into every checkpoint and reads local files with a bare
``torch.load``, which torch >= 2.6 refuses. We register a local-file loader
that first tries ``weights_only=True`` and, for a full mmengine checkpoint,
unpickles it as mmengine always did. Only load checkpoints you trust.
"""
import os.path as osp
import pickle

import torch


def load_from_local_file(filename, map_location=None):
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        return torch.load(filename, map_location=map_location, weights_only=False)


def allow_mmengine_checkpoint_types() -> None:
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local_file)
