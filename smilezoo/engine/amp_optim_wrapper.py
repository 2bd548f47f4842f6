"""Automatic mixed precision on any device: mmengine's ``AmpOptimWrapper`` on a GPU,
the same autocast region on the CPU, where mmengine's wrapper refuses to start."""
import logging
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from smilezoo.registry import OPTIM_WRAPPERS

CPU_DTYPES = ('bfloat16', 'float16')


def dtype_name(dtype: Optional[torch.dtype]) -> Optional[str]:
    return None if dtype is None else str(dtype).replace('torch.', '')


def make_grad_scaler(loss_scale, device_type: str):
    """``torch.amp.GradScaler`` from mmengine's ``loss_scale`` forms: 'dynamic', a float
    (static initial scale), or a dict of GradScaler arguments."""
    if loss_scale == 'dynamic':
        return torch.amp.GradScaler(device_type), None
    if isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
        return torch.amp.GradScaler(device_type, init_scale=float(loss_scale)), float(loss_scale)
    if isinstance(loss_scale, dict):
        return torch.amp.GradScaler(device_type, **loss_scale), None
    raise TypeError(f'optim_wrapper.loss_scale: expected "dynamic", a float or a dict of '
                    f'GradScaler arguments, got {loss_scale!r}')


@OPTIM_WRAPPERS.register_module()
class AnyDeviceAmpOptimWrapper(AmpOptimWrapper):
    """``AmpOptimWrapper`` that also trains on the CPU (docs/performance.md, bf16 AMP): mmengine's
    wrapper unchanged where ``mmengine.device.get_device()`` is not 'cpu'; on the CPU the forward
    pass runs under ``torch.autocast('cpu', dtype)``, 'bfloat16' (the default) without loss scaling
    (``loss_scale`` ignored), 'float16' with ``torch.amp.GradScaler('cpu')`` from ``loss_scale``.
    ``state_dict`` adds ``'amp'`` (``{'device_type': str, 'dtype': str}``) and, with a scaler,
    ``'loss_scaler'``; a checkpoint of another precision loads with a warning (the optimizer state
    is still valid), a scaler state without a scaler here is dropped with a note.

    Args:
        dtype: 'float16', 'bfloat16' (or a torch.dtype), or None for the device's
            autocast default (float16 on CUDA, bfloat16 on the CPU).
        loss_scale, use_fsdp, **kwargs: as ``AmpOptimWrapper`` (FSDP on accelerators only).
    """

    def __init__(self, loss_scale='dynamic', dtype: Union[str, torch.dtype, None] = None,
                 use_fsdp: bool = False, **kwargs):
        self.device_type = get_device()
        if self.device_type != 'cpu':
            super().__init__(loss_scale=loss_scale, dtype=dtype, use_fsdp=use_fsdp, **kwargs)
            return
        if use_fsdp:
            raise ValueError('optim_wrapper.use_fsdp=True: FSDP needs a GPU; this run is on '
                             'the CPU')
        name = dtype_name(dtype) if isinstance(dtype, torch.dtype) else (dtype or 'bfloat16')
        if name not in CPU_DTYPES:
            raise ValueError(f'optim_wrapper.dtype={dtype!r}: CPU autocast runs one of '
                             f'{CPU_DTYPES}')
        OptimWrapper.__init__(self, **kwargs)
        self.cast_dtype = getattr(torch, name)
        self.loss_scaler, self._scale_update_param = None, None
        if self.cast_dtype == torch.float16:
            self.loss_scaler, self._scale_update_param = make_grad_scaler(loss_scale, 'cpu')

    def backward(self, loss: torch.Tensor, **kwargs):
        if self.loss_scaler is None:
            return OptimWrapper.backward(self, loss, **kwargs)
        return super().backward(loss, **kwargs)

    def step(self, **kwargs):
        if self.loss_scaler is None:
            return OptimWrapper.step(self, **kwargs)
        return super().step(**kwargs)

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        if self.device_type != 'cpu':
            with super().optim_context(model):
                yield
            return
        with OptimWrapper.optim_context(self, model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield

    def amp_state(self) -> dict:
        """{'device_type': 'cpu' | 'cuda' | ..., 'dtype': 'bfloat16' | 'float16'}."""
        dtype = self.cast_dtype
        if dtype is None:  # mmengine on an accelerator: autocast's default
            dtype = torch.get_autocast_dtype(self.device_type)
        return dict(device_type=self.device_type, dtype=dtype_name(dtype))

    def state_dict(self) -> dict:
        """The optimizer's state, ``base_param_settings``, ``'amp'`` and (with a loss
        scaler) ``'loss_scaler'``: plain tensors, numbers and strings only."""
        state = OptimWrapper.state_dict(self)
        if self.loss_scaler is not None:
            state['loss_scaler'] = self.loss_scaler.state_dict()
        state['amp'] = self.amp_state()
        return state

    def load_state_dict(self, state_dict: dict):
        state_dict = dict(state_dict)
        saved, here = state_dict.pop('amp', None), self.amp_state()
        if saved is not None and saved.get('dtype') != here['dtype']:
            print_log(f'AnyDeviceAmpOptimWrapper: the checkpoint was trained with '
                      f'{saved.get("dtype")} autocast on {saved.get("device_type")}; this run '
                      f'uses {here["dtype"]} on {here["device_type"]}', logger='current',
                      level=logging.WARNING)
        scaler = state_dict.pop('loss_scaler', None)
        if scaler is not None and self.loss_scaler is not None:
            self.loss_scaler.load_state_dict(scaler)
        elif scaler is not None:
            print_log(f'AnyDeviceAmpOptimWrapper: the checkpoint has a loss-scaler state; '
                      f'{here["dtype"]} on {here["device_type"]} uses no loss scaling, so '
                      f'it is not loaded', logger='current', level=logging.INFO)
        OptimWrapper.load_state_dict(self, state_dict)
