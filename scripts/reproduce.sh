#!/usr/bin/env bash
# Reproduces the LRT paper's experiments (issue 9) on Fashion-MNIST with the golden engine, as
# the authors ran them (their lr/experiments.py): Figure 6 (four environments x inference,
# bias only, SGD, LRT, LRT + max-norm; every scheme without max-norm but the last), Tables 2
# (biased/unbiased LRT per layer kind) and 3 (ablations) trained from scratch, Figure 7 (rank x
# weight width) and a Table-1-style learning-rate x rank sweep with UORO. Figure 6, Figure 7
# and Table 1 start from a deployed model pre-trained once per weight width; Tables 2 and 3
# from the untrained model of each seed (`lrtsim pretrain --samples 0`). Plots and tables come
# from scripts/reproduce_plot.py; docs/results.md explains them.
#
#   scripts/reproduce.sh [--smoke|--quick|--fig6|--medium|--full] [--network default|paper] [--out DIR]
#                        [--model PATH] [--jobs N] [--seeds "1 2 3"]
#                        [--slurm [--sbatch-arg ARG]...]
#
#   --smoke   seconds: 200-sample points, seed 1, Figure 6 in two environments (control, analog
#             drift), Table 3's max-norm column, one Figure 7 point (ctest reproduce_slurm).
#   --quick   minutes on 2 cores for the default network (ctest reproduce_quick): Figure 6 at
#             3,000 samples and Table 3's max-norm column, 3 seeds; no Table 2, Figure 7, Table 1.
#   --fig6    Figure 6 only, 5,000 samples, seeds 1 2: the paper network's headline figure in about
#             1.5 hours on 2 cores (docs/results.md).
#   --medium  every experiment, shorter than the paper (20k-sample Figure 6, 3 seeds).
#   --full    the paper's lengths (100k-sample Figure 6, 10k-sample tables, 2k-sample Figure 7,
#             5 seeds): 615 runs, 15.7 M samples on the default network (about 4 core-hours);
#             595 runs, 13.7 M samples on the paper network (about 63 core-hours; the longest
#             point ~40 min after a ~30 min pre-training: run it with --slurm). Measured
#             samples/s per network and scheme: docs/results.md, "How to reproduce".
#             --medium and --full pre-train with the configuration's pretrain.samples, --quick
#             with 10,000 samples, --smoke with 300.
#   --network default (configs/default.yaml, the default) or paper (configs/paper_cnn.yaml, the
#             paper's four-conv network; Figure 6 without sgd_pixel there). Each network has its
#             own models and result directory; DIR defaults to runs/reproduce-<preset>-<network>.
#   --model   the deployed 8-bit model to reuse instead of pre-training one (it must match the
#             network's configuration and formats); other weight widths are pre-trained.
#   --jobs    points run at once (default: all cores; with --slurm: the array's %N throttle,
#             default none); locally also the threads of each pre-training.
#   --seeds   replaces the preset's seeds.
#   --slurm   runs the points as one Slurm job array (sbatch --wait --array=0-(n-1)%N, one point
#             per task, n = the points not finished yet) and the missing pre-trainings before it
#             as a smaller array; every task reads and writes DIR, which must be on a file
#             system the nodes share (as must this checkout and the lrtsim binary). The untrained
#             models, the tables and the plots are made here. Each task runs lrtsim with
#             --jobs $SLURM_CPUS_PER_TASK threads (results are bit-identical for any number).
#   --sbatch-arg ARG  passed to sbatch (repeatable), e.g. --sbatch-arg=--partition=cpu
#             --sbatch-arg=--time=12:00:00 --sbatch-arg=--cpus-per-task=4.
#
#   Cluster, full preset on the paper network (one command, from a checkout on the shared file
#   system, on the submit host; rerun the same command to continue after a failure or a limit):
#     scripts/reproduce.sh --full --network paper --slurm --sbatch-arg=--time=02:00:00
#
# Env: LRTSIM (default build/release/tb/lrtsim), PYTHON (default /usr/bin/python3: Debian's
# python3-matplotlib, not a virtual environment's interpreter).
# Each point runs in DIR/runs/<id>/ (scripts/reproduce_point.sh; log.txt beside the results); a
# rerun skips points whose summary.json records a finished run and resumes interrupted ones from
# their checkpoint (ids hash the network, start model, overrides, length and seed, not the
# lrtsim binary: use a fresh DIR after changing the engine). A failed point is reported with
# its log and the script exits 1 after all others have run. Exit 2: bad arguments, or DIR
# holds another network's or deployed model's results. Results are never edited by hand:
# DIR/tables/*.{csv,md}, DIR/plots/*.png and DIR/results_tables.md all come from
# reproduce_plot.py.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "reproduce.sh: $*" >&2; exit 2; }
preset=quick
network=default
out=
model=
jobs=
seeds=
slurm=false
sbatch_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke|--quick|--fig6|--medium|--full) preset=${1#--} ;;
    --network|--out|--model|--jobs|--seeds|--sbatch-arg)
      [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
      case "$1" in
        --network) network=$2 ;;
        --out) out=$2 ;;
        --model) model=$2 ;;
        --jobs) jobs=$2 ;;
        --seeds) seeds=$2 ;;
        --sbatch-arg) sbatch_args+=("$2") ;;
      esac
      shift ;;
    --network=*) network=${1#*=} ;;
    --out=*) out=${1#*=} ;;
    --model=*) model=${1#*=} ;;
    --jobs=*) jobs=${1#*=} ;;
    --seeds=*) seeds=${1#*=} ;;
    --sbatch-arg=*) sbatch_args+=("${1#*=}") ;;
    --slurm) slurm=true ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

