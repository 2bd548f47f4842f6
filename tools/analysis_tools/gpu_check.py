"""Device check of smilezoo's GPU path: one run, its figures as JSON, written as it goes.

Written for the lent device machine as it is (torch, timm, torchvision there; no
mmengine, open_clip or open3d, no package registry, no model hub): what it lacks travels
in a pack made here by ``tools/analysis_tools/gpu_check_pack.sh`` (the mmengine and
open_clip wheels and their small pure-Python needs, the prompt embeddings of every text
encoder used below, and the synthetic demo's views pre-rendered at 224 px, xz-compressed),
and ``tools/analysis_tools/gpu_check.sh`` installs the wheels there and runs this.

Sections, in this order, each under its own time budget (``SIGALRM``; a section that
runs out keeps the figures it had, ``status: timed_out``); after each, the whole JSON is
rewritten atomically to ``--out`` (``complete: false`` until the last one ended):

- ``speed_vit_b16``: the full SMILE-VLM training step (``model.train_step``) against
  the bare backbone on the same images (``benchmark_train.py``'s steps, interleaved), in
  bf16 (``AnyDeviceAmpOptimWrapper``), open_clip ViT-B/16 (random weights: the speed is
  the same) at 224 px, 3 views, 3 passes (9 backbone images a sample), batch 32, random
  uint8 views of the real shape: samples/s, backbone images/s, peak memory;
- ``speed_resnet50``: the same with timm ResNet-50 (the synthetic demo's config);
- ``dataloader``: the synthetic demo's train loader (its own workers) on the packed
  224 px cache, samples/s, against the samples/s the two steps above demand;
- ``train``: a short real training of the synthetic demo at 224 px (timm resnet10t from
  scratch, bf16, ``--train-steps`` steps) and its zero-shot accuracy on the held-out
  subjects;
- ``max_batch``: the largest ViT-B/16 batch whose step fits in ``--memory-fraction``
  (0.9) of the GPU's memory (``torch.cuda.set_per_process_memory_fraction``), without and
  with gradient checkpointing: doubling until out of memory, then bisection;
- ``compile``: ``torch.compile(train_step)`` on against off (ViT-B/16; the first
  compiled step, compilation included, reported apart). The last section run gets
  all the time that is left of ``--budget-s``.

stdout gets the headline figures of each section (``summary``); ``--out`` the whole.

Modes: ``--pack-data DIR`` (here, with the full install: the prompt embeddings and the
rendered cache; the wheels are the .sh's job); the device run ``--pack DIR``;
``--dry-run``: every section on the CPU with tiny shapes (a ViT-S/32 at 32 px, batch 2,
2 steps, ``aot_eager`` instead of inductor; tests/test_gpu_check.py).
Exit status 0 only when every section ended ``ok``.
"""
import argparse
import copy
import datetime
import gc
import json
import math
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback

import torch

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
for _p in (ROOT, HERE):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import benchmark_train as bench  # noqa: E402  (its step, memory and loader code)
from smilezoo.utils.atomic_io import atomic_open, write_text_atomic  # noqa: E402

VIT_CONFIG = osp.join(ROOT, 'configs', 'smile_vlm_clip_vit_b16_synthetic.py')
DEMO_CONFIG = osp.join(ROOT, 'configs', 'smile_vlm_synthetic.py')
EMBEDDINGS = 'prompt_embeddings.pt'
VIEWS = 'train_views.tar.xz'
MANIFEST = 'manifest.json'
PACK_LIMIT_MIB = 56  # of the 64 MiB that travel, the rest is the working tree
SECTIONS = ('speed_vit_b16', 'speed_resnet50', 'dataloader', 'train', 'max_batch', 'compile')

