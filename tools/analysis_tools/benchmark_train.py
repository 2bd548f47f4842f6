"""Training throughput and memory of a config: the full step against the bare backbone.

Measures, in one run and on one device:

(a) ``full_step``: the model's whole training step as mmengine's train loop
    runs it (``model.train_step``: data preprocessor, ``loss``, backward,
    optimizer step), model and optim wrapper built from the config;
(b) ``bare_backbone_step``: a copy of the config's backbone alone, forward +
    backward (loss: mean of the squared features) + a step of the config's
    optimizer, on as many images as the full step sends through its backbone
    (counted with a forward hook: B x views x passes, e.g. B x 3 x 3 for
    SMILE-VLM, B x 3 x 2 with ``model.reuse_aug_as_clean=True``);
    a point config (``data_preparation.renderer`` a ``PointViewRenderer``, a
    point backbone) is timed the same way: "images" are then point views
    (P, C), the bare step the point backbone alone on the same point views;
(c) ``dataloader``: the config's train dataloader alone (samples/s).

(a) and (b) alternate step by step (full-bare, bare-full, ...) after the
warm-up, so that both see the same machine load; ``overhead_ratio`` is the
median full step time over the median bare step time: the cost of the
model's own machinery (augmentation, projector, fusion, losses, the
optimizer step of the extra parameters) on top of the backbone.

``--variant "KEY=VALUE ..."`` (repeatable) builds the config once more with
those options and times its full step in the same rotation, so that an
option's effect (``speedup_vs_full_step``: median full step / median
variant step; > 1 is faster) is measured under the same load as the
reference, e.g. ``--variant "model.backbone.channels_last=True"``.
``overhead_ratio_paired`` is the median over rounds of full / bare time in
the same round: less sensitive to load that changes during the run.

Batches: the config's real cached views (the train dataloader's first batch,
reused for every step so that loading does not enter the step times) when
the cache exists, otherwise random uint8 views of the configured shape, or
for a point config random float16 point views (N, P, C) (xyz uniform in
[-1, 1], unit normals) (``--data random`` forces these; ``settings.data``
says which was used).

Peak memory: on CUDA, ``torch.cuda.max_memory_allocated`` over one step
(``peak_mib``) and its excess over the memory allocated before the step
(``step_mib``). On the CPU, the peak resident set size of the process over
one step, read from the kernel: ``/proc/self/clear_refs`` (5) resets the
high-water mark VmHWM to the current RSS before the step, after
``malloc_trim(0)`` hands freed heap back; ``peak_rss_mib`` is VmHWM after the
step and ``step_rss_mib`` its excess over the RSS before it (activations,
gradients, temporaries). Memory is measured in a separate pass after the
timed steps, on the second of two calls of each step, with glibc told to
serve allocations of 128 KiB and more by mmap (``mallopt``), so that freed
tensors leave the RSS at once and the figure does not depend on what the
allocator happened to keep. Without /proc, ``ru_maxrss`` is reported instead.

Options of the config that change the step are reported under ``settings``
(AMP dtype, ``compile``, channels_last, gradient checkpointing,
``reuse_aug_as_clean``). mmengine's ``AmpOptimWrapper`` needs a GPU; on the
CPU the benchmark runs the same autocast region
(``mmengine.runner.amp.autocast(device_type='cpu', dtype=torch.bfloat16)``)
around the forward pass with a plain ``OptimWrapper`` (bf16 needs no loss
scaling). ``compile`` (bool or dict) is applied as mmengine's Runner applies
it: ``torch.compile(model.train_step, **cfg.compile)``; the bare step's
function is compiled the same way.

``--find-max-batch`` (CUDA only) doubles the batch size, starting from
``--batch-size`` (default: the config's), until the full step runs out of
memory, and reports the largest batch that fits (then measures at that batch
unless ``--steps 0``).

Usage:
    python tools/analysis_tools/benchmark_train.py CONFIG [--steps N] [--warmup W]
        [--batch-size B] [--device cpu|cuda] [--data auto|real|random]
        [--loader-batches K] [--find-max-batch] [--profile] [--out FILE]
        [--variant "KEY=VALUE ..."]... [--cfg-options KEY=VALUE ...]
Prints one JSON object (and writes it atomically to --out).
"""
import argparse
import contextlib
import copy
import ctypes
import datetime
import json
import os
import os.path as osp
import platform
import resource
import statistics
import sys
import time