case "$network" in
  default) config=$root/configs/default.yaml ;;
  paper) config=$root/configs/paper_cnn.yaml ;;
  *) die "--network '$network': expected default or paper" ;;
esac
lrtsim=${LRTSIM:-$root/build/release/tb/lrtsim}
python=${PYTHON:-/usr/bin/python3}
[[ -x "$lrtsim" ]] || die "no lrtsim binary at $lrtsim (build it or set LRTSIM)"
[[ -z "$jobs" || "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs '$jobs': expected a positive integer"
[[ -z "$seeds" || "$seeds" =~ ^[[:space:]]*[0-9]+([[:space:]]+[0-9]+)*[[:space:]]*$ ]] ||
  die "--seeds '$seeds': expected non-negative integers separated by spaces, e.g. \"1 2 3\""
if $slurm; then
  command -v sbatch > /dev/null || die "--slurm: no sbatch on PATH (run on a Slurm submit host)"
elif [[ ${#sbatch_args[@]} -gt 0 ]]; then
  die "--sbatch-arg needs --slurm"
fi
out=${out:-$root/runs/reproduce-$preset-$network}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Run ids hash the network, but the deployed models and the tables would mix: one network per
# directory. Directories from before --network existed hold the default network.
if [[ -f "$out/network.txt" ]]; then
  had=$(cat "$out/network.txt")
elif [[ -d "$out/runs" || -d "$out/models" ]]; then
  had=default
else
  had=$network
fi
[[ "$had" == "$network" ]] ||
  die "$out holds results of the $had network, not $network; use a fresh --out (default runs/reproduce-$preset-$network)"
echo "$network" > "$out/network.txt"

# ---------------------------------------------------------------------------------------------
# Presets. Lists are space-separated so more values can be added here.
fig6_envs=
case "$preset" in
  smoke)
    default_seeds="1"
    fig6_envs="control analog"
    pretrain_samples=300
    fig6_samples=200
    table_samples=200
    table2_norms=""          # empty = Table 2 not run
    table3_norms="maxnorm"
    fig7_samples=200         # 0 = experiment not run
    fig7_widths="6"          # with the 8-bit model: two pre-trainings
    fig7_ranks="2"
    table1_samples=0
    table1_rates=""
    table1_ranks=""
    ;;
  quick)
    default_seeds="1 2 3"
    pretrain_samples=10000   # shorter than the configuration's, for CI
    fig6_samples=3000
    table_samples=3000
    table2_norms=""
    table3_norms="maxnorm"
    fig7_samples=0
    fig7_widths=""
    fig7_ranks=""
    table1_samples=0
    table1_rates=""
    table1_ranks=""
    ;;
  fig6)
    default_seeds="1 2"
    pretrain_samples=        # empty = the configuration's pretrain.samples
    fig6_samples=5000
    table_samples=0
    table2_norms=""
    table3_norms=""
    fig7_samples=0
    fig7_widths=""
    fig7_ranks=""
    table1_samples=0
    table1_rates=""
    table1_ranks=""
    ;;
  medium)
    default_seeds="1 2 3"
    pretrain_samples=        # empty = the configuration's pretrain.samples
    fig6_samples=20000
    table_samples=10000
    table2_norms="nonorm maxnorm"
    table3_norms="nonorm maxnorm"
    fig7_samples=2000
    fig7_widths="1 2 3 4 5 6 7 8"
    fig7_ranks="1 2 4 8"
    table1_samples=3000
    table1_rates="0.003 0.01 0.03 0.1 0.3"
    table1_ranks="1 2 4 8"
    ;;
  full)
    default_seeds="1 2 3 4 5"
    pretrain_samples=        # empty = the configuration's pretrain.samples
    fig6_samples=100000
    table_samples=10000
    table2_norms="nonorm maxnorm"
    table3_norms="nonorm maxnorm"
    fig7_samples=2000
    fig7_widths="1 2 3 4 5 6 7 8"
    fig7_ranks="1 2 4 8"
    table1_samples=10000
    table1_rates="0.003 0.01 0.03 0.1 0.3"
    table1_ranks="1 2 4 8"
    ;;
