"""Generate a synthetic 3D facial-expression data set in a benchmark's layout.

Example::

    python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
        --out data/synthetic_bu3dfe --subjects 40 --seed 0 --workers 2

4D layouts (bu4dfe, bp4d, 4dme) write sequences of frames; ``--frames`` sets
their mean length (and ``--clips`` the 4dme clips per subject)::

    python tools/dataset_converters/make_synthetic.py --layout bu4dfe \
        --out data/synthetic_bu4dfe --subjects 20 --frames 30 --workers 2

The tree mirrors the real data set's folders, file names and formats, so the
same loader and config run on it (point ``data_root`` at ``--out``).
``synthetic_info.json`` is written last; its presence marks a finished tree.
"""
import argparse
import inspect
import sys
from pathlib import Path

from smilezoo.datasets.synthetic import LAYOUTS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--layout', choices=sorted(LAYOUTS), default='bu3dfe',
                        help='on-disk layout to imitate')
    parser.add_argument('--out', required=True, type=Path,
                        help='output directory (created if missing)')
    parser.add_argument('--subjects', type=int, default=10,
                        help='number of subjects (25 scans each for bu3dfe)')
    parser.add_argument('--seed', type=int, default=0, help='master seed')
    parser.add_argument('--resolution', type=int, default=4000,
                        help='approximate vertices per scan (real F3D ~8000, '
                        'BU-4DFE frames ~35000)')
    # no --resolution: the layout's own default (bu3dfe 4000 vertices,
    # bosphorus 30000 range-grid points)
    parser.set_defaults(resolution=None)
    parser.add_argument('--frames', type=int,
                        help='4D layouts (bu4dfe, bp4d, 4dme): mean frames per '
                        'sequence (default: the layout\'s, 30)')
    parser.add_argument('--clips', type=int,
                        help='4dme: micro-expression clips per subject (default 10)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes')
    parser.add_argument('--overwrite', action='store_true',
                        help='allow writing into a non-empty directory that '
                        'is not a previous synthetic output')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.subjects < 1:
        print('error: --subjects must be >= 1', file=sys.stderr)
        return 2
    if args.resolution is None:
        args.resolution = inspect.signature(
            LAYOUTS[args.layout]).parameters['resolution'].default
    params = inspect.signature(LAYOUTS[args.layout]).parameters
    extra = {k: getattr(args, k) for k in ('frames', 'clips')
             if getattr(args, k) is not None}
    unused = [f'--{k}' for k in extra if k not in params]
    if unused:
        print(f"error: {', '.join(unused)} does not apply to --layout "
              f'{args.layout}', file=sys.stderr)
        return 2
    try:
        report = LAYOUTS[args.layout](
            args.out, args.subjects, args.seed, resolution=args.resolution,
            workers=args.workers, overwrite=args.overwrite,
            progress=not args.no_progress, **extra)
    except (FileExistsError, NotADirectoryError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    vmin, vmean, vmax = report['vertices']
    what = (f"{report['scans']} frames in {report['sequences']} sequences"
            if 'sequences' in report else f"{report['scans']} scans")
    print(f"{args.layout}: wrote {report['files']} files ({what} of "
          f"{report['subjects']} subjects) to {report['out_dir']} in "
          f"{report['seconds']:.1f} s; vertices per scan {vmin}-{vmax} "
          f'(mean {vmean:.0f})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
