"""Environment set-up shared by the tools: scope, CPU-friendly distributed init."""
import gc
import os

import torch
import torch.distributed as dist


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every smilezoo module that registers something (by name: the ``locations`` of
    the registries in :mod:`smilezoo.registry`, so this layer imports no upper one) and make
    'smilezoo' the default registry scope. Importing ``smilezoo.engine`` routes mmengine's
    checkpoint reads through the weights-only loader."""
    from mmengine.registry import Registry

    from smilezoo import registry
    for reg in vars(registry).values():
        if isinstance(reg, Registry):
            reg.import_from_location()
    if init_default_scope:
        from mmengine.registry import DefaultScope
        if DefaultScope.get_current_instance() is None:
            DefaultScope.get_instance('smilezoo', scope_name='smilezoo')


def setup_distributed_cpu(cfg, launcher: str) -> None:
    """Make a multi-process run work without CUDA: mmengine's launchers assume it (they call
    torch.cuda.set_device), so we start the gloo process group before the Runner does and let
    DDP run on the CPU (device_ids=None)."""
    if launcher == 'none' or torch.cuda.is_available():
        return
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None,
                                 broadcast_buffers=False)
    if not dist.is_initialized():
        if launcher == 'slurm':
            os.environ.setdefault('RANK', os.environ.get('SLURM_PROCID', '0'))
            os.environ.setdefault('WORLD_SIZE', os.environ.get('SLURM_NTASKS', '1'))
            os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
        dist.init_process_group('gloo')


def end_distributed() -> None:
    """Destroy the process groups when they are up (a job started by dist_train.sh /
    dist_test.sh) and free them now (a garbage collection: reference cycles hold the groups), so
    that gloo's threads end before the interpreter does (docs/reliability.md: SIGABRT otherwise)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
        gc.collect()