esac
# shellcheck disable=SC2086,SC2116  # word splitting normalizes the list's spaces
seeds=$(echo ${seeds:-$default_seeds})
fig6_envs=${fig6_envs:-control shift analog digital}
# The authors' Figure 6 (lr/experiments.py, lrt-020..023 a-e): inference, bias only, SGD and LRT
# without max-norm, LRT with it. Their SGD sums a sample's pixels and counts a write for every
# non-zero pixel term: our sgd and its writes.pair_updates. sgd_pixel writes each conv pixel's
# rounded update as it is formed (the real writes of an SGD without a gradient buffer); as cheap
# as sgd on the default network, but 1.4x sgd's cost (+20 % of Figure 6) on the paper network,
# so it runs with the default network only.
fig6_schemes="inference bias_only sgd lrt lrt_maxnorm"
[[ "$network" == default ]] && fig6_schemes="inference bias_only sgd sgd_pixel lrt lrt_maxnorm"

# ---------------------------------------------------------------------------------------------
# Points. manifest.tsv: experiment, row, column, seed, run id (one line per table cell and
# seed; several cells may share a run). jobs.tsv: one line per distinct run: id, model,
# samples, seed, then one --set override per tab-separated field (values may hold spaces).
models_dir=$out/models
model_for_width() { echo "$models_dir/w$1.ckpt"; }
# Untrained models (Tables 2 and 3 from scratch): one per seed, as the authors seed their
# initialization; "nobn" is the network without its batch-norm layers (Table 3).
scratch_model() { echo "$models_dir/scratch${1:+-$1}-s$2.ckpt"; }
effective=$("$lrtsim" config dump "$config") || die "$config: see lrtsim config check $config"
layers=$(awk '/^network:/ { n = 1 } n && !done && /^  layers: / { sub(/^  layers: /, ""); print; done = 1 }' \
  <<< "$effective")
[[ -n "$layers" ]] || die "cannot read network.layers of $config (lrtsim config dump $config)"
if [[ -z "$pretrain_samples" ]]; then
  pretrain_samples=$(awk '/^pretrain:/ { p = 1 } p && !done && /^  samples: / { print $2; done = 1 }' <<< "$effective")
  [[ "$pretrain_samples" =~ ^[1-9][0-9]*$ ]] || die "cannot read pretrain.samples of $config"
fi
nobn_layers=$(sed -E 's/, batchnorm//g; s/\[batchnorm, /[/' <<< "$layers")

manifest=$out/manifest.tsv
jobs_file=$out/jobs.tsv
printf 'experiment\trow\tcolumn\tseed\trun\n' > "$manifest.tmp"
: > "$jobs_file.tmp"

