"""The whole tree passes ruff (rules E, F, W at one line length: pyproject.toml)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    proc = subprocess.run([sys.executable, '-m', 'ruff', 'check', '--no-cache',
                           '--output-format', 'concise', '.'],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
