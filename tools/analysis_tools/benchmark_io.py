"""Time the VRML reader and the multi-view renderer on a BU-4DFE-sized frame.

Writes (into a temporary directory) a synthetic VRML 2.0 frame in the
BU-4DFE layout: ~35,000 vertices, ~67,000 polygons (triangles, quads and
pentagons), texture coordinates with their own texCoordIndex, Viewpoint
nodes. Prints one JSON object with median timings in seconds:

- ``read_vrml_s``: ``smilezoo.datasets.formats.vrml.read_vrml``;
- ``ref_read_bytes_s``: reading the file's bytes only;
- ``ref_split_float_s``: reading the bytes plus ``np.array(bytes.split(),
  float)`` of the file's four number lists (a plain bulk-conversion floor);
- ``render_3x224_s`` / ``render_3x64_s``: MultiViewRenderer, 3 views, modes
  depth + normal + shaded, mesh input (scene build included);
- ``render_points_3x224_s``: the same views of the bare vertex cloud;
- ``one_core``: the same figures in a child process pinned to one core
  (``os.sched_setaffinity``, ``OMP_NUM_THREADS=1``, open3d ``nthreads=1``).
- ``bnt``: a Bosphorus ``.bnt`` range grid of 180 x 170 = 30,600 points
  (22,800 valid, the rest background), read in a child process pinned to
  one core, medians in MICROseconds: ``read_bnt_us`` (``read_bnt``),
  ``read_bnt_points_us`` and ``read_bnt_mesh_us`` (plus ``to_mesh``
  without / with the grid triangulation) and the reference
  ``ref_fromfile_us`` (``np.fromfile`` of the same file's float64 block:
  the floor for any reader). The file is in the page cache.

Usage: ``python tools/analysis_tools/benchmark_io.py [--repeats 7]``
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def face_grid(n: int = 187):
    """(n*n, 3) float64 millimetre vertices of a face-like height field."""
    u = np.linspace(-1, 1, n)
    x, y = np.meshgrid(u, u)
    z = (60 * np.sqrt(np.clip(1 - 0.6 * x**2 - 0.4 * y**2, 0, None)) +
         25 * np.exp(-((x / 0.12)**2 + ((y + 0.05) / 0.3)**2)) -
         8 * np.exp(-(((np.abs(x) - 0.35) / 0.15)**2 + ((y - 0.3) / 0.1)**2)))
    return np.stack([75 * x, -95 * y, z], -1).reshape(-1, 3)


def grid_polygons(n: int, seed: int = 0):
    """Polygons (lists of vertex ids) covering an n x n grid: mostly
    triangles, ~3% quads, a pentagon + triangle on ~2% of cell pairs."""
    rng = np.random.default_rng(seed)
    polys = []
    for r in range(n - 1):
        c = 0
        while c < n - 1:
            v00, v01, v10, v11 = (r * n + c, r * n + c + 1, (r + 1) * n + c,
                                  (r + 1) * n + c + 1)
            roll = rng.random()
            if roll < 0.02 and c + 2 < n:
                v02, v12 = v01 + 1, v11 + 1
                polys += [[v00, v10, v11, v12, v01], [v01, v12, v02]]
                c += 2
                continue
            if roll < 0.05:
                polys.append([v00, v10, v11, v01])
            else:
                polys += [[v00, v10, v11], [v00, v11, v01]]
            c += 1
    return polys


def vrml_text(points, polys, uv, uv_perm, texture='000.jpg') -> str:
    """A VRML 2.0 file in the Binghamton layout (mixed separators)."""
    pts = ',\n'.join('%.4f %.4f %.4f' % tuple(p) for p in points)
    idx = ',\n'.join(' '.join(map(str, p)) + ' -1' for p in polys)
    tidx = '\n'.join(' '.join(str(uv_perm[i]) for i in p) + ' -1,'
                     for p in polys)
    uvs = ', '.join('%.5f %.5f' % tuple(t) for t in uv)
    views = '\n'.join(
        f'DEF Tricorder_Camera_{name} Viewpoint {{ position 0 0 {z} '
        f'orientation 0 1 0 {a} fieldOfView 0.5 description "{name}" }}'
        for name, z, a in (('Front', 600, 0), ('Left', 500, -1.57),
                           ('Right', 500, 1.57), ('Top', 500, 0),
                           ('Bottom', 500, 0), ('Back', -600, 3.14)))
    return ('#VRML V2.0 utf8\n#Tricorder Technology plc - 2000\n'
            'DEF Tricorder_object Transform {\n children [\n  Shape {\n'
            '   appearance Appearance { material Material { diffuseColor '
            f'1 1 1 }}\n    texture ImageTexture {{ url "{texture}" }} }}\n'
            '   geometry IndexedFaceSet {\n    ccw TRUE solid FALSE convex '
            'TRUE creaseAngle 1.57\n    coord Coordinate {\n     point [\n'
            f'{pts}\n     ]\n    }}\n    coordIndex [\n{idx}\n    ]\n'
            '    texCoord TextureCoordinate {\n     point [\n'
            f'{uvs}\n     ]\n    }}\n    texCoordIndex [\n{tidx}\n    ]\n'
            f'   }}\n  }}\n ]\n}}\n{views}\n')


def write_frame(directory: Path, n: int = 187) -> Path:
    """Write the benchmark frame; returns its path."""
    points = face_grid(n)
    polys = grid_polygons(n)
    perm = np.random.default_rng(1).permutation(len(points))
    uv = np.zeros((len(points), 2))
    grid = np.linspace(0, 1, n)
    uv[perm] = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2)
    path = directory / '000.wrl'
    path.write_text(vrml_text(points, polys, uv, perm))
    return path


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reference_split(path: Path):
    data = path.read_bytes()
    for block in re.findall(rb'\[([^\[\]]*)\]', data):
        np.array(block.replace(b',', b' ').split(), dtype=np.float64)


def measure(path: Path, repeats: int, num_threads: int) -> dict:
    from smilezoo.structures import Mesh
    from smilezoo.datasets.formats.vrml import read_vrml
    from smilezoo.renderers import MultiViewRenderer

    mesh = read_vrml(path)
    modes = ('depth', 'normal', 'shaded')
    r224 = MultiViewRenderer(image_size=224, modes=modes,
                             num_threads=num_threads)
    r64 = MultiViewRenderer(image_size=64, modes=modes,
                            num_threads=num_threads)
    cloud = Mesh(mesh.vertices)
    return dict(
        read_vrml_s=median_time(lambda: read_vrml(path), repeats),
        ref_read_bytes_s=median_time(path.read_bytes, repeats),
        ref_split_float_s=median_time(lambda: reference_split(path),
                                      repeats),
        render_3x224_s=median_time(lambda: r224.render(mesh), repeats),
        render_3x64_s=median_time(lambda: r64.render(mesh), repeats),
        render_points_3x224_s=median_time(lambda: r224.render(cloud),
                                          repeats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--frame', help=argparse.SUPPRESS)  # child process
    parser.add_argument('--bnt', help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()

    if args.bnt:  # child: one core, .bnt reading
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        print(json.dumps(measure_bnt(Path(args.bnt), args.repeats)))
        return

    if args.frame:  # child: one core
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        import torch
        torch.set_num_threads(1)
        print(json.dumps(measure(Path(args.frame), args.repeats, 1)))
        return

    from smilezoo.datasets.formats.vrml import read_vrml
    with tempfile.TemporaryDirectory() as tmp:
        path = write_frame(Path(tmp))
        mesh = read_vrml(path)
        report = dict(
            file_mb=round(path.stat().st_size / 2**20, 2),
            vertices=len(mesh.vertices),
            polygons=path.read_bytes().split(b'coordIndex', 1)[1].split(
                b']', 1)[0].count(b'-1'),
            triangles=len(mesh.faces),
            cpu_cores=len(os.sched_getaffinity(0)))
        report.update(measure(path, args.repeats, 0))
        if hasattr(os, 'sched_setaffinity'):
            env = dict(os.environ, OMP_NUM_THREADS='1')
            child = subprocess.run(
                [sys.executable, __file__, '--frame', str(path),
                 '--repeats', str(args.repeats)],
                env=env, capture_output=True, text=True, check=True)
            report['one_core'] = json.loads(
                child.stdout.strip().splitlines()[-1])
        else:
            report['one_core'] = 'not measured: no os.sched_setaffinity here'
        report['bnt'] = bnt_section(Path(tmp), args.repeats)
    from smilezoo.utils.machine import rounded
    print(json.dumps(rounded(report, 5), indent=2))


def write_bnt_scan(directory: Path, rows: int = 180, cols: int = 170) -> Path:
    """A Bosphorus-style range grid (mm, background = -1e9 outside an
    oval face, rows stored bottom-up); returns its path."""
    from smilezoo.datasets.formats.bnt import write_bnt
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    x, y = (xx - cols / 2) * 0.9, (yy - rows / 2) * 0.9
    r2 = (x / 70)**2 + (y / 85)**2
    z = 60 * np.sqrt(np.clip(1 - 0.8 * r2, 0, None)) + 20 * np.exp(
        -(x / 8)**2 - ((y + 5) / 20)**2)
    bg = r2 > 1
    chans = [np.where(bg, -1e9, c) for c in (x, y, z, xx / cols, yy / rows)]
    path = directory / 'bs000_E_HAPPY_0.bnt'
    write_bnt(path, *chans, zmin=-1e9, texture_name='bs000_E_HAPPY_0.png')
    return path


def measure_bnt(path: Path, repeats: int) -> dict:
    """Median seconds of the .bnt reader and of np.fromfile on the file."""
    from smilezoo.datasets.formats.bnt import read_bnt
    offset = 18 + len(read_bnt(path).texture)
    return dict(
        read_bnt_s=median_time(lambda: read_bnt(path), repeats),
        read_bnt_points_s=median_time(
            lambda: read_bnt(path).to_mesh(triangulate=False), repeats),
        read_bnt_mesh_s=median_time(lambda: read_bnt(path).to_mesh(),
                                    repeats),
        ref_fromfile_s=median_time(
            lambda: np.fromfile(path, dtype='<f8', offset=offset), repeats))


def bnt_section(directory: Path, repeats: int) -> dict:
    """Write the .bnt scan and time it on one core (a pinned child)."""
    from smilezoo.datasets.formats.bnt import read_bnt
    path = write_bnt_scan(directory)
    scan = read_bnt(path)
    out = dict(file_mb=round(path.stat().st_size / 2**20, 2),
               grid=list(scan.shape), grid_points=int(scan.valid.size),
               valid_points=int(scan.valid.sum()),
               triangles=len(scan.to_mesh().faces))
    if not hasattr(os, 'sched_setaffinity'):
        times = measure_bnt(path, repeats)
        out.update({k[:-2] + '_us': round(v * 1e6, 1)
                    for k, v in times.items()}, one_core=False)
        return out
    env = dict(os.environ, OMP_NUM_THREADS='1')
    child = subprocess.run(
        [sys.executable, __file__, '--bnt', str(path), '--repeats',
         str(max(repeats, 15))], env=env, capture_output=True, text=True,
        check=True)
    times = json.loads(child.stdout.strip().splitlines()[-1])
    out.update({k[:-2] + '_us': round(v * 1e6, 1) for k, v in times.items()},
               one_core=True)
    return out


if __name__ == '__main__':
    main()
