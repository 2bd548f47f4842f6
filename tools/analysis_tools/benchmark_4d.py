"""Time the 4D data path: dynamic images and the preparation of one frame.

Prints one JSON object with median timings in seconds:

- ``dynamic_image_s``: :func:`smilezoo.datasets.temporal.dynamic_image` of a
  16-frame, 3-view stack of renders (16 x 3 x 3 x 224 x 224 float32 in
  [0, 1]) with the default rescaling (target < 0.010); ``*_uint8_s`` the
  same from uint8 renders, ``*_raw_s`` without rescaling, ``*_minmax_s`` /
  ``*_fixed_s`` other rescalings;
- ``ref_mean_over_frames_s``: ``frames.mean(axis=0)`` of the same stack (a
  plain reference pass over the same memory);
- ``frame_*``: one ~35,000-vertex synthetic BU-4DFE-like frame (written as
  VRML 2.0 and as .obj): ``read_vrml_s``, ``read_obj_s``,
  ``render_3x224_s`` (MultiViewRenderer, 3 views, modes ('normal',) as the
  configs use, sequence normalisation given), ``prepare_vrml_s`` = read +
  render (target < 0.15 on one core) and ``render_3x224_all_modes_s``
  (depth + normal + shaded);
- ``sequence_16_frames_s``: the view pipeline (build_view_pipeline) on a 16-frame
  sequence of such frames (read 16 files, normalise, render, pool);
- ``one_core``: the frame and sequence figures again in a child process
  pinned to one core (``os.sched_setaffinity``, ``OMP_NUM_THREADS=1``,
  open3d ``nthreads=1``).

Usage: ``python tools/analysis_tools/benchmark_4d.py [--repeats 7]``
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
# the sibling script (run as a script, its folder is sys.path[0]; the child process too)
from benchmark_io import median_time

from smilezoo.utils.machine import rounded


def write_sequence(directory: Path, frames: int = 16) -> Path:
    """A BU-4DFE-layout sequence F001/Happy/000.wrl.. of ~35,000-vertex
    frames (a smile rising over the frames); also 000.obj. Returns the root."""
    from smilezoo.datasets.formats.obj import write_obj
    from smilezoo.datasets.formats.vrml_writer import write_vrml
    from smilezoo.datasets.synthetic import au_activations, sample_identity, synthesize_face
    rng = np.random.default_rng(0)
    identity = sample_identity(rng, 'F')
    apex = au_activations('HA', 4, identity.au_style, rng)
    seq = directory / 'F001' / 'Happy'
    seq.mkdir(parents=True)
    for t in range(frames):
        scan = synthesize_face(identity, apex * t / (frames - 1), resolution=35000, rng=t,
                               noise_mm=0.1, holes=False, sample_jitter=0)
        write_vrml(seq / f'{t:03d}.wrl', scan.vertices, scan.polygons, scan.texcoords,
                   scan.tex_polygons, f'{t:03d}.jpg')
        if t == 0:
            write_obj(directory / '000.obj', scan.vertices, scan.polygons, scan.texcoords,
                      scan.tex_polygons)
    return directory


def measure_frames(root: Path, repeats: int, num_threads: int) -> dict:
    from smilezoo.datasets.formats.obj import read_obj
    from smilezoo.datasets.formats.vrml import read_vrml
    from smilezoo.datasets.sources import BU4DFESequences
    from smilezoo.datasets.transforms.scan_to_views import (build_view_pipeline,
                                                            sequence_normalisation)
    from smilezoo.renderers import MultiViewRenderer
    path = root / 'F001' / 'Happy' / '000.wrl'
    mesh = read_vrml(path)
    renderer = MultiViewRenderer(image_size=224, modes=('normal',), num_threads=num_threads)
    full = MultiViewRenderer(image_size=224, modes=('depth', 'normal', 'shaded'),
                             num_threads=num_threads)
    centre, scale = sequence_normalisation([mesh])
    source = BU4DFESequences(str(root), num_frames_sampled=16)
    record = source.scan()[0][0]
    pipeline = build_view_pipeline(source, renderer)
    return dict(
        frame_read_vrml_s=median_time(lambda: read_vrml(path), repeats),
        frame_read_obj_s=median_time(lambda: read_obj(root / '000.obj'), repeats),
        frame_render_3x224_s=median_time(
            lambda: renderer.render(mesh, normalisation=(centre, scale)), repeats),
        frame_prepare_vrml_s=median_time(
            lambda: renderer.render(read_vrml(path), normalisation=(centre, scale)), repeats),
        frame_render_3x224_all_modes_s=median_time(lambda: full.render(mesh), repeats),
        sequence_16_frames_s=median_time(lambda: pipeline(dict(record)),
                                         max(1, repeats // 3)))


def measure_pooling(repeats: int) -> dict:
    from smilezoo.datasets.temporal import dynamic_image
    frames = np.random.default_rng(0).random((16, 3, 3, 224, 224), dtype=np.float32)
    frames_u8 = np.rint(frames * 255).astype(np.uint8)
    return dict(
        stack_shape=list(frames.shape),
        dynamic_image_s=median_time(lambda: dynamic_image(frames), repeats),
        dynamic_image_uint8_s=median_time(lambda: dynamic_image(frames_u8), repeats),
        dynamic_image_raw_s=median_time(lambda: dynamic_image(frames, rescale='none'),
                                        repeats),
        dynamic_image_minmax_s=median_time(lambda: dynamic_image(frames, rescale='minmax'),
                                           repeats),
        dynamic_image_fixed_s=median_time(lambda: dynamic_image(frames, rescale='fixed'),
                                          repeats),
        ref_mean_over_frames_s=median_time(lambda: frames.mean(axis=0), repeats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--root', help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()

    if args.root:  # child: one core
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        print(json.dumps(measure_frames(Path(args.root), args.repeats, 1)))
        return

    report = dict(cpu_cores=len(os.sched_getaffinity(0)))
    report.update(measure_pooling(max(args.repeats, 15)))
    with tempfile.TemporaryDirectory() as tmp:
        root = write_sequence(Path(tmp))
        from smilezoo.datasets.formats.vrml import read_vrml
        mesh = read_vrml(root / 'F001' / 'Happy' / '000.wrl')
        report.update(frame_vertices=len(mesh.vertices), frame_triangles=len(mesh.faces),
                      frame_file_mb=round((root / 'F001' / 'Happy' / '000.wrl').stat().st_size
                                          / 2**20, 2))
        report.update(measure_frames(root, args.repeats, 0))
        env = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1')
        child = subprocess.run([sys.executable, __file__, '--root', str(root), '--repeats',
                                str(args.repeats)], env=env, capture_output=True, text=True,
                               check=True)
        report['one_core'] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(rounded(report, 5), indent=2))


if __name__ == '__main__':
    main()
