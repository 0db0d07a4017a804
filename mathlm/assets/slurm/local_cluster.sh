#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the test suite and for trying mathlm's Slurm jobs
# before taking them to a real cluster.
#
#   mathlm/assets/slurm/local_cluster.sh start     install slurm-wlm + munge if missing, start munged, slurmctld and
#                                    slurmd, wait until the node is idle, print `export SLURM_CONF=...`
#   mathlm/assets/slurm/local_cluster.sh status    say whether the three daemons run and show `sinfo` (exit 3 if down)
#   mathlm/assets/slurm/local_cluster.sh stop      cancel the cluster's jobs and stop the daemons (safe to repeat)
#   mathlm/assets/slurm/local_cluster.sh install   only install the Debian packages
#
#   eval "$(mathlm/assets/slurm/local_cluster.sh start)"   # then sbatch / squeue / mathlm slurm ... talk to it
#
# Everything (slurm.conf, munge key and socket, state, spool, logs, pid files) lives in one state dir,
# ${MATHLM_SLURM_STATE:-/tmp/mathlm-slurm}; nothing under /etc is changed, and the daemons listen on
# their own ports (MATHLM_SLURMCTLD_PORT, MATHLM_SLURMD_PORT) so that a system Slurm is left alone.
# `start` on a running cluster only prints the export line. Needs root (slurmd launches jobs).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # slurmctld, slurmd and munged live there

STATE_DIR="${MATHLM_SLURM_STATE:-/tmp/mathlm-slurm}"
CTLD_PORT="${MATHLM_SLURMCTLD_PORT:-16817}"
SLURMD_PORT="${MATHLM_SLURMD_PORT:-16818}"
PARTITION="${MATHLM_SLURM_PARTITION:-local}"
START_TIMEOUT_S="${MATHLM_SLURM_START_TIMEOUT:-60}"
# Jobs that may share one CPU: test jobs mostly sleep or print, and several test sessions may share a
# small machine, so a job does not queue behind another's idle CPU.
OVERSUBSCRIBE="${MATHLM_SLURM_OVERSUBSCRIBE:-4}"

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF="$STATE_DIR/slurm.conf"
MUNGE_DIR="$STATE_DIR/munge"
MUNGE_SOCKET="$MUNGE_DIR/munge.socket"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/log"
NODE="$(hostname -s)"

log() { echo "local_cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

lock_state_dir() {  # serialise start/stop; daemons must not inherit the lock (see launch)
  exec 9>"$RUN_DIR/cluster.lock"
  flock 9
}

launch() {  # start a daemon detached from this script's lock and output pipes (callers may capture them)
  local name="$1"; shift
  "$@" </dev/null >>"$LOG_DIR/$name.console" 2>&1 9>&- \
    || die "$name did not start; see $LOG_DIR/$name.log and $LOG_DIR/$name.console"
}

pid_of() {  # pid of a daemon started here, empty when it is not running
  # A pid file can outlive its daemon (killed, machine reused) and the pid be given to another
  # process, or stay a zombie that nothing reaps: it only counts when that process is the same
  # program and alive.
  local pid_file="$RUN_DIR/$1.pid" pid state
  [ -s "$pid_file" ] || return 0
  pid="$(cat "$pid_file" 2>/dev/null)"
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 0
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  case "$state" in ''|Z|X) return 0 ;; esac
  echo "$pid"
}

running() { [ -n "$(pid_of "$1")" ]; }

install_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    && command -v sbatch >/dev/null && return 0
  log "installing Debian packages slurm-wlm and munge"
  bash "$REPO_DIR/scripts/install_system_deps.sh" \
    || die "could not install slurm-wlm and munge; install them with apt-get (as root) and retry"
}