import torch

MIB = 1024 ** 2


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config')
    p.add_argument('--steps', type=int, default=10,
                   help='timed steps of each kind (after the warm-up)')
    p.add_argument('--warmup', type=int, default=3, help='untimed steps of each kind first')
    p.add_argument('--batch-size', type=int, help='samples per step (default: the config\'s '
                   'train_dataloader.batch_size)')
    p.add_argument('--device', choices=['cpu', 'cuda'],
                   help='default: cuda when available, else cpu')
    p.add_argument('--data', choices=['auto', 'real', 'random'], default='auto',
                   help='auto: the cached views when the cache exists, else random views')
    p.add_argument('--loader-batches', type=int, default=20,
                   help='batches read to time the data loader (0: skip it)')
    p.add_argument('--find-max-batch', action='store_true',
                   help='CUDA: double the batch until OOM; report the largest that fits')
    p.add_argument('--profile', action='store_true',
                   help='also print a torch.profiler table of one full step to stderr')
    p.add_argument('--variant', action='append', default=[], metavar='"KEY=VALUE ..."',
                   help='also time the full step of the config with these options (one '
                   'quoted string of space-separated KEY=VALUE, like --cfg-options), '
                   'interleaved with the others; repeatable')
    p.add_argument('--out', help='also write the JSON here (atomically)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. model.reuse_aug_as_clean=True')
    return p.parse_args(argv)


# ----------------------------------------------------------------------------- machine

def cpu_model() -> str:
    from smilezoo.utils.machine import cpu_model as proc_cpu_model
    return proc_cpu_model() or platform.processor() or platform.machine()


def machine_facts(device: torch.device) -> dict:
    import mmengine
    facts = dict(
        device=device.type,
        device_name=(torch.cuda.get_device_name(device) if device.type == 'cuda'
                     else cpu_model()),
        cpu_model=cpu_model(),
        cpu_count=os.cpu_count(),
        cpu_affinity=len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None,
        torch_threads=torch.get_num_threads(),
        OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS'),
        python=platform.python_version(),
        torch=torch.__version__,
        mmengine=mmengine.__version__,
    )
    for name in ('timm', 'open_clip'):
        try:
            facts[name] = __import__(name).__version__
        except Exception:  # not installed: not needed by every config
            pass
    if device.type == 'cuda':
        facts['cuda'] = torch.version.cuda
        facts['gpu_memory_mib'] = torch.cuda.get_device_properties(device).total_memory // MIB
    return facts


def loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ----------------------------------------------------------------------------- memory

def _proc_status_kib(field: str):
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _libc():
    try:
        return ctypes.CDLL('libc.so.6')
    except OSError:
        return None


def _malloc_trim():
    libc = _libc()
    if libc is not None and hasattr(libc, 'malloc_trim'):
        libc.malloc_trim(0)


def _mmap_large_allocations() -> bool:
    """glibc: serve every allocation >= 128 KiB by mmap and trim the heap above 128 KiB,
    so that a freed tensor leaves the RSS at once (by default glibc raises its mmap
    threshold as blocks are freed and keeps them, which made the RSS peak of the same
    step vary by +-40 MiB from one call to the next)."""
    libc = _libc()
    if libc is None or not hasattr(libc, 'mallopt'):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 128 * 1024) and
                libc.mallopt(m_trim_threshold, 128 * 1024))


