"""Render every scan or sequence of a raw source once and cache the views (prepare_data.py; the
files under ``out_dir`` and when an entry is reused: docs/data_preparation.md).

Every file is written under a temporary name (fsynced) and renamed when complete; the entry
records are :mod:`smilezoo.datasets.cache_manifest`'s. One run at a time writes an ``out_dir``
(the lock file ``.prepare.lock``).
"""
import json
import os
import os.path as osp
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from typing import Dict, Optional

from smilezoo.registry import DATASETS
from smilezoo.utils import register_all_modules
from smilezoo.utils.atomic_io import TEMPORARY_NAME, save_npy_atomic, write_json_atomic
from smilezoo.utils.progress import ProgressBar
from smilezoo.utils.worker_pool import WorkerDied, WorkerError, describe_exit, run_in_workers

from .cache_manifest import (check_entry, make_entry_record, record_inputs, remove_entry,
                             settings_key, source_identity, write_entry_record)
from .cached_view_dataset import ANNOTATION_FORMAT, ANNOTATION_VERSION
from .sources.base import SequenceSource
from .transforms.scan_to_views import build_view_pipeline, temporal_settings

_WORKER = {}


class PrepareError(RuntimeError):
    """prepare_data cannot go on (a worker died, the cache is in use); the message says why."""


class PrepareInterrupted(KeyboardInterrupt):
    """Ctrl-C during prepare_view_cache: ``cached`` of ``total`` scans are cached."""

    def __init__(self, cached: int, total: int, out_dir: str):
        self.cached, self.total, self.out_dir = cached, total, out_dir
        super().__init__(f'interrupted: {cached} of {total} scans are cached in {out_dir}; '
                         f'rerun to continue')


def _init_worker(source_cfg: Dict, renderer_cfg: Dict) -> None:
    register_all_modules()
    _WORKER['source'] = DATASETS.build(source_cfg)
    _WORKER['pipeline'] = build_view_pipeline(_WORKER['source'], renderer_cfg)


def _render_one(task):
    """Render one record, write its .npy, then its entry record (in a worker).

    Returns (record, status, error, extra): status 'rendered' or 'failed' (error says why; a
    stale entry of the record is removed); extra holds a sequence's frames_used and frame_problems.
    """
    record, out_path, key = task
    source, extra = _WORKER['source'], None
    try:
        # identity before reading: a file edited meanwhile re-renders next run
        files = source_identity(source, record)
        results = _WORKER['pipeline'](dict(record))  # degenerate scan: GeometryError
        views = results['views']
        if isinstance(source, SequenceSource):
            extra = {k: results[k] for k in ('frames_used', 'frame_problems')}
        save_npy_atomic(out_path, views)
        write_entry_record(out_path, make_entry_record(
            record['source_path'], key, record_inputs(source, record), files, out_path,
            views, extra))
    except Exception as e:  # reported per file, never silently dropped
        remove_entry(out_path)
        return record, 'failed', f'{type(e).__name__}: {e}', None
    return record, 'rendered', None, extra


def prepare_view_cache(source_cfg: Dict, renderer_cfg: Dict, out_dir: str, workers: int = 1,
                       force: bool = False, progress: bool = True,
                       limit: Optional[int] = None) -> Dict:
    """Render and cache every scan of ``source_cfg``; returns the report dict.

    Raises:
        PrepareInterrupted: on Ctrl-C, after stopping the workers; what is cached stays valid
            and is reused by the next run.
        PrepareError: a worker process died (the message names its scan), or another run holds
            ``out_dir``.
    """
    register_all_modules()
    t0 = time.time()
    source = DATASETS.build(source_cfg)
    records, skipped = source.scan()
    if limit:
        records = records[:limit]
    os.makedirs(out_dir, exist_ok=True)
    with _exclusive(out_dir):
        return _prepare(source, records, skipped, source_cfg, renderer_cfg, out_dir, workers,
                        force, progress, t0)