norm_sets() {
  case "$1" in
    nonorm) echo "train.conv.max_norm=false train.fc.max_norm=false" ;;
    maxnorm) echo "train.conv.max_norm=true train.fc.max_norm=true" ;;
  esac
}
# LRT in both layer kinds, modes as given (the authors' zerovar: True = biased), else the
# authors' default, unbiased.
lrt_sets() {
  echo "train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$1")" \
    "train.conv.mode=${2:-unbiased} train.fc.mode=${3:-${2:-unbiased}}"
}
scheme_sets() {  # the --set overrides of a Figure 6 scheme name
  case "$1" in
    inference) echo "train.conv.scheme=inference train.fc.scheme=inference" ;;
    bias_only) echo "train.conv.scheme=bias_only train.fc.scheme=bias_only $(norm_sets nonorm)" ;;
    sgd) echo "train.conv.scheme=sgd train.fc.scheme=sgd $(norm_sets nonorm)" ;;
    sgd_pixel) echo "train.conv.scheme=sgd_pixel train.fc.scheme=sgd_pixel $(norm_sets nonorm)" ;;
    lrt) lrt_sets nonorm ;;
    lrt_maxnorm) lrt_sets maxnorm ;;
    *) echo "reproduce.sh: unknown scheme $1" >&2; return 1 ;;
  esac
}
env_sets() {
  case "$1" in
    control) echo "run.stream=online accel.rram.drift.model=none" ;;
    shift) echo "run.stream=shift accel.rram.drift.model=none" ;;
    analog) echo "run.stream=online accel.rram.drift.model=analog" ;;
    digital) echo "run.stream=online accel.rram.drift.model=digital" ;;
    *) echo "reproduce.sh: unknown environment $1" >&2; return 1 ;;
  esac
}

# add_point EXPERIMENT ROW COLUMN SEED START WIDTH SAMPLES SET...: START is deployed (the
# pre-trained model of WIDTH bits) or scratch / scratch-nobn (the untrained model of SEED). The
# run id is a hash of what determines the run, so identical points of different experiments
# run once.
add_point() {
  local experiment=$1 row=$2 column=$3 seed=$4 start=$5 width=$6 samples=$7
  shift 7
  local model
  case "$start" in
    deployed) model=$(model_for_width "$width") ;;
    scratch) model=$(scratch_model "" "$seed") ;;
    scratch-nobn) model=$(scratch_model nobn "$seed"); set -- "$@" "network.layers=$nobn_layers" ;;
  esac
  local sets
  sets=$(printf '%s\n' "$@" "train.quant.weight.bits=$width" | sort | tr '\n' '\t')
  sets=${sets%$'\t'}
  local id
  id=$(printf 'net=%s start=%s w%s n%s seed%s %s' "$network" "$start" "$width" "$samples" "$seed" "$sets" |
    sha1sum | cut -c1-12)
  printf '%s\t%s\t%s\t%s\t%s\n' "$experiment" "$row" "$column" "$seed" "$id" >> "$manifest.tmp"
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$model" "$samples" "$seed" "$sets" >> "$jobs_file.tmp"
}