class StepMemory:
    """Peak memory of one call on ``device`` (see the module docstring)."""

    def __init__(self, device: torch.device):
        self.device = device
        if device.type == 'cuda':
            self.method = ('torch.cuda.max_memory_allocated over the step (peak_mib); '
                           'step_mib = peak minus memory_allocated before the step')
        elif _reset_peak_rss() and _proc_status_kib('VmHWM') is not None:
            self.method = ('CPU peak RSS over the step: /proc/self/clear_refs=5 resets VmHWM '
                           'to the current RSS after malloc_trim(0); peak_rss_mib = VmHWM '
                           'after the step, step_rss_mib = VmHWM - RSS before the step; '
                           'measured after the timed steps, on the second of two calls, with '
                           'glibc mallopt M_MMAP_THRESHOLD = M_TRIM_THRESHOLD = 128 KiB')
            if not _mmap_large_allocations():
                self.method += ' (mallopt failed: figures vary more)'
        else:
            self.method = ('CPU: resource.getrusage ru_maxrss (process-lifetime high-water '
                           'mark; step_rss_mib = its growth over the step, 0 when an '
                           'earlier peak was higher)')

    def measure(self, fn) -> dict:
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            before = torch.cuda.memory_allocated(self.device)
            fn()
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device)
            return dict(peak_mib=round(peak / MIB, 1), step_mib=round((peak - before) / MIB, 1))
        if self.method.startswith('CPU peak'):
            fn()  # under the allocation policy set above
            _malloc_trim()
            _reset_peak_rss()
            before = _proc_status_kib('VmRSS')
            fn()
            peak = _proc_status_kib('VmHWM')
            return dict(peak_rss_mib=round(peak / 1024, 1),
                        step_rss_mib=round((peak - before) / 1024, 1))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        fn()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return dict(peak_rss_mib=round(peak / 1024, 1),
                    step_rss_mib=round((peak - before) / 1024, 1))


# ----------------------------------------------------------------------------- building

def load_config(args):
    from mmengine.config import Config

    from smilezoo.utils.config_check import fill_cache_paths
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    fill_cache_paths(cfg)
    return cfg


def amp_setting(cfg, device: torch.device) -> dict:
    ow = cfg.optim_wrapper
    if ow.get('type', 'OptimWrapper') not in ('AmpOptimWrapper', 'AnyDeviceAmpOptimWrapper'):
        return dict(amp=False, dtype='float32')
    default = 'float16' if device.type == 'cuda' else 'bfloat16'  # what autocast picks
    return dict(amp=True, dtype=str(ow.get('dtype') or default))


def build_optim_wrapper(module: torch.nn.Module, cfg, device: torch.device):
    """The config's optim wrapper for ``module``; on the CPU an AmpOptimWrapper
    becomes a plain OptimWrapper whose context is the same bf16 autocast."""
    from mmengine.optim import OptimWrapper, build_optim_wrapper as build
    ow_cfg = copy.deepcopy(cfg.optim_wrapper)
    if ow_cfg.get('type') != 'AmpOptimWrapper' or device.type == 'cuda':
        return build(module, ow_cfg)
    dtype = ow_cfg.pop('dtype', None) or 'bfloat16'
    if dtype != 'bfloat16':
        raise SystemExit(f'optim_wrapper.dtype={dtype!r}: CPU autocast runs bfloat16 only; '
                         f'use dtype=\'bfloat16\' on the CPU')
    ow_cfg.pop('loss_scale', None)
    ow_cfg.type = 'OptimWrapper'
    inner = build(module, ow_cfg)

    class CPUBf16OptimWrapper(OptimWrapper):
        @contextlib.contextmanager
        def optim_context(self, model):
            from mmengine.runner.amp import autocast
            with super().optim_context(model), autocast(device_type='cpu',
                                                        dtype=torch.bfloat16):
                yield

    wrapper = CPUBf16OptimWrapper(optimizer=inner.optimizer)
    wrapper.clip_grad_kwargs = inner.clip_grad_kwargs
    if inner.clip_grad_kwargs:
        wrapper._clip_grad = inner._clip_grad
    return wrapper