PROFILES = {
    'device': dict(image_size=224, vit='ViT-B-16', resnet='timm/resnet50', batch=32,
                   train_batch=32, steps=10, warmup=3, train_steps=300, loader_batches=30,
                   max_batch_start=32, max_batch_cap=8192, compile=True, subjects=12,
                   budgets=dict(speed_vit_b16=70, speed_resnet50=50, dataloader=35, train=150,
                                max_batch=110, compile=110)),
    'dry': dict(image_size=32, vit='GPUCheck-Tiny-ViT', resnet='timm/resnet10t', batch=2,
                train_batch=16, steps=2, warmup=0, train_steps=2, loader_batches=2,
                max_batch_start=2, max_batch_cap=4,
                compile=dict(backend='eager'), subjects=6,
                budgets=dict(speed_vit_b16=60, speed_resnet50=60, dataloader=30, train=90,
                             max_batch=90, compile=90)),
}
# --dry-run's ViT: open_clip's ViT layout at toy size (2 blocks of width 64, 16 tokens)
TINY_VIT = dict(embed_dim=32, vision_cfg=dict(image_size=32, layers=2, width=64, head_width=32,
                                             patch_size=8),
                text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=2, layers=1))
AMP = {'optim_wrapper.type': 'AnyDeviceAmpOptimWrapper', 'optim_wrapper.dtype': 'bfloat16'}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--pack-data', metavar='DIR',
                      help='here: write the prompt embeddings and the rendered views to DIR')
    mode.add_argument('--pack', metavar='DIR', default='.gpu_pack',
                      help='the pack to run from (default: .gpu_pack)')
    p.add_argument('--dry-run', action='store_true',
                   help='tiny shapes on the CPU (with --pack-data: a pack for that)')
    p.add_argument('--cache', metavar='DIR',
                   help='--pack-data: pack this prepared view cache (its annotations.json) '
                   'instead of rendering synthetic scans')
    p.add_argument('--subjects', type=int, help='--pack-data: synthetic subjects to render')
    p.add_argument('--out', default='work_dirs/gpu_check/gpu_check.json',
                   help='the JSON (rewritten after every section)')
    p.add_argument('--budget-s', type=float, default=530,
                   help='all sections together (each is cut to what is left; the last one '
                   'gets all that is left)')
    p.add_argument('--sections', nargs='+', choices=SECTIONS, default=list(SECTIONS))
    p.add_argument('--train-steps', type=int, help='steps of the short training')
    p.add_argument('--memory-fraction', type=float, default=0.9)
    return p.parse_args(argv)


