"""Writer of BU-3DFE-style VRML 2.0 ``.wrl`` files (for the synthetic data).

The output copies the layout of the Binghamton files: the ``#VRML V2.0 utf8`` and ``#Tricorder
Technology plc - 2000`` header lines, one ``DEF Tricorder_object Transform`` holding a textured
``IndexedFaceSet`` (``coordIndex`` and a separate ``texCoordIndex``, polygons closed by -1), then
six ``DEF Tricorder_Camera_* Viewpoint`` nodes. Numbers are ``%``-formatted over whole arrays.
"""
from pathlib import Path
from typing import Sequence, Union

import numpy as np

from smilezoo.utils.atomic_io import write_bytes_atomic

__all__ = ['write_vrml', 'polygon_index_list']

HEADER = '#VRML V2.0 utf8\n#Tricorder Technology plc - 2000\n'

_TEMPLATE = '''{header}
DEF Tricorder_object Transform {{
  children [
    Shape {{
      appearance Appearance {{
        material Material {{
          ambientIntensity 0.2
          diffuseColor 0.8 0.8 0.8
          specularColor 0 0 0
          emissiveColor 0 0 0
          shininess 0.2
          transparency 0
        }}
        texture ImageTexture {{
          url "{texture}"
        }}
      }}
      geometry IndexedFaceSet {{
        ccw TRUE
        solid FALSE
        convex TRUE
        creaseAngle 1.57
        coord Coordinate {{
          point [
{points}
          ]
        }}
        coordIndex [
{coord_index}
        ]
        texCoord TextureCoordinate {{
          point [
{texcoords}
          ]
        }}
        texCoordIndex [
{tex_index}
        ]
      }}
    }}
  ]
}}
{cameras}'''

_CAMERA = '''DEF Tricorder_Camera_{name} Viewpoint {{
  fieldOfView 0.6
  position {px:.4f} {py:.4f} {pz:.4f}
  orientation {ax:g} {ay:g} {az:g} {angle:.6f}
  description "{name}"
}}
'''

_VIEWS = (  # name, direction from the centre to the camera, axis-angle
    ('Front', (0, 0, 1), (0, 1, 0, 0.0)),
    ('Back', (0, 0, -1), (0, 1, 0, np.pi)),
    ('Left', (-1, 0, 0), (0, 1, 0, -np.pi / 2)),
    ('Right', (1, 0, 0), (0, 1, 0, np.pi / 2)),
    ('Top', (0, 1, 0), (1, 0, 0, -np.pi / 2)),
    ('Bottom', (0, -1, 0), (1, 0, 0, np.pi / 2)),
)

PolygonsLike = Union[np.ndarray, Sequence[Sequence[int]]]


def polygon_index_list(polygons: PolygonsLike) -> np.ndarray:
    """Any polygon description -> (N,) int64 VRML list closed by -1s.

    Accepts a 1-D VRML list (-1 terminated; a missing final -1 is added), a (P, k) array of
    k-gons, or a sequence of index sequences (mixed sizes).
    """
    if isinstance(polygons, np.ndarray) and polygons.ndim == 1:
        index = polygons.astype(np.int64, copy=False)
        if index.size and index[-1] != -1:
            index = np.append(index, -1)
        return index
    if isinstance(polygons, np.ndarray) and polygons.ndim == 2:
        pad = np.full((len(polygons), 1), -1, dtype=np.int64)
        return np.hstack([polygons.astype(np.int64), pad]).ravel()
    parts = [np.append(np.asarray(p, dtype=np.int64), -1) for p in polygons]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _check(index: np.ndarray, count: int, what: str) -> np.ndarray:
    """Polygon sizes (P,) of a -1 terminated list, checked against ``count`` entries."""
    ends = np.flatnonzero(index < 0)
    if (index[ends] != -1).any():
        raise ValueError(f'{what}: negative index other than the -1 terminator')
    sizes = np.diff(np.concatenate(([-1], ends))) - 1
    if (sizes < 3).any():
        raise ValueError(f'{what}: polygon with fewer than 3 vertices')
    if index.size and index.max() >= count:
        raise ValueError(f'{what}: index {int(index.max())} out of range for {count} entries')
    return sizes


def _format_rows(values: np.ndarray, fmt: str, indent: str) -> str:
    """(N, k) floats -> 'v v v,' lines (last without comma)."""
    if len(values) == 0:
        return ''
    row = indent + ' '.join([fmt] * values.shape[1])
    text = ((row + ',\n') * len(values)) % tuple(values.ravel().tolist())
    return text[:-2]


def _format_index(index: np.ndarray, indent: str) -> str:
    """VRML index list -> one 'a b c -1,' line per polygon (last: no comma)."""
    if index.size == 0:
        return ''
    text = ' '.join(map(str, index.tolist()))
    return indent + text.replace('-1 ', '-1,\n' + indent)


def _cameras(vertices: np.ndarray) -> str:
    if len(vertices):
        lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    else:
        lo = hi = np.zeros(3)
    centre, dist = (lo + hi) / 2, 2.5 * float(np.max(hi - lo) + 1.0)
    out = []
    for name, direction, (ax, ay, az, angle) in _VIEWS:
        p = centre + dist * np.asarray(direction, dtype=np.float64)
        out.append(_CAMERA.format(name=name, px=p[0], py=p[1], pz=p[2], ax=ax, ay=ay, az=az,
                                  angle=angle))
    return ''.join(out)


def write_vrml(path, vertices: np.ndarray, polygons: PolygonsLike, texcoords: np.ndarray,
               tex_polygons: PolygonsLike, texture_name: str, precision: int = 4) -> Path:
    """Write one BU-3DFE-style ``.wrl`` file atomically; returns the path written.

    Args:
        vertices: (V, 3) mm.
        polygons: faces as a (N,) VRML list closed by -1, a (P, k) array or a sequence of index
            sequences (mixed sizes allowed).
        texcoords: (T, 2) texture coordinates.
        tex_polygons: same polygon structure as ``polygons``, indexing ``texcoords``.
        texture_name: file name for ``ImageTexture { url "..." }``.
        precision: decimals of the coordinates and texture coordinates.

    Raises:
        ValueError: bad shapes, indices out of range, a polygon under 3 vertices, or
            tex_polygons with another structure.
    """
    vertices = np.asarray(vertices, dtype=np.float64)
    texcoords = np.asarray(texcoords, dtype=np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise ValueError(f'vertices must be (V, 3), got {vertices.shape}')
    if texcoords.ndim != 2 or texcoords.shape[1] != 2:
        raise ValueError(f'texcoords must be (T, 2), got {texcoords.shape}')
    if '"' in texture_name or '\n' in texture_name:
        raise ValueError(f'texture name {texture_name!r} cannot be quoted')
    index = polygon_index_list(polygons)
    tex_index = polygon_index_list(tex_polygons)
    sizes = _check(index, len(vertices), 'polygons')
    tex_sizes = _check(tex_index, len(texcoords), 'tex_polygons')
    if not np.array_equal(sizes, tex_sizes):
        raise ValueError('tex_polygons must have the same polygon sizes as polygons')
    text = _TEMPLATE.format(
        header=HEADER, texture=texture_name,
        points=_format_rows(vertices, f'%.{precision}f', '  '),
        coord_index=_format_index(index, '  '),
        texcoords=_format_rows(texcoords, f'%.{precision}f', '  '),
        tex_index=_format_index(tex_index, '  '),
        cameras=_cameras(vertices))
    write_bytes_atomic(path, text.encode('ascii'))
    return Path(path)