def input_shape(cfg):
    """(N, C, H, W) of one sample's views from the config's renderer, (N, P, C) for
    a point renderer (one with ``num_points``)."""
    from smilezoo.registry import TRANSFORMS
    prep = cfg.get('data_preparation') or {}
    if not prep.get('renderer'):
        raise SystemExit(f'{cfg.filename}: no data_preparation.renderer to take the view shape '
                         f'from; use --data real with a prepared cache')
    r = TRANSFORMS.build(copy.deepcopy(prep['renderer']))
    if hasattr(r, 'num_points'):
        return len(r.yaws), r.num_points, r.num_channels
    return len(r.yaws), r.num_channels, r.image_size, r.image_size


def train_loader_cfg(cfg, batch_size):
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.batch_size = batch_size
    return loader


def real_data_available(cfg) -> bool:
    ann = cfg.get('train_dataloader', {}).get('dataset', {}).get('ann_file')
    return bool(ann) and osp.isfile(ann)


def random_batch(cfg, batch_size: int, num_classes: int, why: str):
    shape = input_shape(cfg)
    g = torch.Generator().manual_seed(0)
    if len(shape) == 3:  # point views: xyz uniform in [-1, 1], unit normals, float16
        xyz = torch.rand(batch_size, *shape[:2], 3, generator=g) * 2 - 1
        normal = torch.randn(batch_size, *shape[:2], 3, generator=g)
        extra = torch.zeros(batch_size, *shape[:2], shape[2] - 6)
        inputs = torch.cat([xyz, normal / normal.norm(dim=-1, keepdim=True), extra], -1).half()
        kind = 'float16 point views'
    else:
        inputs = torch.randint(0, 256, (batch_size, *shape), generator=g, dtype=torch.uint8)
        kind = 'uint8 views'
    labels = torch.randint(0, num_classes, (batch_size,), generator=g).tolist()
    return (dict(inputs=inputs, data_samples=[dict(gt_label=int(y)) for y in labels]),
            f'random {kind} of shape {tuple(shape)} per sample ({why})')


def make_batch(cfg, args, batch_size: int, num_classes: int):
    """(data_batch, note): a collated train batch, real or random."""
    ann = cfg.train_dataloader.dataset.get('ann_file')
    if args.data == 'random':
        return random_batch(cfg, batch_size, num_classes, '--data random')
    if not real_data_available(cfg):
        if args.data == 'real':
            raise SystemExit(f'--data real: {ann} does not exist; run tools/prepare_data.py '
                             f'{args.config}')
        return random_batch(cfg, batch_size, num_classes, f'no view cache at {ann}')
    from mmengine.runner import Runner
    loader_cfg = train_loader_cfg(cfg, batch_size)
    loader_cfg.num_workers, loader_cfg.persistent_workers = 0, False
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    try:
        batch = next(iter(loader))
    except StopIteration:
        if args.data == 'real':
            raise SystemExit(f'--data real: the train set of {args.config} has fewer than '
                             f'{batch_size} samples (drop_last)') from None
        return random_batch(cfg, batch_size, num_classes,
                            f'the train set has fewer than {batch_size} samples')
    return batch, f'real cached views ({ann}), the first train batch reused every step'


def build(cfg, device: torch.device, bare: bool = True):
    """model, its optim wrapper, and (bare backbone, its optim wrapper) or None."""
    from smilezoo.registry import MODELS
    model = MODELS.build(copy.deepcopy(cfg.model)).to(device)
    model.train()
    bare_pair = None
    if bare:
        backbone = copy.deepcopy(model.backbone).train()
        bare_pair = (backbone, build_optim_wrapper(backbone, cfg, device))
    return model, build_optim_wrapper(model, cfg, device), bare_pair


def maybe_compile(cfg, fn):
    compile_cfg = cfg.get('compile', None)
    if not compile_cfg:
        return fn
    return torch.compile(fn, **(compile_cfg if isinstance(compile_cfg, dict) else {}))