for seed in $seeds; do
  # Figure 6: every environment x scheme, from the deployed model (the authors' pt_init).
  for env in $fig6_envs; do
    for scheme in $fig6_schemes; do
      # shellcheck disable=SC2046
      add_point fig6 "$env" "$scheme" "$seed" deployed 8 "$fig6_samples" $(env_sets "$env") $(scheme_sets "$scheme")
    done
  done
  # Tables 2 and 3: trained from scratch in the control environment, as the authors' lrt-011/017
  # (Table 2) and lrt-012/013/018/019 (Table 3): no pre-trained model.
  for norm in $table2_norms; do
    for conv_mode in biased unbiased; do
      for fc_mode in biased unbiased; do
        # shellcheck disable=SC2046
        add_point table2 "$conv_mode/$fc_mode" "$norm" "$seed" scratch 8 "$table_samples" $(env_sets control) \
          $(lrt_sets "$norm" "$conv_mode" "$fc_mode")
      done
    done
  done
  for norm in $table3_norms; do
    # shellcheck disable=SC2046
    {
      add_point table3 baseline "$norm" "$seed" scratch 8 "$table_samples" $(env_sets control) $(lrt_sets "$norm")
      # The authors' train_W False: biases and batch norm train, weights do not.
      add_point table3 bias_only "$norm" "$seed" scratch 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=bias_only train.fc.scheme=bias_only $(norm_sets "$norm")
      # The authors' use_bn False: the network without its batch-norm layers.
      add_point table3 no_streaming_bn "$norm" "$seed" scratch-nobn 8 "$table_samples" $(env_sets control) \
        $(lrt_sets "$norm")
      # The authors' train_b False: conv/fc biases frozen, batch-norm gamma/beta still train.
      add_point table3 no_bias_training "$norm" "$seed" scratch 8 "$table_samples" $(env_sets control) \
        $(lrt_sets "$norm") train.biases=false
      add_point table3 kappa_1e8 "$norm" "$seed" scratch 8 "$table_samples" $(env_sets control) \
        $(lrt_sets "$norm") train.conv.kappa_th=1e8 train.fc.kappa_th=1e8
    }
  done
  # Figure 7: LRT with max-norm, rank x weight width, each width from its own deployed model.
  if [[ "$fig7_samples" -gt 0 ]]; then
    for width in $fig7_widths; do
      for rank in $fig7_ranks; do
        # shellcheck disable=SC2046
        add_point fig7 "$rank" "$width" "$seed" deployed "$width" "$fig7_samples" $(env_sets control) \
          $(scheme_sets lrt_maxnorm) "train.conv.rank=$rank" "train.fc.rank=$rank"
      done
    done
  fi
  # Table 1 style: learning rate x algorithm (max-norm, effective batch 100 for batched schemes).
  if [[ "$table1_samples" -gt 0 ]]; then
    # shellcheck disable=SC2046
    add_point table1_inference control inference "$seed" deployed 8 "$table1_samples" $(env_sets control) \
      $(scheme_sets inference)
    b100="train.conv.batch=100 train.fc.batch=100"
    for rate in $table1_rates; do
      # shellcheck disable=SC2046,SC2086
      {
        add_point table1 "sgd/-" "$rate" "$seed" deployed 8 "$table1_samples" $(env_sets control) \
          train.conv.scheme=sgd train.fc.scheme=sgd $(norm_sets maxnorm) "train.learning_rate=$rate"
        add_point table1 "uoro/1" "$rate" "$seed" deployed 8 "$table1_samples" $(env_sets control) \
          train.conv.scheme=uoro train.fc.scheme=uoro $(norm_sets maxnorm) $b100 "train.learning_rate=$rate"
        for mode in biased unbiased; do
          for rank in $table1_ranks; do
            add_point table1 "$mode/$rank" "$rate" "$seed" deployed 8 "$table1_samples" $(env_sets control) \
              $(lrt_sets maxnorm "$mode") $b100 "train.conv.rank=$rank" "train.fc.rank=$rank" \
              "train.learning_rate=$rate"
          done
        done
      }
    done
  fi
done
mv "$manifest.tmp" "$manifest"
# Distinct runs, longest first, so the slow LRT points start early and the tail stays short.
sort -u "$jobs_file.tmp" | awk -F'\t' '{ w = ($0 ~ /scheme=lrt/) ? 4 : 1; print w * $3 "\t" $0 }' \
  | sort -t$'\t' -k1,1nr -k2,2 | cut -f2- > "$jobs_file"
rm -f "$jobs_file.tmp"
total=$(wc -l < "$jobs_file")
total_samples=$(awk -F'\t' '{ n += $3 } END { print n + 0 }' "$jobs_file")
{
  echo "preset=$preset"
  echo "network=$network"
  echo "config=$config"
  echo "seeds=$seeds"
  echo "fig6_schemes=$fig6_schemes"
  echo "pretrain_samples=$pretrain_samples"
  echo "fig6_samples=$fig6_samples"
  echo "table_samples=$table_samples"
  echo "tables_start=scratch"
  echo "fig7_samples=$fig7_samples"
  echo "table1_samples=$table1_samples"
  echo "lrtsim=$lrtsim"
} > "$out/preset.txt"

# ---------------------------------------------------------------------------------------------
# Models. Deployed: one per weight width, pre-trained once with the network's configuration
# (here, or with --slurm as a Slurm array before the points'). Untrained: one per seed (and
# network variant), written here by `lrtsim pretrain --samples 0` (no training: about a second).
mkdir -p "$models_dir"
if [[ -n "$model" ]]; then
  [[ -f "$model" ]] || die "--model $model does not exist"
  # Run ids do not hash the model: a directory must never mix results of two deployed models.
  if [[ -e "$(model_for_width 8)" ]] && ! cmp -s "$model" "$(model_for_width 8)"; then
    die "$out holds results of another deployed model; use a fresh --out"
  fi
  ln -sf "$(cd "$(dirname "$model")" && pwd)/$(basename "$model")" "$(model_for_width 8)"
