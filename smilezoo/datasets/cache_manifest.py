"""Per-entry records of the view cache: is a cached ``.npy`` what this run would write?

Next to every ``views/<path>.npy`` the cache keeps ``views/<path>.entry.json`` (written
atomically after the ``.npy``): ``settings`` (:func:`settings_key`), ``inputs``
(:func:`record_inputs`), ``files`` (:func:`source_identity`, taken before the files are read
for rendering), ``views`` (the ``.npy``'s shape, dtype and byte size) and ``extra`` (a
sequence's ``frames_used`` and ``frame_problems``).

:func:`check_entry` reuses an entry when all of these match and the ``.npy`` header loads
(docs/data_preparation.md, "When a cached entry is reused"; a file only touched, same content
hash, has its record refreshed); anything else is re-rendered, with one of :data:`REASONS`.
"""
import contextlib
import hashlib
import inspect
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from smilezoo.utils.atomic_io import write_text_atomic

from .sources.base import SequenceSource

#: bump when the rendering code changes what it writes for the same settings
CACHE_VERSION = 1
ENTRY_FORMAT = 'smilezoo.view_cache_entry'
#: files up to this size get a content hash (the cost stays a fraction of a render)
HASH_MAX_BYTES = 8 << 20
ENTRY_SUFFIX = '.entry.json'

#: why an entry is rendered (the keys of the report's ``render_reasons``)
REASONS = {
    'new': 'not cached yet',
    'forced': '--force',
    'no entry record': 'views without their entry record (an older cache, or a run '
                       'stopped between the two writes)',
    'bad entry record': 'the entry record is unreadable or incomplete',
    'settings changed': 'renderer, loader or temporal settings differ',
    'source changed': 'a source file (or the frames sampled from it) changed',
    'views damaged': 'the .npy is missing, truncated, unreadable or not the recorded shape/dtype',
}


def canonical_json(obj) -> str:
    """Sorted-key, compact JSON; tuples become lists, other objects their type name (never their
    repr with an address)."""
    def fallback(o):
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=repr)
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, type):
            return f'{o.__module__}.{o.__qualname__}'
        return f'<{type(o).__module__}.{type(o).__qualname__}>'
    return json.dumps(obj, sort_keys=True, separators=(',', ':'), default=fallback)


def canonical_renderer(renderer_cfg: Dict) -> Dict:
    """The renderer config with every constructor argument present (defaults filled in), so that
    spelling out a default changes nothing and a changed default in the code does."""
    from smilezoo.registry import TRANSFORMS
    cfg = dict(renderer_cfg)
    kind = cfg.get('type')
    cls = TRANSFORMS.get(kind) if isinstance(kind, str) else kind
    if not inspect.isclass(cls):
        return cfg
    out = dict(type=f'{cls.__module__}.{cls.__qualname__}')
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        params = ()
    for p in params:  # (*args and **kwargs have no default)
        if p.name in cfg or p.default is not p.empty:
            out[p.name] = cfg.get(p.name, p.default)
    out.update({k: v for k, v in cfg.items() if k not in out and k != 'type'})
    return out


def settings_key(renderer_cfg: Dict, source, temporal: Optional[Dict]) -> str:
    """SHA-256 of everything besides the input files that decides the views: the
    :func:`canonical_renderer`, the source type with its ``load_settings`` (e.g. Bosphorus
    ``as_mesh``), ``temporal`` (a sequence source's pooled-view settings, None for scans) and
    :data:`CACHE_VERSION`."""
    settings = dict(version=CACHE_VERSION, renderer=canonical_renderer(renderer_cfg),
                    loader=dict(type=type(source).__name__,
                                **(getattr(source, 'load_settings', None) or {})),
                    temporal=temporal)
    return hashlib.sha256(canonical_json(settings).encode()).hexdigest()


def files_read(source, record: Dict) -> Tuple[List[str], List[str]]:
    """(files the views depend on, the ones among them that are read), relative to
    ``source.data_root``: a sequence's every frame (the sampled ones are read), else the scan."""
    if isinstance(source, SequenceSource):
        frames = list(record['frames'])
        return frames, [frames[i] for i in dict.fromkeys(source.sample(record).tolist())]
    return [record['source_path']], [record['source_path']]


def record_inputs(source, record: Dict) -> Optional[Dict]:
    """What of a record besides its files decides the views: a sequence's sampled frames and
    numbering gaps; None for a 3D scan."""
    if not isinstance(source, SequenceSource):
        return None
    return dict(sampled=files_read(source, record)[1],
                missing_frames=list(record.get('missing_frames', [])))


def file_hash(path: str) -> str:
    h = hashlib.blake2b(digest_size=20)  # (hashlib.file_digest needs Python 3.11; we support 3.10)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def file_identity(root: str, rel: str, hashed: bool) -> Dict:
    """dict(path, size, mtime_ns, hash) of ``root/rel``; size None when it is missing; hash only
    when ``hashed`` and the file is small enough."""
    path = osp.join(root, rel)
    try:
        st = os.stat(path)
    except OSError:
        return dict(path=rel, size=None, mtime_ns=None, hash=None)
    digest = None
    if hashed and st.st_size <= HASH_MAX_BYTES:
        with contextlib.suppress(OSError):
            digest = file_hash(path)
    return dict(path=rel, size=st.st_size, mtime_ns=st.st_mtime_ns, hash=digest)