def step_settings(cfg, model, device) -> dict:
    """What changes a step's cost: optim wrapper / AMP, compile, backbone options."""
    out = dict(optim_wrapper=cfg.optim_wrapper.get('type', 'OptimWrapper'),
               compile=cfg.get('compile', None) or False, **amp_setting(cfg, device),
               **backbone_settings(model))
    if out['amp'] and device.type == 'cpu' and out['optim_wrapper'] == 'AmpOptimWrapper':
        out['amp_note'] = ('mmengine AmpOptimWrapper needs a GPU; on the CPU the same '
                           'autocast region (bfloat16) around a plain OptimWrapper')
    return out


def backbone_settings(model) -> dict:
    bb = model.backbone
    out = dict(backbone=type(bb).__name__,
               backbone_params_m=round(sum(p.numel() for p in bb.parameters()) / 1e6, 3),
               model_params_m=round(sum(p.numel() for p in model.parameters()) / 1e6, 3),
               channels_last=bool(getattr(bb, 'channels_last', False)),
               grad_checkpointing=bool(getattr(bb, 'grad_checkpointing', False)))
    if hasattr(model, 'reuse_aug_as_clean'):
        out['reuse_aug_as_clean'] = bool(model.reuse_aug_as_clean)
    return out


class BackboneCounter:
    """Counts backbone calls and the images they see (forward hook)."""

    def __init__(self, backbone):
        self.calls, self.images, self.shape = 0, 0, None
        self.handle = backbone.register_forward_hook(self.hook)

    def hook(self, module, args, output):
        self.calls += 1
        self.images += args[0].shape[0]
        self.shape = tuple(args[0].shape)


# ----------------------------------------------------------------------------- steps