fi
slurm_dir=$out/slurm
# slurm_array NAME: one array task per line of $slurm_dir/NAME.txt, running $slurm_dir/NAME.sh;
# waits for the array and prints sbatch's exit code.
slurm_array() {
  local name=$1 n code=0
  n=$(wc -l < "$slurm_dir/$name.txt")
  rm -f "$slurm_dir/$name"-*.out
  sbatch --wait --job-name="lrtsim-reproduce-$name" --array="0-$((n - 1))%${jobs:-$n}" \
    --output="$slurm_dir/$name-%a.out" "${sbatch_args[@]}" "$slurm_dir/$name.sh" \
    > "$slurm_dir/sbatch-$name.log" 2>&1 || code=$?
  echo "$code"
}
pretrain_cmds=()
pretrain_logs=()
# shellcheck disable=SC2013  # one width (a number) per line
for w in $(cut -f2 "$jobs_file" | sed -n 's|.*/w\([0-9]*\)\.ckpt$|\1|p' | sort -un); do
  m=$(model_for_width "$w")
  [[ -f "$m" ]] && continue
  # $threads is set where the command runs: --jobs here, SLURM_CPUS_PER_TASK in a Slurm task.
  pretrain_cmds+=("$(printf '%q ' env SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$lrtsim" pretrain "$config" \
    --out "$m" --samples "$pretrain_samples" --set "train.quant.weight.bits=$w")--jobs \"\$threads\" > $(
    printf '%q' "$models_dir/w$w.log") 2>&1")
  pretrain_logs+=("$models_dir/w$w.log")