def _prepare(source, records, skipped, source_cfg, renderer_cfg, out_dir, workers, force,
             progress, t0) -> Dict:
    """prepare_view_cache once the records are known and out_dir is locked."""
    ann_path = osp.join(out_dir, 'annotations.json')
    sequences = isinstance(source, SequenceSource)
    temporal = temporal_settings(source, renderer_cfg)
    settings = dict(renderer=renderer_cfg)
    if sequences:
        settings['temporal'] = temporal
    settings = json.loads(json.dumps(settings))
    key = settings_key(renderer_cfg, source, temporal)
    _remove_temporary_files(out_dir)
    paths = [osp.join(out_dir, 'views', osp.splitext(r['source_path'])[0] + '.npy')
             for r in records]
    results, todo, why = [None] * len(records), [], {}
    for i, (record, path) in enumerate(zip(records, paths)):
        if force:
            reason, detail, rec = ('forced' if osp.exists(path) else 'new'), '', None
        else:
            reason, detail, rec = check_entry(path, key, source, record)
        if reason is None:
            results[i] = ('reused', None, rec.get('extra'))
        else:
            todo.append(i)
            why[i] = (reason, detail)
    if todo:
        _drop_outdated_annotations(ann_path, key, {paths[i] for i in todo})
    tasks = [(records[i], paths[i], key) for i in todo]
    running = set()
    rendering = _run(tasks, source_cfg, renderer_cfg, workers, progress, len(records), running)

    def cached() -> int:  # after a stop: finished, plus what ended as the workers stopped
        done = sum(r is not None and r[0] != 'failed' for r in results)
        return done + sum(check_entry(paths[todo[j]], key, source, records[todo[j]])[0] is None
                          for j in running)
    try:
        for j, (_, status, error, extra) in rendering:
            results[todo[j]] = (status, error, extra)
    except KeyboardInterrupt:
        with _sigint_ignored():  # a second Ctrl-C does not interrupt the cleanup
            rendering.close()  # stops the workers
            done = cached()
        raise PrepareInterrupted(done, len(records), out_dir) from None
    except (WorkerDied, WorkerError) as e:
        done = cached()
        if e.index is None:
            what = f'a worker process could not start: {e}'
        else:
            what = tasks[e.index][0]['source_path'] + ': ' + (
                str(e) if isinstance(e, WorkerError) else
                f'the worker process rendering it {describe_exit(e.exitcode)}')
        raise PrepareError(f'{what}; stopped with {done} of {len(records)} scans cached in '
                           f'{out_dir} (rerun to continue; if it happens again on this scan, '
                           f'move the file out of data_root)') from None

    data_list, frame_problems, counts = [], [], dict(rendered=0, reused=0, failed=0)
    for record, path, (status, error, extra) in zip(records, paths, results):
        counts[status] += 1
        if status == 'failed':
            skipped.append(dict(source_path=record['source_path'], reason=error))
            continue
        entry = dict(record, views=osp.relpath(path, out_dir))
        if sequences:
            extra = extra or dict(frames_used=None, frame_problems=[])
            entry.update(extra)
            frame_problems += [dict(source_path=record['source_path'], **p)
                               for p in extra['frame_problems'] or []]
        data_list.append(entry)
    report = dict(source=source_cfg, out_dir=out_dir, found=len(records),
                  converted=len(data_list), **counts,
                  render_reasons=dict(Counter(why[i][0] for i in todo).most_common()),
                  rerendered=[dict(source_path=records[i]['source_path'], reason=why[i][0],
                                   detail=why[i][1]) for i in todo if why[i][0] != 'new'],
                  skipped=skipped, seconds=round(time.time() - t0, 2))
    if sequences:
        report['frame_problems'] = frame_problems
    if getattr(source, 'selection', None):  # which rule chose the subjects (Bosphorus)
        report['selection'] = source.selection
    if data_list:
        meta = dict(format=ANNOTATION_FORMAT, version=ANNOTATION_VERSION,
                    dataset=getattr(source, 'dataset_name', type(source).__name__),
                    source_root=getattr(source, 'data_root', None), cache_key=key, **settings)
        write_json_atomic(ann_path, dict(metainfo=meta, data_list=data_list))
    elif osp.exists(ann_path):  # nothing of this run to list: no stale list either
        os.remove(ann_path)
    write_json_atomic(osp.join(out_dir, 'prepare_report.json'), report)
    return report


@contextmanager
def _sigint_ignored():
    """SIGINT ignored inside (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


@contextmanager
def _exclusive(out_dir: str):
    """Hold ``out_dir/.prepare.lock`` (one prepare run per cache at a time)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    path = osp.join(out_dir, '.prepare.lock')
    with open(path, 'a') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PrepareError(f'{out_dir} is being written by another prepare_data run (it holds '
                               f'{path}); wait for it to end or use another out_dir') from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _remove_temporary_files(out_dir: str) -> None:
    """Temporary files of a run that was killed (only called under the lock)."""
    for folder, _, files in os.walk(out_dir):
        for name in filter(TEMPORARY_NAME.match, files):
            with suppress(OSError):
                os.remove(osp.join(folder, name))


def _drop_outdated_annotations(ann_path: str, key: str, rerender: set) -> None:
    """Remove annotations.json (and its report) before any entry it lists is overwritten, or when
    it is of other settings: it never lists views that are not what it says."""
    try:
        with open(ann_path) as f:
            ann = json.load(f)
        listed = {osp.normpath(osp.join(osp.dirname(ann_path), d['views']))
                  for d in ann['data_list']}
        keep = (ann['metainfo'].get('cache_key') == key
                and not listed & {osp.normpath(p) for p in rerender})
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError):
        keep = False
    if not keep:
        for name in ('annotations.json', 'prepare_report.json'):
            with suppress(FileNotFoundError):
                os.remove(osp.join(osp.dirname(ann_path), name))


def _run(tasks, source_cfg, renderer_cfg, workers, progress, total, running):
    """Render the tasks, yielding (task index, result) as they finish, with a progress bar over
    all ``total`` scans (the reused ones done); ``running`` holds the indices being rendered."""
    with ProgressBar('rendering views', total, completed=total - len(tasks),
                     enabled=progress and bool(tasks)) as bar:
        if workers > 1 and len(tasks) > 1:
            results = run_in_workers(_render_one, tasks, workers, _init_worker,
                                     (source_cfg, renderer_cfg), running=running)
        else:
            results = _run_here(tasks, source_cfg, renderer_cfg, running)
        try:
            for j, res in results:
                yield j, res
                bar.advance()
        finally:
            results.close()  # stops the workers, whatever ended the loop


def _run_here(tasks, source_cfg, renderer_cfg, running):
    """The tasks in this process, in order."""
    _init_worker(source_cfg, renderer_cfg)
    for j, task in enumerate(tasks):
        running.add(j)
        res = _render_one(task)
        running.discard(j)
        yield j, res