def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def make_steps(cfg, model, optim, bare_pair, batch, device):
    """(full_step, bare_step, info): info has the backbone's images and calls per full
    step and the time of the first full step (which this runs; compilation included)."""
    batch = dict(inputs=batch['inputs'].to(device), data_samples=batch['data_samples'])
    train_step = maybe_compile(cfg, model.train_step)

    def full_step():
        return train_step(batch, optim)

    counter = BackboneCounter(model.backbone)
    first_s = timed(full_step, device)  # counts the backbone's images; compiles if asked
    counter.handle.remove()
    info = dict(backbone_images_per_step=counter.images, backbone_calls_per_step=counter.calls,
                first_step_s=round(first_s, 3))
    if bare_pair is None:
        return full_step, None, info
    backbone, bare_optim = bare_pair
    views = model.data_preprocessor(dict(inputs=batch['inputs']), True)['inputs']
    flat = views.flatten(0, views.dim() - len(counter.shape))  # (B*N, *one view)
    reps = -(-counter.images // flat.shape[0])
    images = flat.repeat(reps, *[1] * (flat.dim() - 1))[:counter.images].contiguous()

    def bare_loss(x):
        return backbone(x).float().square().mean()

    bare_loss_fn = maybe_compile(cfg, bare_loss)

    def bare_step():
        with bare_optim.optim_context(backbone):
            loss = bare_loss_fn(images)
        bare_optim.update_params(loss)
        return loss

    return full_step, bare_step, info


def summarize(times, batch_size, images):
    med = statistics.median(times)
    return dict(median_s=round(med, 5), mean_s=round(statistics.fmean(times), 5),
                min_s=round(min(times), 5), max_s=round(max(times), 5),
                times_s=[round(t, 5) for t in times],
                samples_per_s=round(batch_size / med, 2), images_per_s=round(images / med, 1))


def timed(fn, device):
    sync(device)
    t0 = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - t0


def run_interleaved(steps_by_name, steps, warmup, device):
    """{name: step fn} -> {name: [seconds]}: each round runs every step once, the order
    rotated from round to round so that none always follows the same one."""
    names = list(steps_by_name)
    times = {n: [] for n in names}
    for i in range(warmup + steps):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            dt = timed(steps_by_name[name], device)
            if i >= warmup:
                times[name].append(dt)
    return times


def parse_variant(text: str) -> dict:
    """'a.b=1 c=[1,2]' -> {'a.b': 1, 'c': [1, 2]} (values parsed as --cfg-options does)."""
    from mmengine.config import DictAction
    out = {}
    for item in text.split():
        key, sep, val = item.partition('=')
        if not sep:
            raise SystemExit(f'--variant {text!r}: {item!r} is not KEY=VALUE')
        out[key] = DictAction._parse_iterable(val)
    if not out:
        raise SystemExit('--variant: empty')
    return out


def bench_loader(cfg, batch_size, n_batches):
    """samples/s of iterating the train dataloader (from its config)."""
    if n_batches <= 0:
        return dict(skipped='--loader-batches 0')
    if not real_data_available(cfg):
        return dict(skipped=f'no view cache at {cfg.train_dataloader.dataset.get("ann_file")}')
    from mmengine.runner import Runner
    loader_cfg = train_loader_cfg(cfg, batch_size)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    t0 = time.perf_counter()
    it = iter(loader)
    first, seen, t1 = None, 0, None
    for k in range(n_batches + 1):
        try:
            b = next(it)
        except StopIteration:  # a short epoch: start another
            it = iter(loader)
            b = next(it)
        if k == 0:
            t1 = time.perf_counter()
            first = t1 - t0
            continue
        seen += b['inputs'].shape[0]
    dt = time.perf_counter() - t1
    del it
    return dict(samples_per_s=round(seen / dt, 1), batches=n_batches, batch_size=batch_size,
                first_batch_s=round(first, 3), num_workers=loader_cfg.get('num_workers', 0),
                input_dtype=str(b['inputs'].dtype).replace('torch.', ''),
                note='after the first batch (worker start-up) which is reported apart')


MAX_BATCH_CAP = 1 << 16


def search_max_batch(try_batch, start: int, cap: int = MAX_BATCH_CAP) -> dict:
    """Double the batch from ``start`` while ``try_batch(b)`` (-> peak MiB) runs; stop at
    the first ``torch.cuda.OutOfMemoryError`` or at ``cap``."""
    tried, best, b = [], None, start
    while b <= cap:
        try:
            peak = try_batch(b)
        except torch.cuda.OutOfMemoryError:
            tried.append(dict(batch_size=b, fits=False))
            break
        tried.append(dict(batch_size=b, fits=True, peak_mib=peak))
        best, b = b, b * 2
    if best is None:
        raise SystemExit(f'--find-max-batch: even batch size {start} runs out of memory; '
                         f'start lower with --batch-size')
    return dict(max_batch_size=best, tried=tried, reached_cap=b > cap,
                note='random views of the configured shape, doubling from the start batch until '
                     'torch.cuda.OutOfMemoryError in the full step; the true maximum lies '
                     'between max_batch_size and twice it')


def find_max_batch(cfg, device, start: int, num_classes: int) -> dict:
    """Largest batch (start, 2*start, ...) whose full step fits in GPU memory."""
    if device.type != 'cuda':
        raise SystemExit('--find-max-batch needs --device cuda (it searches for the CUDA OOM)')

    def try_batch(b):
        model = optim = None
        try:
            model, optim, _ = build(cfg, device, bare=False)
            batch, _ = random_batch(cfg, b, num_classes, 'batch size search')
            full_step, _, _ = make_steps(cfg, model, optim, None, batch, device)
            full_step()  # make_steps ran one step already; the second has optimizer state
            sync(device)
            return round(torch.cuda.max_memory_allocated(device) / MIB, 1)
        finally:
            del model, optim
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)

    return search_max_batch(try_batch, start)


def profile_step(full_step):
    from torch.profiler import ProfilerActivity, profile
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=acts, record_shapes=False) as prof:
        full_step()
    print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=30),
          file=sys.stderr)


