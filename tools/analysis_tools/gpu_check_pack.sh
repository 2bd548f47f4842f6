#!/usr/bin/env bash
# Make here what tools/analysis_tools/gpu_check.sh needs on the device machine, which
# has torch, timm, torchvision, numpy, opencv, matplotlib, rich, pyyaml and regex but not
# mmengine, open_clip or open3d, and reaches no package registry or model hub:
#   PACK/wheels/   mmengine, open_clip_torch and the pure-Python packages they import
#                  that the device lacks (addict, yapf, platformdirs, termcolor, ftfy,
#                  wcwidth), at the versions installed here (pip download --no-deps)
#   PACK/prompt_embeddings.pt, PACK/train_views.tar.xz, PACK/manifest.json
#                  from gpu_check.py --pack-data (prompt embeddings instead of the text
#                  encoders; the synthetic demo rendered at 224 px, xz-compressed)
# Usage: bash tools/analysis_tools/gpu_check_pack.sh [PACK [gpu_check.py --pack-data options]]
#   e.g. bash tools/analysis_tools/gpu_check_pack.sh .gpu_pack --subjects 12
# PACK defaults to .gpu_pack (git-ignored); PYTHON to .venv/bin/python if it exists.
set -euo pipefail
cd "$(dirname "$0")/../.."
PACK=${1:-.gpu_pack}
shift || true
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
WHEELS="mmengine addict yapf platformdirs termcolor open_clip_torch ftfy wcwidth"
rm -rf "$PACK/wheels"
mkdir -p "$PACK/wheels"
for name in $WHEELS; do
  version=$("$PY" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$name")
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
    -d "$PACK/wheels" "$name==$version"
done
n=$(ls "$PACK"/wheels/*.whl | wc -l)
if [ "$n" -ne "$(echo $WHEELS | wc -w)" ]; then
  echo "gpu_check_pack.sh: expected one wheel for each of $WHEELS, got $n in $PACK/wheels" >&2
  exit 1
fi
"$PY" tools/analysis_tools/gpu_check.py --pack-data "$PACK" "$@"
du -sh "$PACK"
