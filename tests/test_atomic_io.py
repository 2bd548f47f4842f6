"""smilezoo.utils.atomic_io: a file appears whole or not at all."""
import json
import os

import numpy as np
import pytest

from smilezoo.utils.atomic_io import (TEMPORARY_NAME, atomic_open, save_npy_atomic,
                                      write_json_atomic)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / 'sub' / 'report.json'
    write_json_atomic(path, dict(a=1))  # folder made
    seen = []
    with pytest.raises(RuntimeError):
        with atomic_open(path) as f:
            f.write(b'{"a": 2, "half')
            seen = os.listdir(path.parent)
            raise RuntimeError('killed mid-write')
    assert json.loads(path.read_text()) == dict(a=1)
    assert os.listdir(path.parent) == ['report.json']
    temporary = [n for n in seen if n != 'report.json']
    assert len(temporary) == 1 and TEMPORARY_NAME.match(temporary[0])  # prepare_data removes it
    assert not TEMPORARY_NAME.match('report.json')


def test_npy_round_trip_without_pickles(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 2, 2)
    save_npy_atomic(tmp_path / 'v.npy', arr)
    assert np.array_equal(np.load(tmp_path / 'v.npy', allow_pickle=False), arr)
    with pytest.raises(ValueError):
        save_npy_atomic(tmp_path / 'o.npy', np.array([object()]))
    assert sorted(os.listdir(tmp_path)) == ['v.npy']
