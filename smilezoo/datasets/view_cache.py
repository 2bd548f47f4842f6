"""Render every scan of a raw source once and cache the views (tools/prepare_data.py).

Output, under ``out_dir``:
- ``views/<source path>.npy``: (N, C, H, W) uint8 views of one scan;
- ``annotations.json``: ``dict(metainfo, data_list)`` read by CachedViewDataset;
- ``prepare_report.json``: counts and every skipped file with the reason.
Every file is written under a temporary name and renamed when complete.
"""
import json
import multiprocessing as mp
import os
import os.path as osp
import time
from typing import Dict, Optional

import numpy as np

from .cached_view_dataset import ANNOTATION_FORMAT, ANNOTATION_VERSION

_WORKER = {}


def write_json_atomic(obj, path: str) -> None:
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def save_npy_atomic(arr: np.ndarray, path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}.npy'
    np.save(tmp, arr)
    os.replace(tmp, path)


def to_uint8(views: np.ndarray) -> np.ndarray:
    """(N, C, H, W) float in [0, 1] -> uint8."""
    return np.clip(np.rint(views * 255.0), 0, 255).astype(np.uint8)


def _init_worker(source_cfg: Dict, renderer_cfg: Dict) -> None:
    from smilezoo.registry import DATASETS, TRANSFORMS
    from smilezoo.utils import register_all_modules
    register_all_modules()
    _WORKER['source'] = DATASETS.build(source_cfg)
    _WORKER['renderer'] = TRANSFORMS.build(renderer_cfg)


def _render_one(task):
    record, out_path, reuse = task
    if reuse and osp.isfile(out_path):
        return record, 'reused', None
    try:
        mesh = _WORKER['source'].load(record)
        views = _WORKER['renderer'].render(mesh)
        save_npy_atomic(to_uint8(views), out_path)
    except Exception as e:  # reported per file, never silently dropped
        return record, 'failed', f'{type(e).__name__}: {e}'
    return record, 'rendered', None


def prepare_view_cache(source_cfg: Dict, renderer_cfg: Dict, out_dir: str, workers: int = 1,
                       force: bool = False, progress: bool = True,
                       limit: Optional[int] = None) -> Dict:
    """Render and cache every scan of ``source_cfg``; returns the report dict."""
    from smilezoo.registry import DATASETS
    from smilezoo.utils import register_all_modules
    register_all_modules()
    t0 = time.time()
    source = DATASETS.build(source_cfg)
    records, skipped = source.scan()
    if limit:
        records = records[:limit]
    os.makedirs(out_dir, exist_ok=True)
    ann_path = osp.join(out_dir, 'annotations.json')
    settings = json.loads(json.dumps(dict(renderer=renderer_cfg)))
    reuse = not force and osp.isfile(ann_path) and _same_settings(ann_path, settings)
    tasks = [(r, osp.join(out_dir, 'views', osp.splitext(r['source_path'])[0] + '.npy'), reuse)
             for r in records]
    data_list, counts = [], dict(rendered=0, reused=0, failed=0)
    results = _run(tasks, source_cfg, renderer_cfg, workers, progress)
    for (record, status, error), (_, out_path, _) in zip(results, tasks):
        counts[status] += 1
        if status == 'failed':
            skipped.append(dict(source_path=record['source_path'], reason=error))
            continue
        data_list.append(dict(record, views=osp.relpath(out_path, out_dir)))
    report = dict(source=source_cfg, out_dir=out_dir, found=len(records),
                  converted=len(data_list), **counts, skipped=skipped,
                  seconds=round(time.time() - t0, 2))
    if data_list:
        meta = dict(format=ANNOTATION_FORMAT, version=ANNOTATION_VERSION,
                    dataset=getattr(source, 'dataset_name', type(source).__name__),
                    source_root=getattr(source, 'data_root', None), **settings)
        write_json_atomic(dict(metainfo=meta, data_list=data_list), ann_path)
    write_json_atomic(report, osp.join(out_dir, 'prepare_report.json'))
    return report


def _same_settings(ann_path: str, settings: Dict) -> bool:
    try:
        with open(ann_path) as f:
            meta = json.load(f).get('metainfo', {})
    except (OSError, ValueError):
        return False
    return meta.get('renderer') == settings['renderer']


def _run(tasks, source_cfg, renderer_cfg, workers, progress):
    """Render the tasks (in order), with a rich progress bar."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    columns = [TextColumn('[bold]rendering views'), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn()]
    out = []
    with Progress(*columns, disable=not progress) as bar:
        job = bar.add_task('render', total=len(tasks))
        if workers > 1:
            ctx = mp.get_context('fork')
            with ctx.Pool(workers, _init_worker, (source_cfg, renderer_cfg)) as pool:
                for res in pool.imap(_render_one, tasks, chunksize=4):
                    out.append(res)
                    bar.advance(job)
        else:
            _init_worker(source_cfg, renderer_cfg)
            for task in tasks:
                out.append(_render_one(task))
                bar.advance(job)
    return out