# ----------------------------------------------------------------------------- main

def logs_to_stderr():
    """mmengine logs to stdout; keep stdout for the JSON."""
    import logging

    from mmengine.logging import MMLogger
    for h in MMLogger.get_current_instance().handlers:
        if isinstance(h, logging.StreamHandler) and h.stream is sys.stdout:
            h.setStream(sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    logs_to_stderr()
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    from smilezoo.utils import explain_unknown_types, register_all_modules
    register_all_modules()
    cfg = load_config(args)
    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: no CUDA device is available')
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    num_classes = len(cfg.model.get('class_names') or cfg.get('class_names') or [0])
    load_before = loadavg()
    started = time.time()
    result = dict(config=args.config, argv=sys.argv[1:] if argv is None else list(argv),
                  date=datetime.datetime.now().isoformat(timespec='seconds'),
                  machine=machine_facts(device))
    with explain_unknown_types():
        if args.find_max_batch:
            result['find_max_batch'] = find_max_batch(cfg, device, batch_size, num_classes)
            batch_size = result['find_max_batch']['max_batch_size']
        torch.manual_seed(0)
        model, optim, bare_pair = build(cfg, device)
        batch, note = make_batch(cfg, args, batch_size, num_classes)
        full_step, bare_step, info = make_steps(cfg, model, optim, bare_pair, batch, device)
    settings = dict(batch_size=batch_size, input_shape=list(batch['inputs'].shape),
                    input_dtype=str(batch['inputs'].dtype).replace('torch.', ''),
                    **info, passes=info['backbone_images_per_step'] // max(
                        1, batch['inputs'].shape[:2].numel()),
                    data=note, steps=args.steps, warmup=args.warmup,
                    **step_settings(cfg, model, device))
    result['settings'] = settings
    steps = {'full_step': full_step, 'bare_backbone_step': bare_step}
    variants = {}
    for text in args.variant:
        vcfg = copy.deepcopy(cfg)
        vcfg.merge_from_dict(parse_variant(text))
        with explain_unknown_types():
            torch.manual_seed(0)
            vmodel, voptim, _ = build(vcfg, device, bare=False)
            vstep, _, vinfo = make_steps(vcfg, vmodel, voptim, None, batch, device)
        variants[text] = dict(settings=dict(**vinfo, **step_settings(vcfg, vmodel, device)))
        steps[f'variant: {text}'] = vstep
    if args.steps > 0:
        times = run_interleaved(steps, args.steps, args.warmup, device)
        mem = StepMemory(device)
        for name, fn in steps.items():
            entry = dict(summarize(times[name], batch_size, info['backbone_images_per_step']),
                         **mem.measure(fn))
            if name.startswith('variant: '):
                text = name[len('variant: '):]
                entry['images_per_s'] = round(variants[text]['settings'][
                    'backbone_images_per_step'] / entry['median_s'], 1)
                entry['speedup_vs_full_step'] = round(
                    statistics.median(times['full_step']) / entry['median_s'], 3)
                variants[text].update(full_step=entry)
            else:
                result[name] = entry
        result['overhead_ratio'] = round(result['full_step']['median_s'] /
                                         result['bare_backbone_step']['median_s'], 3)
        result['overhead_ratio_paired'] = round(statistics.median(
            f / b for f, b in zip(times['full_step'], times['bare_backbone_step'])), 3)
        result['memory_method'] = mem.method
    if variants:
        result['variants'] = variants
    if args.profile:
        profile_step(full_step)
    del model, optim, bare_pair, steps
    result['dataloader'] = bench_loader(cfg, batch_size, args.loader_batches)
    result['machine']['loadavg_before'] = load_before
    result['machine']['loadavg_after'] = loadavg()
    result['wall_s'] = round(time.time() - started, 1)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        from smilezoo.utils.atomic_io import write_text_atomic
        write_text_atomic(args.out, text + '\n')
    return result


if __name__ == '__main__':
    main()
