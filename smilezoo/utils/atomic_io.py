"""Files that appear whole or not at all: every file smilezoo writes goes through here.

Data is written to a hidden temporary sibling (``.<name>.tmp<pid>``), flushed and fsynced, then
renamed onto the target; on any error (Ctrl-C included) the temporary file is removed and the target
is left as it was.
"""
import json
import os
import os.path as osp
import re
from contextlib import contextmanager
from typing import BinaryIO, Iterator

import numpy as np

TEMPORARY_NAME = re.compile(r'^\..+\.tmp\d+$')  # a leftover of a killed writer


@contextmanager
def atomic_open(path) -> Iterator[BinaryIO]:
    """``with atomic_open(path) as f:`` a binary file that becomes ``path``
    when the block ends without an error (the folder is made if needed)."""
    path = os.fspath(path)
    folder, name = osp.split(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{name}.tmp{os.getpid()}')
    try:
        with open(tmp, 'wb') as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_bytes_atomic(path, data: bytes) -> None:
    with atomic_open(path) as f:
        f.write(data)


def write_text_atomic(path, text: str) -> None:
    write_bytes_atomic(path, text.encode('utf-8'))


def write_json_atomic(path, obj, indent: int = 1) -> None:
    write_text_atomic(path, json.dumps(obj, indent=indent))


def save_npy_atomic(path, arr: np.ndarray) -> None:
    """np.save without pickles."""
    with atomic_open(path) as f:
        np.save(f, arr, allow_pickle=False)