done
if [[ ${#pretrain_cmds[@]} -gt 0 ]]; then
  if $slurm; then
    mkdir -p "$slurm_dir"
    printf '%s\n' "${pretrain_cmds[@]}" > "$slurm_dir/pretrain.txt"
    {
      echo '#!/bin/bash'
      echo '# scripts/reproduce.sh --slurm: task i runs line i + 1 of pretrain.txt (one pre-training)'
      # shellcheck disable=SC2016  # expands in the task
      echo 'threads=${SLURM_CPUS_PER_TASK:-1}'
      echo "eval \"\$(sed -n \"\$((SLURM_ARRAY_TASK_ID + 1))p\" $(printf '%q' "$slurm_dir/pretrain.txt"))\""
    } > "$slurm_dir/pretrain.sh"
    echo "reproduce.sh: pre-training ${#pretrain_cmds[@]} deployed model(s) ($pretrain_samples samples each)" \
      "as a Slurm array"
    code=$(slurm_array pretrain)
    ((code == 0)) ||
      echo "reproduce.sh: sbatch exited $code: $(tail -n 1 "$slurm_dir/sbatch-pretrain.log")" >&2
  else
    for i in "${!pretrain_cmds[@]}"; do
      echo "reproduce.sh: pre-training ($pretrain_samples samples) -> ${pretrain_logs[$i]%.log}.ckpt"
      threads=${jobs:-$(nproc)} bash -c "${pretrain_cmds[$i]}" || true
    done
  fi
  for log in "${pretrain_logs[@]}"; do
    if [[ ! -f "${log%.log}.ckpt" ]]; then
      echo "reproduce.sh: pre-training failed, log: $log" >&2
      $slurm && echo "reproduce.sh: Slurm logs: $slurm_dir/sbatch-pretrain.log, $slurm_dir/pretrain-*.out" >&2
      exit 1
    fi
    grep -h validation_accuracy "$log" | sed "s|^|  $(basename "${log%.log}"): |"
  done
fi
while IFS=$'\t' read -r m seed; do
  [[ -f "$m" ]] && continue
  variant=()
  [[ "$(basename "$m")" == scratch-nobn-* ]] && variant=(--set "network.layers=$nobn_layers")
  if ! SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$lrtsim" pretrain "$config" --out "$m" --samples 0 \
      --set "run.seed=$seed" --set train.quant.weight.bits=8 "${variant[@]}" > "${m%.ckpt}.log" 2>&1; then
    echo "reproduce.sh: writing the untrained model $m failed, log: ${m%.ckpt}.log" >&2
    exit 1
  fi
done < <(cut -f2,4 "$jobs_file" | grep '/scratch[^/]*$' | sort -u)

# ---------------------------------------------------------------------------------------------
# Run the points: up to $jobs at a time here, or as one Slurm job array.
runs_dir=$out/runs
mkdir -p "$runs_dir"
finished() { [[ -f "$runs_dir/$1/summary.json" ]] && grep -q '"interrupted": false' "$runs_dir/$1/summary.json"; }
where="on ${jobs:-$(nproc)} parallel jobs"
$slurm && where="as a Slurm job array"
echo "reproduce.sh: $preset preset, $network network: $total runs, $total_samples samples $where; results in $out"
if $slurm; then
  mkdir -p "$slurm_dir"
  : > "$slurm_dir/points.txt"
  k=0
  while IFS=$'\t' read -r id _; do
    k=$((k + 1))
    finished "$id" && continue
    rm -f "$runs_dir/$id/exit_code"
    echo "$k" >> "$slurm_dir/points.txt"
  done < "$jobs_file"
  pending=$(wc -l < "$slurm_dir/points.txt")
  echo "reproduce.sh: $((total - pending)) finished before, $pending to run as array tasks"
  if ((pending > 0)); then
    {
      echo '#!/bin/bash'
      echo '# scripts/reproduce.sh --slurm: task i runs the point on line i + 1 of points.txt (a line of jobs.tsv)'
      echo "exec $(printf '%q' "$root/scripts/reproduce_point.sh") $(printf '%q' "$out")" \
        "\"\$(sed -n \"\$((SLURM_ARRAY_TASK_ID + 1))p\" $(printf '%q' "$slurm_dir/points.txt"))\""
    } > "$slurm_dir/points.sh"
    code=$(slurm_array points)
    if ((code != 0)); then
      ran=0
      while read -r k; do
        id=$(sed -n "${k}p" "$jobs_file" | cut -f1)
        [[ -f "$runs_dir/$id/exit_code" ]] && ran=$((ran + 1))
      done < "$slurm_dir/points.txt"
      if ((ran == 0)); then
        echo "reproduce.sh: sbatch failed (exit $code) and no point ran: $(tail -n 1 "$slurm_dir/sbatch-points.log")" >&2
        exit 1
      fi
      echo "reproduce.sh: sbatch exited $code: a task failed or was cancelled (task logs $slurm_dir/points-<i>.out)" >&2
    fi
  fi
else
  : > "$out/progress.log"
  # Progress: on a terminal one line per point; elsewhere (a log, CI) only the failed points
  # (failed.txt below lists them all again).
  tty=false
  [[ -t 1 ]] && tty=true
  export out total tty
  # shellcheck disable=SC2016  # $0, $1 expand in the child shell
  seq 1 "$total" | xargs -r -P "${jobs:-$(nproc)}" -I{} bash -c '
    code=0
    status=$("$0" "$out" "$1" 2>&1) || code=$?
    n=$(flock "$out/progress.log" -c "echo $1 >> \"$out/progress.log\"; wc -l < \"$out/progress.log\"")
    if $tty || ((code != 0)); then
      printf "reproduce.sh: [%d/%d] %s\n" "$n" "$total" "${status#reproduce_point.sh: }"
    fi' \
    "$root/scripts/reproduce_point.sh" {}
fi

# Failed points: every point without a finished run now (local or Slurm alike).
: > "$out/failed.txt"
while IFS=$'\t' read -r id _; do
  finished "$id" || echo "$id $runs_dir/$id/log.txt" >> "$out/failed.txt"
done < "$jobs_file"

# ---------------------------------------------------------------------------------------------
# Tables and plots from what finished (a failed point leaves an explicit gap).
"$python" "$root/scripts/reproduce_plot.py" "$out"

if [[ -s "$out/failed.txt" ]]; then
  echo "reproduce.sh: $(wc -l < "$out/failed.txt") point(s) failed (id, log); rerun the same command to retry" \
    "them (finished points are kept):" >&2
  cat "$out/failed.txt" >&2
  exit 1
fi
echo "reproduce.sh: done; tables in $out/tables, plots in $out/plots, summary $out/results_tables.md"
