#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, in a folder of its own (no /etc changes), for
# `lrtsim explore --slurm` tests and demos.
#
#   scripts/slurm_local.sh start DIR   # munged + slurmctld + slurmd; prints SLURM_CONF=DIR/slurm.conf
#   scripts/slurm_local.sh stop DIR
#
# Then: SLURM_CONF=DIR/slurm.conf lrtsim explore SWEEP --out OUT --slurm
# Needs Debian's slurm-wlm and munge (scripts/setup.sh installs them) and root (slurmd runs
# jobs as their owner). Exit 77 (the ctest "skipped" code) when Slurm cannot start here,
# with the reason on stderr: never a silent success.
set -euo pipefail
cmd=${1:?usage: slurm_local.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: slurm_local.sh start|stop DIR}" && cd "$2" && pwd)

skip() { echo "slurm_local: cannot start Slurm here: $*" >&2; exit 77; }

stop() {
  for f in slurmd.pid slurmctld.pid; do
    [[ -s $dir/$f ]] && kill "$(cat "$dir/$f")" 2>/dev/null || true
  done
  [[ -S $dir/munge/socket ]] && munged -s --socket="$dir/munge/socket" >/dev/null 2>&1 || true
}

if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: slurm_local.sh start|stop DIR" >&2; exit 2; }

for b in munged slurmctld slurmd sbatch sinfo; do
  command -v "$b" >/dev/null || skip "$b not found (apt-get install slurm-wlm munge)"
done
[[ $(id -u) -eq 0 ]] || skip "not root (slurmd must run as root)"

mkdir -p "$dir"/{munge,state,spool,log}
chmod 700 "$dir/munge"
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 600 "$dir/munge/munge.key"
munged -f --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" --pid-file="$dir/munge/pid" \
  --seed-file="$dir/munge/seed" --log-file="$dir/log/munged.log" || skip "munged did not start ($dir/log/munged.log)"

host=$(hostname -s)
port=$((20000 + RANDOM % 20000))  # two test runs at once must not share ports
cat > "$dir/slurm.conf" <<CONF
ClusterName=lrtsim
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=lrtsim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF" || { stop; skip "slurmctld did not start ($dir/log/slurmctld.log)"; }
slurmd -f "$SLURM_CONF" || { stop; skip "slurmd did not start ($dir/log/slurmd.log)"; }
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [[ $state == idle* ]] && { echo "SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.5
done
stop
skip "the node never became idle (state '${state:-none}'; logs in $dir/log)"
