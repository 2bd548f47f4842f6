"""Fault injection for the view cache (issue 10, bullets 3, 4 and 8-4D):
a cache entry is reused only when it is what this run would write, an
interrupted run resumes, a dead worker ends prepare_data naming its scan,
Ctrl-C exits 130 with one line, 4D frame problems are summed up on the console.

Faults come from :class:`FaultyScans`, a BU3DFEScans that misbehaves on one
scan; ``prepare_data`` subprocesses import it from this file
(``custom_imports``)."""
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, TINY_CONFIG
from smilezoo.datasets.sources import BU3DFEScans
from smilezoo.datasets.view_cache import prepare_view_cache
from smilezoo.registry import DATASETS

SIZE = 16  # px: tiny views keep every run about a second


@DATASETS.register_module(force=True)
class FaultyScans(BU3DFEScans):
    """BU3DFEScans whose ``load`` of ``fault_scan`` does ``fault``:
    'sigkill' (its process dies), 'exit' (os._exit(3)), 'interrupt' (raises
    KeyboardInterrupt), 'ctrl-c' (SIGINT to the process group, as a terminal
    does, then keeps working). ``stamp``: a file to write the time into
    just before."""

    def __init__(self, data_root, fault_scan=None, fault=None, stamp=None, **kwargs):
        super().__init__(data_root, **kwargs)
        self.fault_scan, self.fault, self.stamp = fault_scan, fault, stamp

    def load(self, record):
        if record['source_path'] == self.fault_scan:
            if self.stamp:
                Path(self.stamp).write_text(repr(time.time()))
            if self.fault == 'sigkill':
                os.kill(os.getpid(), signal.SIGKILL)
            elif self.fault == 'exit':
                os._exit(3)
            elif self.fault == 'interrupt':
                raise KeyboardInterrupt
            elif self.fault == 'ctrl-c':
                os.killpg(os.getpgrp(), signal.SIGINT)
                time.sleep(20)
        return super().load(record)