def log(msg):
    print(f'[gpu_check {time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def register_tiny_vit():
    """Make open_clip know 'GPUCheck-Tiny-ViT' (TINY_VIT) in this process."""
    import open_clip
    path = osp.join(tempfile.mkdtemp(prefix='gpu_check_vit_'), 'GPUCheck-Tiny-ViT.json')
    with open(path, 'w') as f:
        json.dump(TINY_VIT, f)
    open_clip.add_model_config(path)


def plain(x):
    """ConfigDict / tuples -> plain JSON types (safe for torch.load(weights_only=True))."""
    return json.loads(json.dumps(x))


# ----------------------------------------------------------------------------- configs

def load_cfg(path, options):
    from mmengine.config import Config

    from smilezoo.utils.config_check import fill_cache_paths
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(options)
    fill_cache_paths(cfg)
    return cfg


def vit_cfg(p, **options):
    """The paper's setting: open_clip ViT-B/16 image and text towers (random weights)."""
    return load_cfg(VIT_CONFIG, {
        'model.backbone.model_name': f'open_clip/{p["vit"]}', 'model.backbone.pretrained': None,
        'model.backbone.input_size': p['image_size'],
        'model.text_encoder': dict(_delete_=True, type='OpenCLIPTextEncoder',
                                   model_name=p['vit'], pretrained=None,
                                   allow_random_weights=True),
        'data_preparation.renderer.image_size': p['image_size'],
        'train_dataloader.batch_size': p['batch'], **AMP, **options})


def demo_cfg(p, backbone=None, **options):
    """The synthetic demo (MiniLM prompts) at the profile's image size."""
    opts = {'data_preparation.renderer.image_size': p['image_size'],
            'train_dataloader.batch_size': p['batch'], **AMP, **options}
    if backbone:
        opts['model.backbone.model_name'] = backbone
    return load_cfg(DEMO_CONFIG, opts)


def text_encoder_cfgs(p):
    return [vit_cfg(p), demo_cfg(p)]


# ----------------------------------------------------------------------------- packing (here)

def pack_data(args):
    """Prompt embeddings of every text encoder the sections use, and the demo's views."""
    from smilezoo.models.text_encoders import PromptBank, text_encoder_cache_key
    from smilezoo.registry import MODELS
    from smilezoo.utils import register_all_modules
    register_all_modules()
    p = PROFILES['dry' if args.dry_run else 'device']
    if args.dry_run:
        register_tiny_vit()
    out = args.pack_data
    os.makedirs(out, exist_ok=True)
    entries = []
    for cfg in text_encoder_cfgs(p):
        te, names = plain(cfg.model.text_encoder), plain(cfg.model.class_names)
        pools = {c: plain(cfg.model.prompt_pools[c]) for c in names}
        log(f'prompt embeddings of {te}')
        torch.manual_seed(0)
        bank = PromptBank(names, pools, lambda te=te: MODELS.build(copy.deepcopy(te)),
                          text_encoder_cache_key(te))
        entries.append(dict(text_encoder=te, class_names=names, prompt_pools=pools,
                            prompts=bank.prompts, embeddings=bank.embeddings.float().cpu()))
    if osp.exists(osp.join(out, MANIFEST)):  # written last: a pack without one is unfinished
        os.remove(osp.join(out, MANIFEST))
    with atomic_open(osp.join(out, EMBEDDINGS)) as f:
        torch.save(entries, f)
    with tempfile.TemporaryDirectory() as work:
        cache, rendered = args.cache, None
        if cache is None:
            cache, rendered = osp.join(work, 'cache'), render_demo(p, args.subjects, work)
        ann = osp.join(cache, 'annotations.json')
        if not osp.isfile(ann):
            raise SystemExit(f'--cache {cache}: no annotations.json there')
        meta = json.load(open(ann)).get('metainfo', {})
        size = meta.get('renderer', {}).get('image_size')
        log(f'compressing {cache} (views of {size} px)')
        with atomic_open(osp.join(out, VIEWS)) as f, \
                tarfile.open(fileobj=f, mode='w:xz', preset=6) as tar:
            tar.add(cache, arcname='cache')
    total = sum(osp.getsize(osp.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
    manifest = dict(profile='dry' if args.dry_run else 'device', image_size=size,
                    rendered=rendered, cache=args.cache,
                    text_encoders=[e['text_encoder'] for e in entries],
                    date=datetime.datetime.now().isoformat(timespec='seconds'),
                    pack_mib=round(total / 2 ** 20, 1))
    if total > PACK_LIMIT_MIB * 2 ** 20:  # (no manifest: the device run refuses the pack)
        raise SystemExit(f'{out}: {total / 2 ** 20:.1f} MiB, over the {PACK_LIMIT_MIB} MiB that '
                         f'may travel with the working tree; pack fewer --subjects')
    write_text_atomic(osp.join(out, MANIFEST), json.dumps(manifest, indent=2) + '\n')
    log(f'pack {out}: {manifest["pack_mib"]} MiB')
    return manifest


def render_demo(p, subjects, work):
    """Synthetic BU-3DFE-layout scans -> the demo's views at the profile's size."""
    subjects = subjects or p['subjects']
    scans, cache = osp.join(work, 'scans'), osp.join(work, 'cache')
    py = sys.executable
    for cmd in ([py, 'tools/dataset_converters/make_synthetic.py', '--layout', 'bu3dfe',
                 '--out', scans, '--subjects', str(subjects), '--seed', '0'],
                [py, 'tools/prepare_data.py', DEMO_CONFIG, '--cfg-options',
                 f'data_preparation.source.data_root={scans}',
                 f'data_preparation.out_dir={cache}',
                 f'data_preparation.renderer.image_size={p["image_size"]}']):
        log(' '.join(cmd))
        subprocess.run(cmd, cwd=ROOT, check=True)
    return dict(subjects=subjects, seed=0, image_size=p['image_size'])


# ----------------------------------------------------------------------------- the device run

class PackedTextEncoder:
    """Stands in for a text encoder: the packed embeddings of exactly these prompts."""

    def __init__(self, entry):
        self.entry = entry

    def encode(self, prompts):
        if list(prompts) != self.entry['prompts']:
            raise ValueError('the packed prompt embeddings are of other prompts')
        return self.entry['embeddings']


def seed_prompt_cache(pack, tmp):
    """Write the packed embeddings into a fresh prompt cache under the keys computed
    here, so no model needs its text encoder (which is not on the device)."""
    from smilezoo.models.text_encoders import PromptBank, text_encoder_cache_key
    os.environ['SMILEZOO_CACHE'] = tempfile.mkdtemp(prefix='prompt_cache_', dir=tmp)
    entries = torch.load(osp.join(pack, EMBEDDINGS), map_location='cpu', weights_only=True)
    for e in entries:
        PromptBank(e['class_names'], e['prompt_pools'], lambda e=e: PackedTextEncoder(e),
                   text_encoder_cache_key(e['text_encoder']))
    return [e['text_encoder'] for e in entries]


def unpack_views(pack, tmp):
    """The packed cache, extracted to a temporary folder -> its annotations.json."""
    dest = tempfile.mkdtemp(prefix='views_', dir=tmp)
    with tarfile.open(osp.join(pack, VIEWS), 'r:xz') as tar:
        tar.extractall(dest, filter='data')
    return osp.join(dest, 'cache', 'annotations.json')


def build_checked(cfg, device, bare=True):
    """benchmark_train.build, and a check that the prompts came from the packed cache."""
    model, optim, bare_pair = bench.build(cfg, device, bare=bare)
    if 'text_encoder' in model.__dict__:
        raise RuntimeError(f'the prompt embeddings of {plain(cfg.model.text_encoder)} are not in '
                           f'the pack: run tools/analysis_tools/gpu_check_pack.sh again')
    return model, optim, bare_pair


def num_classes(cfg):
    return len(cfg.model.class_names)


def timed_rounds(steps, n, warmup, device, deadline, times):
    """benchmark_train.run_interleaved one round at a time until n rounds or the deadline;
    ``times`` ({name: [s]}) fills in place, so a timeout keeps what was measured."""
    if warmup:
        bench.run_interleaved(steps, 0, warmup, device)
    for i in range(n):
        if time.time() > deadline:
            break
        rotated = dict(list(steps.items())[i % len(steps):] + list(steps.items())[:i % len(steps)])
        for name, t in bench.run_interleaved(rotated, 1, 0, device).items():
            times.setdefault(name, []).extend(t)


def speed_section(cfg, p, device, entry, deadline):
    """Full step against bare backbone (same images), bf16."""
    torch.manual_seed(0)
    model, optim, bare_pair = build_checked(cfg, device)
    batch, note = bench.random_batch(cfg, p['batch'], num_classes(cfg), 'speed figures')
    full, bare, info = bench.make_steps(cfg, model, optim, bare_pair, batch, device)
    entry['settings'] = dict(batch_size=p['batch'], input_shape=list(batch['inputs'].shape),
                             data=note, **info, **bench.step_settings(cfg, model, device))
    times = {}
    timed_rounds({'full_step': full, 'bare_backbone_step': bare}, p['steps'], p['warmup'],
                 device, deadline, times)
    images = info['backbone_images_per_step']
    mem = bench.StepMemory(device)
    for name, fn in (('full_step', full), ('bare_backbone_step', bare)):
        if times.get(name):
            entry[name] = dict(bench.summarize(times[name], p['batch'], images),
                               **mem.measure(fn))
    if times.get('full_step') and times.get('bare_backbone_step'):
        f, b = entry['full_step']['median_s'], entry['bare_backbone_step']['median_s']
        entry['full_vs_bare_throughput'] = round(b / f, 3)  # goal >= 0.8 (ViT-B/16, bf16)
        entry['memory_method'] = mem.method


def dataloader_section(p, ann, result, entry):
    cfg = demo_cfg(p, **views_options(ann))
    entry['loader'] = bench.bench_loader(cfg, p['batch'], p['loader_batches'])
    rate = entry['loader'].get('samples_per_s')
    demand = {}
    for sec in ('speed_vit_b16', 'speed_resnet50'):
        full = result['sections'].get(sec, {}).get('full_step')
        if full:
            demand[sec] = full['samples_per_s']
    entry['step_demand_samples_per_s'] = demand
    if rate:  # goal: >= 2x the step's demand
        entry['loader_over_demand'] = {k: round(rate / v, 2) for k, v in demand.items()}


def views_options(ann):
    return {f'{split}_dataloader.dataset.ann_file': ann for split in ('train', 'val', 'test')}


def stop_at_deadline_hook(deadline, entry):
    """An mmengine hook that ends training (at the epoch's end) once ``deadline`` passed,
    and counts the steps done into ``entry``."""
    from mmengine.hooks import Hook

    class StopAtDeadline(Hook):
        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            entry['steps_done'] = runner.iter + 1
            if runner.iter % 50 == 0 and outputs and 'loss' in outputs:  # (a host sync)
                loss = float(torch.as_tensor(outputs['loss']).detach())
                entry[f'loss_at_step_{runner.iter + 1}'] = round(loss, 4)
            if time.time() > deadline and not runner.train_loop.stop_training:
                runner.train_loop.stop_training = True
                entry['stopped_early'] = 'the section\'s time budget (minus 30 s for the test)'

    return StopAtDeadline()


def train_section(p, ann, device, entry, deadline, steps, tmp):
    """The demo at the packed views' size, bf16, ``steps`` steps, then zero-shot accuracy."""
    from mmengine.runner import Runner

    from smilezoo.engine import fit_param_schedulers
    from smilezoo.registry import DATASETS
    cfg = demo_cfg(p, **views_options(ann))
    train_set = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
    per_epoch = len(train_set) // cfg.train_dataloader.batch_size
    if per_epoch < 1:
        raise RuntimeError(f'{ann}: {len(train_set)} training samples, fewer than a batch')
    epochs = max(1, math.ceil(steps / per_epoch))
    work = tempfile.mkdtemp(prefix='train_', dir=tmp)
    cfg.merge_from_dict({'train_cfg.max_epochs': epochs, 'train_cfg.val_interval': epochs + 1,
                         'work_dir': work, 'default_hooks.logger.interval': 50,
                         'default_hooks.checkpoint.interval': epochs + 1,
                         'randomness.seed': 0})
    if device.type == 'cpu':
        for split in ('train', 'val', 'test'):
            cfg[f'{split}_dataloader'].update(num_workers=0, persistent_workers=False)
    fit_param_schedulers(cfg)
    entry.update(config=osp.relpath(DEMO_CONFIG, ROOT), train_samples=len(train_set),
                 steps_per_epoch=per_epoch, epochs=epochs, planned_steps=epochs * per_epoch,
                 batch_size=cfg.train_dataloader.batch_size,
                 view_size=cfg.data_preparation.renderer.image_size,
                 optim_wrapper=cfg.optim_wrapper.type, dtype=cfg.optim_wrapper.dtype)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(stop_at_deadline_hook(deadline - 30, entry), priority='LOWEST')
    t0 = time.time()
    runner.train()
    entry['train_s'] = round(time.time() - t0, 1)
    entry['train_samples_per_s'] = round(entry['steps_done'] * entry['batch_size'] /
                                         entry['train_s'], 1)
    metrics = runner.val_loop.run()
    entry['metrics'] = {k: round(float(v), 3) for k, v in metrics.items()
                        if isinstance(v, (int, float))}
    entry['zero_shot_accuracy'] = entry['metrics'].get('acc/zero_shot')  # the fused views
    entry['chance'] = round(100.0 / len(cfg.class_names), 1)


def try_batch_fn(cfg, device, classes):
    """batch size -> peak MiB of two full steps (benchmark_train's building blocks)."""
    def try_batch(b):
        model = optim = None
        release(device)  # what an out-of-memory try before left in the allocator's cache
        try:
            model, optim, _ = build_checked(cfg, device, bare=False)
            batch, _ = bench.random_batch(cfg, b, classes, 'batch size search')
            full, _, _ = bench.make_steps(cfg, model, optim, None, batch, device)
            full()
            bench.sync(device)
            return (round(torch.cuda.max_memory_allocated(device) / 2 ** 20, 1)
                    if device.type == 'cuda' else None)
        except RuntimeError as e:  # cuBLAS / cuDNN say it their own way
            if isinstance(e, torch.cuda.OutOfMemoryError) or not any(
                    m in str(e) for m in ('out of memory', 'ALLOC_FAILED')):
                raise
            raise torch.cuda.OutOfMemoryError(f'batch {b}: {e}') from None
        finally:
            del model, optim
            release(device)
    return try_batch


def max_batch_one(cfg, p, device, deadline, entry):
    """Doubling (benchmark_train.search_max_batch), then bisection while time is left."""
    try_batch = try_batch_fn(cfg, device, num_classes(cfg))
    res = bench.search_max_batch(try_batch, p['max_batch_start'], p['max_batch_cap'])
    entry.update(res)
    lo = res['max_batch_size']
    hi = None if res['reached_cap'] else res['tried'][-1]['batch_size']
    while hi is not None and hi - lo > max(1, lo // 16) and time.time() < deadline:
        mid = (lo + hi) // 2
        try:
            peak = try_batch(mid)
            entry['tried'].append(dict(batch_size=mid, fits=True, peak_mib=peak))
            lo = mid
        except torch.cuda.OutOfMemoryError:
            entry['tried'].append(dict(batch_size=mid, fits=False))
            hi = mid
        entry.update(max_batch_size=lo, first_batch_out_of_memory=hi)
    entry['note'] = (f'the largest batch that ran two full steps within the memory limit; '
                     f'the first that did not: {hi}' if hi else
                     f'no out-of-memory up to the cap {p["max_batch_cap"]}')


def max_batch_section(p, device, args, entry, deadline):
    if device.type == 'cuda':
        torch.cuda.set_per_process_memory_fraction(args.memory_fraction, device)
        total = torch.cuda.get_device_properties(device).total_memory
        entry['memory_limit_mib'] = round(args.memory_fraction * total / 2 ** 20)
    else:
        entry['memory_limit_mib'] = None
        entry['cpu_note'] = 'CPU: no out-of-memory to search for; stops at the cap'
    start = time.time()
    for i, ckpt in enumerate((False, True)):
        sub = entry[f'grad_checkpointing_{ckpt}'] = {}
        share = start + (deadline - start) * (i + 1) / 2
        max_batch_one(vit_cfg(p, **{'model.backbone.grad_checkpointing': ckpt}), p, device,
                      share, sub)


def compile_section(p, device, entry, deadline):
    cfgs = {'eager': vit_cfg(p), 'compiled': vit_cfg(p, compile=p['compile'])}
    steps = {}
    for name, cfg in cfgs.items():
        torch.manual_seed(0)
        model, optim, _ = build_checked(cfg, device, bare=False)
        batch, _ = bench.random_batch(cfg, p['batch'], num_classes(cfg), 'compile figures')
        full, _, info = bench.make_steps(cfg, model, optim, None, batch, device)
        entry[name] = dict(compile=plain(cfg.get('compile', None) or False), **info)
        steps[name] = full
    times = {}  # two untimed rounds: dynamo recompiles once after the first step
    timed_rounds(steps, p['steps'], 2, device, deadline, times)
    for name in steps:
        if times.get(name):
            entry[name].update(bench.summarize(times[name], p['batch'],
                                               entry[name]['backbone_images_per_step']))
    if all(times.get(n) for n in steps):
        entry['speedup'] = round(entry['eager']['median_s'] / entry['compiled']['median_s'], 3)


# ----------------------------------------------------------------------------- sections

class SectionTimeout(BaseException):
    """A section's time budget ran out (not an Exception: library code that catches
    those must not swallow it)."""


def _alarm(signum, frame):
    raise SectionTimeout()


def release(device):
    gc.collect()
    if device.type == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def caused_by_timeout(e: BaseException) -> bool:
    """True when the section's alarm is in ``e``'s chain (torch.compile wraps it)."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, SectionTimeout):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def run_section(result, name, budget, fn, out, device):
    """fn(entry, deadline) under a SIGALRM of ``budget`` s; the status and the wall
    time go into ``result['sections'][name]``, and the JSON is rewritten."""
    entry = result['sections'][name]
    entry.update(status='running', budget_s=round(budget, 1))
    write(out, result)
    log(f'{name}: up to {budget:.0f} s')
    t0 = time.time()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        fn(entry, t0 + budget)
        entry['status'] = 'ok'
    except (SectionTimeout, Exception) as e:  # reported; the next section runs
        if caused_by_timeout(e):
            entry['status'] = 'timed_out'
        else:
            entry.update(status='failed', error=f'{type(e).__name__}: {e}'[:2000],
                         traceback=traceback.format_exc()[-3000:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    entry['wall_s'] = round(time.time() - t0, 1)
    release(device)
    log(f'{name}: {entry["status"]} in {entry["wall_s"]} s')
    write(out, result)


def write(out, result):
    write_text_atomic(out, json.dumps(result, indent=2) + '\n')


def versions():
    out = {}
    for name in ('torch', 'timm', 'torchvision', 'mmengine', 'open_clip', 'numpy'):
        try:
            out[name] = __import__(name).__version__
        except Exception as e:  # noqa: BLE001  (said in the JSON)
            out[name] = f'missing: {e}'
    return out


def device_run(args):
    started = time.time()
    p = copy.deepcopy(PROFILES['dry' if args.dry_run else 'device'])
    if args.train_steps:
        p['train_steps'] = args.train_steps
    manifest_path = osp.join(args.pack, MANIFEST)
    if not osp.isfile(manifest_path):
        raise SystemExit(f'gpu_check: {manifest_path} does not exist; make the pack with '
                         f'tools/analysis_tools/gpu_check_pack.sh and carry it')
    manifest = json.load(open(manifest_path))
    want = 'dry' if args.dry_run else 'device'
    if manifest.get('profile') != want:
        raise SystemExit(f'gpu_check: {manifest_path} is a {manifest.get("profile")!r} pack, '
                         f'this run needs a {want!r} one (--pack-data with'
                         f'{"" if args.dry_run else "out"} --dry-run)')
    device = torch.device('cpu' if args.dry_run else 'cuda')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('gpu_check: no CUDA device here (use --dry-run on a CPU)')
    from smilezoo.utils import register_all_modules
    register_all_modules()
    if args.dry_run:
        register_tiny_vit()
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True  # fp32 ops
    result = dict(tool='tools/analysis_tools/gpu_check.py', argv=sys.argv[1:],
                  date=datetime.datetime.now().isoformat(timespec='seconds'),
                  mode=want, complete=False, profile=p, pack=manifest, tf32_for_float32=True,
                  machine=dict(bench.machine_facts(device), versions=versions()),
                  sections={s: dict(status='pending') for s in args.sections})
    tmp = tempfile.mkdtemp(prefix='gpu_check_')  # removed at the end
    try:
        return run_sections(args, p, device, result, tmp, started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_sections(args, p, device, result, tmp, started):
    result['prompt_cache_seeded_for'] = seed_prompt_cache(args.pack, tmp)
    ann = unpack_views(args.pack, tmp)
    result['views'] = f'{VIEWS} of the pack, extracted to a temporary folder'
    p_views = dict(p, image_size=result['pack']['image_size'], batch=p['train_batch'])
    work = {
        'speed_vit_b16': lambda e, d: speed_section(vit_cfg(p), p, device, e, d),
        'speed_resnet50': lambda e, d: speed_section(demo_cfg(p, p['resnet']), p, device, e, d),
        'dataloader': lambda e, d: dataloader_section(p_views, ann, result, e),
        'train': lambda e, d: train_section(p_views, ann, device, e, d, p['train_steps'], tmp),
        'max_batch': lambda e, d: max_batch_section(p, device, args, e, d),
        'compile': lambda e, d: compile_section(p, device, e, d),
    }
    for name in args.sections:
        left = args.budget_s - (time.time() - started)
        if left < 5:
            result['sections'][name].update(status='skipped', reason='--budget-s spent')
            continue
        last = name == args.sections[-1]  # (compile, by default: it may recompile)
        budget = max(left, p['budgets'][name]) if last else p['budgets'][name]
        run_section(result, name, min(budget, left), work[name], args.out, device)
    result['complete'] = True
    result['wall_s'] = round(time.time() - started, 1)
    result['all_ok'] = all(result['sections'][s]['status'] == 'ok' for s in args.sections)
    result['summary'] = summary(result)
    write(args.out, result)
    print(json.dumps(dict(out=args.out, all_ok=result['all_ok'], wall_s=result['wall_s'],
                          device=result['machine'].get('device_name'),
                          summary=result['summary']), indent=1))
    return result


def summary(result):
    """The headline figures of each section (the whole JSON is in --out)."""
    def pick(d, *keys):
        for k in keys:
            d = d.get(k, {}) if isinstance(d, dict) else {}
        return d if d != {} else None

    out = {}
    for name, sec in result['sections'].items():
        row = dict(status=sec['status'])
        if name.startswith('speed_'):
            row.update(full_samples_per_s=pick(sec, 'full_step', 'samples_per_s'),
                       full_images_per_s=pick(sec, 'full_step', 'images_per_s'),
                       bare_images_per_s=pick(sec, 'bare_backbone_step', 'images_per_s'),
                       full_vs_bare_throughput=sec.get('full_vs_bare_throughput'),
                       full_peak_mib=pick(sec, 'full_step', 'peak_mib'))
        elif name == 'dataloader':
            row.update(samples_per_s=pick(sec, 'loader', 'samples_per_s'),
                       loader_over_demand=sec.get('loader_over_demand'))
        elif name == 'train':
            row.update(zero_shot_accuracy=sec.get('zero_shot_accuracy'),
                       steps_done=sec.get('steps_done'),
                       train_samples_per_s=sec.get('train_samples_per_s'))
        elif name == 'max_batch':
            row.update({f'max_batch_grad_ckpt_{c}': pick(sec, f'grad_checkpointing_{c}',
                                                         'max_batch_size')
                        for c in (False, True)})
        elif name == 'compile':
            row.update(speedup=sec.get('speedup'),
                       compiled_first_step_s=pick(sec, 'compiled', 'first_step_s'))
        if sec.get('error'):
            row['error'] = sec['error'][:300]
        out[name] = row
    return out


def main(argv=None):
    args = parse_args(argv)
    os.chdir(ROOT)
    if args.pack_data:
        pack_data(args)
        return 0
    result = device_run(args)
    return 0 if result['all_ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
