#!/usr/bin/env bash
# The device run of tools/analysis_tools/gpu_check.py (about 9 minutes): installs the
# pack's wheels into /tmp (the device machine reaches no registry), then runs the check
# with the JSON written to $OUT (the device tool's folder that comes back) or
# work_dirs/gpu_check. Make the pack here first (tools/analysis_tools/gpu_check_pack.sh)
# and carry it, e.g. with the device tool:
#   run(command="bash tools/analysis_tools/gpu_check.sh", carry=[".gpu_pack"], timeout_s=600)
# Extra arguments go to gpu_check.py (e.g. --sections speed_vit_b16 train).
set -euo pipefail
cd "$(dirname "$0")/../.."
PACK=${PACK:-.gpu_pack}
DEST=${OUT:-work_dirs/gpu_check}
if [ ! -f "$PACK/manifest.json" ] || ! ls "$PACK"/wheels/*.whl > /dev/null 2>&1; then
  echo "gpu_check.sh: no pack at $PACK (manifest.json and wheels/): run" \
       "tools/analysis_tools/gpu_check_pack.sh here and carry $PACK" >&2
  exit 2
fi
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/gpu_check_site "$PACK"/wheels/*.whl
export PYTHONPATH="/tmp/gpu_check_site:$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$DEST"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$DEST/nvidia_smi.csv" 2>&1 || true
exec python3 tools/analysis_tools/gpu_check.py --pack "$PACK" --out "$DEST/gpu_check.json" "$@"