def source_identity(source, record: Dict) -> List[Dict]:
    """file_identity of every file of a record (:func:`files_read`; hashes for those read, when
    at most :data:`HASH_MAX_BYTES`)."""
    root = getattr(source, 'data_root', '') or ''
    files, read = files_read(source, record)
    read = set(read)
    return [file_identity(root, rel, rel in read) for rel in files]


def entry_record_path(npy_path: str) -> str:
    """``views/x.npy`` -> ``views/x.entry.json``."""
    return osp.splitext(npy_path)[0] + ENTRY_SUFFIX


def npy_header(path: str) -> Tuple[Tuple[int, ...], str]:
    """(shape, dtype str) of a ``.npy`` through a memory map: fails on a truncated or foreign
    file, never unpickles."""
    arr = np.load(path, mmap_mode='r', allow_pickle=False)
    if not isinstance(arr, np.ndarray):
        raise ValueError('not a single array')
    return tuple(arr.shape), arr.dtype.str


def make_entry_record(source_path: str, key: str, inputs, files: List[Dict],
                      npy_path: str, views: np.ndarray, extra: Optional[Dict]) -> Dict:
    return dict(format=ENTRY_FORMAT, version=CACHE_VERSION, source_path=source_path,
                settings=key, inputs=inputs, files=files,
                views=dict(shape=list(views.shape), dtype=views.dtype.str,
                           bytes=os.path.getsize(npy_path)), extra=extra)


def read_entry_record(npy_path: str) -> Optional[Dict]:
    """The entry record of a cached ``.npy``; None if there is none; ValueError if unreadable."""
    path = entry_record_path(npy_path)
    if not osp.isfile(path):
        return None
    try:
        with open(path) as f:
            rec = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f'{path}: {e}') from None
    if not isinstance(rec, dict) or rec.get('format') != ENTRY_FORMAT or not all(
            k in rec for k in ('settings', 'inputs', 'files', 'views')):
        raise ValueError(f'{path}: not a {ENTRY_FORMAT} record')
    return rec


def _same_file(old: Dict, root: str) -> Tuple[bool, bool, str]:
    """(same, touched, detail): touched when only the mtime moved and the content hash matches."""
    now = file_identity(root, old['path'], hashed=False)
    if now['size'] is None:
        return False, False, f"{old['path']} is gone"
    if now['size'] != old.get('size'):
        return False, False, f"{old['path']}: size {old.get('size')} -> {now['size']}"
    if now['mtime_ns'] == old.get('mtime_ns'):
        return True, False, ''
    if old.get('hash') and now['size'] <= HASH_MAX_BYTES:
        with contextlib.suppress(OSError):
            if file_hash(osp.join(root, old['path'])) == old['hash']:
                return True, True, ''
        return False, False, f"{old['path']}: content changed"
    return False, False, f"{old['path']}: modified (mtime)"


def check_entry(npy_path: str, key: str, source, record: Dict
                ) -> Tuple[Optional[str], str, Optional[Dict]]:
    """Is the cached entry at ``npy_path`` what this run would write?

    Returns (reason, detail, entry record): reason None when it can be reused (the record is
    returned, refreshed when a source file was only touched), else one of :data:`REASONS` with
    a detail for the report.
    """
    try:
        rec = read_entry_record(npy_path)
    except ValueError as e:
        return 'bad entry record', str(e), None
    if rec is None:
        return ('no entry record' if osp.exists(npy_path) else 'new'), '', None
    if rec['settings'] != key:
        return 'settings changed', '', None
    if rec['inputs'] != json.loads(json.dumps(record_inputs(source, record))):
        return 'source changed', 'other frames sampled or frame gaps changed', None
    root = getattr(source, 'data_root', '') or ''
    files, _ = files_read(source, record)
    try:
        if [f['path'] for f in rec['files']] != list(files):
            return 'source changed', 'the list of files differs', None
        touched = False
        for old in rec['files']:
            same, moved, detail = _same_file(old, root)
            if not same:
                return 'source changed', detail, None
            touched |= moved
        views = rec['views']
        shape, dtype = tuple(views['shape']), views['dtype']
    except (KeyError, TypeError) as e:
        return 'bad entry record', f'{entry_record_path(npy_path)}: {e!r}', None
    try:
        size = os.path.getsize(npy_path)
        if size != views.get('bytes'):
            return 'views damaged', f"{size} bytes, recorded {views.get('bytes')}", None
        found = npy_header(npy_path)
    except (OSError, ValueError, EOFError) as e:
        return 'views damaged', f'{type(e).__name__}: {e}', None
    if found != (shape, dtype):
        return 'views damaged', f'shape/dtype {found}, recorded {(shape, dtype)}', None
    if touched:  # same content: remember the new size/mtimes (hashes kept), skip hashing next time
        now = [file_identity(root, old['path'], hashed=False) for old in rec['files']]
        rec = dict(rec, files=[dict(old, size=n['size'], mtime_ns=n['mtime_ns'])
                               for old, n in zip(rec['files'], now)])
        write_entry_record(npy_path, rec)
    return None, '', rec


def write_entry_record(npy_path: str, rec: Dict) -> None:
    """Atomic, fsynced write of an entry record (after its ``.npy``)."""
    write_text_atomic(entry_record_path(npy_path), canonical_json(rec))


def remove_entry(npy_path: str) -> None:
    """Drop a cached entry (its record first: views without a record are never reused)."""
    for path in (entry_record_path(npy_path), npy_path):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