start_munged() {
  running munged && return 0
  mkdir -p "$MUNGE_DIR" && chmod 0700 "$MUNGE_DIR"
  if [ ! -s "$MUNGE_DIR/munge.key" ]; then
    log "creating a munge key in $MUNGE_DIR"
    (umask 077; head -c 1024 /dev/urandom > "$MUNGE_DIR/munge.key")
    chmod 0400 "$MUNGE_DIR/munge.key"
  fi
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
  launch munged munged --force --socket="$MUNGE_SOCKET" --key-file="$MUNGE_DIR/munge.key" \
    --pid-file="$RUN_DIR/munged.pid" --log-file="$LOG_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed"
}

real_memory_mb() {  # what the node offers jobs: 80% of physical memory, leaving room for the daemons
  awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo
}

write_conf() {
  cat > "$CONF" <<CONF
# Written by mathlm/assets/slurm/local_cluster.sh; rewritten at every start. One node, one partition, no accounting.
ClusterName=mathlm-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
PlugStackConfig=$STATE_DIR/plugstack.conf
MailProg=/bin/true
# No cgroups: works in containers and VMs without a delegated cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes (there is no sacct without accounting).
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(real_memory_mb) State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$OVERSUBSCRIBE
CONF
  : > "$STATE_DIR/plugstack.conf"
}

node_state() { SLURM_CONF="$CONF" sinfo --noheader --nodes="$NODE" --format=%T 2>/dev/null | head -n1; }

wait_until_ready() {
  local waited=0 state
  while [ "$waited" -lt "$START_TIMEOUT_S" ]; do
    state="$(node_state || true)"
    case "$state" in
      idle|mixed|allocated|completing) return 0 ;;
      down*|drain*) SLURM_CONF="$CONF" scontrol update nodename="$NODE" state=resume 2>/dev/null || true ;;
    esac
    sleep 1; waited=$((waited + 1))
  done
  log "the node is not idle after ${START_TIMEOUT_S}s (state: ${state:-no answer}); last log lines:"
  tail -n 20 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2 || true
  exit 1
}

start() {
  [ "$(id -u)" -eq 0 ] || die "run as root (or with sudo): slurmd must start jobs"
  install_packages
  mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd"
  lock_state_dir  # two test sessions starting at once: the second waits and finds the cluster up
  start_munged
  export SLURM_CONF="$CONF"
  if ! running slurmctld; then
    write_conf
    # -c: begin with an empty job table; a test cluster never needs to recover old jobs.
    launch slurmctld slurmctld -c -f "$CONF"
  fi
  if ! running slurmd; then
    launch slurmd slurmd -f "$CONF"
  fi
  wait_until_ready
  log "up: node $NODE ($(nproc) CPUs), partition $PARTITION, state in $STATE_DIR"
  echo "export SLURM_CONF=$CONF"
}

stop_daemon() {  # SIGTERM, then SIGKILL after 15 s
  local name="$1" pid tries=0
  pid="$(pid_of "$name")"
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    while [ -n "$(pid_of "$name")" ] && [ "$tries" -lt 75 ]; do sleep 0.2; tries=$((tries + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

stop() {
  [ -d "$RUN_DIR" ] || { log "not running (no $RUN_DIR)"; return 0; }
  lock_state_dir
  if running slurmctld; then
    SLURM_CONF="$CONF" scancel --partition="$PARTITION" 2>/dev/null || true
  fi
  # The Slurm daemons together (each takes a moment to save its state), munged once they are gone.
  stop_daemon slurmd & stop_daemon slurmctld & wait
  stop_daemon munged
}

status() {
  local up=0 name
  for name in munged slurmctld slurmd; do
    if running "$name"; then
      echo "$name: running (pid $(pid_of "$name"))"
    else
      echo "$name: not running"; up=3
    fi
  done
  if [ "$up" -eq 0 ]; then
    SLURM_CONF="$CONF" sinfo --nodes="$NODE" || up=3
    echo "export SLURM_CONF=$CONF"
  fi
  return "$up"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  install) install_packages ;;
  *) echo "usage: $0 start|stop|status|install   (state dir: $STATE_DIR)" >&2; exit 2 ;;
esac