class Payload:
    """Unpickling it touches a marker file (it must never happen)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (Path(self.marker),)


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    """2 synthetic subjects, 48 expression scans of ~300 vertices."""
    from smilezoo.datasets.synthetic import make_bu3dfe
    out = tmp_path_factory.mktemp('reliability') / 'bu3dfe'
    make_bu3dfe(out, 2, seed=1, resolution=300, progress=False)
    return out


def source(root, **fault):
    return dict(type='FaultyScans', data_root=str(root), **fault)


def renderer(size=SIZE):
    return dict(type='MultiViewRenderer', image_size=size)


def prepare(root, cache, size=SIZE, workers=1, **fault):
    return prepare_view_cache(source(root, **fault), renderer(size), str(cache),
                              workers=workers, progress=False)


def scan_paths(root):
    return [r['source_path'] for r in BU3DFEScans(str(root)).scan()[0]]


def npy(cache, source_path):
    return cache / 'views' / Path(source_path).with_suffix('.npy')


def annotations(cache):
    return json.loads((cache / 'annotations.json').read_text())


def listed_shapes(cache):
    """{shape of every .npy annotations.json lists}."""
    return {np.load(cache / d['views']).shape for d in annotations(cache)['data_list']}


def write_config(tmp_path, root, cache, **fault):
    cfg = tmp_path / 'faulty.py'
    cfg.write_text(
        f"_base_ = [{str(TINY_CONFIG)!r}]\n"
        "custom_imports = dict(imports=['test_view_cache_reliability'])\n"
        f"data_preparation = dict(source=dict(_delete_=True, **{source(root, **fault)!r}), "
        f"renderer=dict(image_size={SIZE}), out_dir={str(cache)!r})\n")
    return cfg


def prepare_tool(cfg, *args, timeout=180, new_session=False):
    """tools/prepare_data.py CFG ARGS in a subprocess that can import this file;
    (process, seconds). Before the fix a dead worker hung it: the timeout ends
    such a run (TimeoutExpired fails the test)."""
    env = dict(os.environ, HF_HUB_OFFLINE='1', PYTHONUNBUFFERED='1',
               PYTHONPATH=os.pathsep.join([str(ROOT / 'tests'), os.environ.get('PYTHONPATH', '')]))
    # A job started in the background by a non-interactive shell inherits SIGINT
    # ignored, and then Python installs no KeyboardInterrupt handler: the child
    # gets the default disposition back, as a terminal's foreground job has it.
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, 'tools/prepare_data.py', str(cfg), *map(str, args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          start_new_session=new_session,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return proc, time.monotonic() - t0


# --------------------------------------------------------------------------
# bullet 3: reuse only what this run would write
# --------------------------------------------------------------------------
def test_damaged_views_are_rendered_again_never_unpickled(tree, tmp_path):
    cache = tmp_path / 'cache'
    assert prepare(tree, cache)['rendered'] == 48
    truncated, other_dtype, pickled = scan_paths(tree)[:3]
    good = {p: np.load(npy(cache, p)) for p in (truncated, other_dtype, pickled)}
    data = npy(cache, truncated).read_bytes()
    npy(cache, truncated).write_bytes(data[:len(data) // 2])
    np.save(npy(cache, other_dtype), good[other_dtype].astype(np.float32))
    marker = tmp_path / 'payload_ran'
    with open(npy(cache, pickled), 'wb') as f:
        np.save(f, np.array([Payload(marker)], dtype=object), allow_pickle=True)

    again = prepare(tree, cache)
    assert (again['rendered'], again['reused']) == (3, 45)
    assert again['render_reasons'] == {'views damaged': 3}
    assert {r['source_path'] for r in again['rerendered']} == set(good)
    assert not marker.exists()
    for p, views in good.items():
        np.testing.assert_array_equal(np.load(npy(cache, p)), views)
    assert listed_shapes(cache) == {(3, 3, SIZE, SIZE)}
    report = json.loads((cache / 'prepare_report.json').read_text())
    assert report['render_reasons'] == {'views damaged': 3}


def test_changed_renderer_settings_rerender_and_annotations_never_mix(tree, tmp_path):
    cache = tmp_path / 'cache'
    paths = scan_paths(tree)
    prepare(tree, cache)
    # a run at another image_size, interrupted after 20 scans
    with pytest.raises(KeyboardInterrupt):
        prepare(tree, cache, size=24, fault_scan=paths[20], fault='interrupt')
    assert {np.load(npy(cache, p)).shape[-1] for p in paths[:20]} == {24}
    if (cache / 'annotations.json').exists():  # whatever it lists is what it says
        assert listed_shapes(cache) == {(3, 3, 16, 16)}
    # back to 16 px: the 24 px entries are rendered again, the others reused
    back = prepare(tree, cache)
    assert (back['rendered'], back['reused']) == (20, 28)
    assert back['render_reasons'] == {'settings changed': 20}
    assert listed_shapes(cache) == {(3, 3, 16, 16)}
    # a complete run at 24 px: everything again
    bigger = prepare(tree, cache, size=24)
    assert (bigger['rendered'], bigger['reused']) == (48, 0)
    assert bigger['render_reasons'] == {'settings changed': 48}
    assert listed_shapes(cache) == {(3, 3, 24, 24)}
    assert annotations(cache)['metainfo']['renderer']['image_size'] == 24


def test_edited_scan_is_rendered_again_and_the_others_reused(tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(tree, root)
    cache = tmp_path / 'cache'
    prepare(root, cache)
    replaced, copied, same_size, touched = scan_paths(root)[:4]
    shutil.copyfile(root / copied, root / replaced)  # another face
    text = (root / same_size).read_text()  # one digit of a coordinate: same size
    i = re.search(r'point \[\s*-?\d', text).end() - 1
    (root / same_size).write_text(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:])
    future = time.time() + 5
    os.utime(root / same_size, (future, future))
    os.utime(root / touched, (future, future))  # same content, new mtime: still valid

    again = prepare(root, cache)
    assert (again['rendered'], again['reused']) == (2, 46)
    assert again['render_reasons'] == {'source changed': 2}
    details = {r['source_path']: r['detail'] for r in again['rerendered']}
    assert set(details) == {replaced, same_size}
    assert 'size' in details[replaced] and 'content changed' in details[same_size]
    np.testing.assert_array_equal(np.load(npy(cache, replaced)), np.load(npy(cache, copied)))
    assert prepare(root, cache)['reused'] == 48


# --------------------------------------------------------------------------
# bullet 3: an interrupted run resumes
# --------------------------------------------------------------------------
def test_interrupted_run_resumes_without_redoing_finished_scans(tree, tmp_path):
    cache = tmp_path / 'cache'
    paths = scan_paths(tree)
    with pytest.raises(KeyboardInterrupt) as info:
        prepare(tree, cache, fault_scan=paths[24], fault='interrupt')
    assert getattr(info.value, 'cached', 24) == 24
    assert not (cache / 'annotations.json').exists()  # no partial list that looks complete
    again = prepare(tree, cache)
    assert (again['reused'], again['rendered']) == (24, 24)
    assert again['render_reasons'] == {'new': 24}


def test_kill_9_mid_run_resumes(tree, tmp_path):
    cache = tmp_path / 'cache'
    paths = scan_paths(tree)
    proc, _ = prepare_tool(write_config(tmp_path, tree, cache, fault_scan=paths[24],
                                        fault='sigkill'))
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    again = prepare(tree, cache)
    assert (again['reused'], again['rendered']) == (24, 24)
    assert not list(cache.rglob('*.tmp*'))


# --------------------------------------------------------------------------
# bullet 4: dead workers and Ctrl-C
# --------------------------------------------------------------------------
def test_killed_worker_ends_prepare_data_naming_its_scan(tree, tmp_path):
    cache = tmp_path / 'cache'
    victim = scan_paths(tree)[30]
    stamp = tmp_path / 'killed_at'
    proc, _ = prepare_tool(write_config(tmp_path, tree, cache, fault_scan=victim,
                                        fault='sigkill', stamp=str(stamp)), '--workers', 2)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert time.time() - float(stamp.read_text()) < 30  # from the kill to the exit
    msg = proc.stderr
    assert victim in msg and 'SIGKILL' in msg and 'Traceback' not in msg, msg[-3000:]
    assert not (cache / 'annotations.json').exists()
    cached = int(re.search(r'stopped with (\d+) of 48 scans cached', msg).group(1))
    assert prepare(tree, cache)['reused'] == cached


@pytest.mark.timeout(60)
def test_worker_exit_is_reported_by_the_library(tree, tmp_path):
    victim = scan_paths(tree)[5]
    with pytest.raises(RuntimeError, match=re.escape(victim) + '.*exited with code 3') as info:
        prepare(tree, tmp_path / 'cache', workers=2, fault_scan=victim, fault='exit')
    assert type(info.value).__name__ == 'PrepareError'


def test_ctrl_c_prints_one_line_and_exits_130(tree, tmp_path):
    cache = tmp_path / 'cache'
    proc, _ = prepare_tool(write_config(tmp_path, tree, cache, fault_scan=scan_paths(tree)[24],
                                        fault='ctrl-c'), '--workers', 2, new_session=True)
    assert proc.returncode == 130, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert 'Traceback' not in out and 'KeyboardInterrupt' not in out, out[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() + proc.stderr.splitlines()
             if ln.strip() and 'rendering views' not in ln]  # (the progress bar)
    assert len(lines) == 1, lines
    m = re.fullmatch(rf'interrupted: (\d+) of 48 scans are cached in {re.escape(str(cache))}; '
                     r'rerun to continue', lines[0])
    assert m, lines
    assert 10 <= int(m.group(1)) < 48
    assert prepare(tree, cache)['reused'] == int(m.group(1))


# --------------------------------------------------------------------------
# bullet 8 (4D half): frame problems on the console
# --------------------------------------------------------------------------
def test_4d_frame_problems_are_summed_up_on_the_console(tmp_path, monkeypatch, capsys):
    from smilezoo.datasets.sources import BU4DFESequences
    from smilezoo.datasets.synthetic import make_bu4dfe
    root, cache = tmp_path / 'bu4dfe', tmp_path / 'cache'
    make_bu4dfe(root, 1, seed=1, resolution=300, frames=8, progress=False)
    opts = dict(num_frames_sampled=6, min_frames=4)
    src = BU4DFESequences(str(root), **opts)
    records = {r['source_path']: r for r in src.scan()[0]}

    def sampled(seq):
        rec = records[seq]
        return [rec['frames'][i] for i in dict.fromkeys(src.sample(rec).tolist())]
    text = (root / sampled('F001/Angry')[3]).read_text()
    (root / sampled('F001/Angry')[3]).write_text(text[:len(text) // 2])
    for rel in sampled('F001/Sad')[2:4]:
        (root / rel).write_text('#VRML V2.0 utf8\nnot a mesh\n')
    sorted((root / 'F001' / 'Happy').glob('*.wrl'))[4].unlink()  # a numbering gap
    cfg = tmp_path / 'prep4d.py'
    cfg.write_text(f"_base_ = [{str(TINY_CONFIG)!r}]\n"
                   f"data_preparation = dict(source=dict(_delete_=True, "
                   f"type='BU4DFESequences', data_root={str(root)!r}, **{opts!r}), "
                   f"renderer=dict(image_size={SIZE}), out_dir={str(cache)!r})\n")
    spec = importlib.util.spec_from_file_location('prepare_data_tool',
                                                  ROOT / 'tools' / 'prepare_data.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(sys, 'argv', ['prepare_data.py', str(cfg)])
    tool.main()
    err = ' '.join(capsys.readouterr().err.split())  # rich wraps long lines
    assert ('frame problems in 3 of 6 converted sequence(s): 3 unreadable frame(s) '
            'dropped, 1 missing') in err, err
    assert 'no IndexedFaceSet node in the file (2)' in err and 'truncated file (1)' in err
    assert 'missing (gap in the frame numbering) (1)' in err
    report = json.loads((cache / 'prepare_report.json').read_text())
    assert len(report['frame_problems']) == 4
