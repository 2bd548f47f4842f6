"""Checks of a config that mmengine would otherwise fail on with an unclear message."""
import copy
import os


def check_training_batches(cfg) -> int:
    """Raise ValueError, naming the config keys, when the train loader would give no batch in an
    epoch (fewer samples per process than ``train_dataloader.batch_size`` with ``drop_last=True``;
    mmengine then fails with "epoch_length must be a positive integer"). Returns the number of
    training samples."""
    from smilezoo.registry import DATASETS
    loader = cfg.get('train_dataloader')
    if not loader or cfg.get('train_cfg') is None:
        return 0
    n = len(DATASETS.build(copy.deepcopy(loader['dataset'])))
    batch = int(loader.get('batch_size', 1))
    world = int(os.environ.get('WORLD_SIZE', 1))
    per_process = -(-n // world)  # the sampler pads to equal shares
    if loader.get('drop_last', False) and per_process < batch:
        raise ValueError(
            f'the training set has {n} samples ({per_process} per process with {world} '
            f'process(es)), fewer than train_dataloader.batch_size={batch} with '
            'train_dataloader.drop_last=True: an epoch would have no training step. Lower '
            f'the batch size (--cfg-options train_dataloader.batch_size={max(1, per_process)}) '
            'or use more data (subjects, folds).')
    if n == 0:
        raise ValueError('the training set is empty: check train_dataloader.dataset '
                         '(classes, intensities, subject_split) against the annotation file '
                         f'{loader["dataset"].get("ann_file")!r}')
    return n
