#!/usr/bin/env bash
# Reproduces the LRT paper's experiments (issue 9) on Fashion-MNIST with the golden engine:
# Figure 6 (four environments x five schemes), Table 2 (biased/unbiased LRT per layer kind),
# Table 3 (ablations), Figure 7 (rank x weight width) and a Table-1-style learning-rate x rank
# sweep with UORO. Every online run starts from one pre-trained deployed model per weight width.
# Plots and tables are made by scripts/reproduce_plot.py; docs/results.md explains them.
#
#   scripts/reproduce.sh [--quick|--medium|--full] [--out DIR] [--model PATH] [--jobs N]
#                        [--seeds "1 2 3"]
#
#   --quick   a few minutes on 2 cores (CI smoke test): Figure 6 at 3,000 samples and Table 3's
#             max-norm column, 3 seeds; no Table 2, Figure 7 or Table 1.
#   --medium  every experiment, shorter than the paper (20k-sample Figure 6, 3 seeds).
#   --full    the paper's lengths (100k-sample Figure 6, 10k-sample tables, 2k-sample Figure 7,
#             5 seeds). Hours.
#   --model   the deployed 8-bit model to reuse instead of pre-training one (it must match
#             configs/default.yaml's network and formats); other weight widths are pre-trained.
#
# Env: LRTSIM (default build/release/tb/lrtsim), PYTHON (default /usr/bin/python3: Debian's
# python3-matplotlib, not a virtual environment's interpreter).
# Each point runs in DIR/runs/<id>/ (log.txt beside the results); a rerun skips points whose
# summary.json records a finished run (ids hash the overrides, length and seed, not the lrtsim
# binary: use a fresh DIR after changing the engine). A failed point is reported with its log
# and the script exits 1 after all others have run. Results are never edited by hand: DIR/tables/*.{csv,md},
# DIR/plots/*.png and DIR/results_tables.md all come from reproduce_plot.py.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

preset=quick
out=
model=
jobs=$(nproc)
seeds=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) preset=quick ;;
    --medium) preset=medium ;;
    --full) preset=full ;;
    --out) out=$2; shift ;;
    --model) model=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --seeds) seeds=$2; shift ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "reproduce.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

lrtsim=${LRTSIM:-$root/build/release/tb/lrtsim}
python=${PYTHON:-/usr/bin/python3}
config=$root/configs/default.yaml
if [[ ! -x "$lrtsim" ]]; then
  echo "reproduce.sh: no lrtsim binary at $lrtsim (build it or set LRTSIM)" >&2
  exit 2
fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "reproduce.sh: --jobs needs a positive integer" >&2; exit 2; }
out=${out:-$root/runs/reproduce-$preset}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# ---------------------------------------------------------------------------------------------
# Presets. Lists are space-separated so more values can be added here.
case "$preset" in
  quick)
    default_seeds="1 2 3"
    pretrain_samples=10000
    fig6_samples=3000
    table_samples=3000       # = fig6_samples: Table 3's baseline and bias-only reuse Fig. 6 runs
    table2_norms=""          # empty = Table 2 not run
    table3_norms="maxnorm"
    fig7_samples=0           # 0 = experiment not run
    fig7_widths=""
    fig7_ranks=""
    table1_samples=0
    table1_rates=""
    table1_ranks=""
    ;;
  medium)
    default_seeds="1 2 3"
    pretrain_samples=30000
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
    pretrain_samples=30000
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
seeds=${seeds:-$default_seeds}
fig6_envs="control shift analog digital"
# sgd sums a sample's pixels before writing (a full gradient buffer); sgd_pixel writes each
# conv pixel's update as it is formed, the SGD whose writes the paper counts (docs/golden_engine.md).
fig6_schemes="inference bias_only sgd sgd_pixel lrt lrt_maxnorm"

# ---------------------------------------------------------------------------------------------
# Deployed models: one per weight width, pre-trained once with the default configuration.
models_dir=$out/models
mkdir -p "$models_dir"
model_for_width() { echo "$models_dir/w$1.ckpt"; }
widths_needed=$(printf '%s\n' 8 "$fig7_widths" | tr ' ' '\n' | sort -un | tr '\n' ' ')
if [[ -n "$model" ]]; then
  [[ -f "$model" ]] || { echo "reproduce.sh: --model $model does not exist" >&2; exit 2; }
  # Run ids do not hash the model: a directory must never mix results of two deployed models.
  if [[ -e "$(model_for_width 8)" ]] && ! cmp -s "$model" "$(model_for_width 8)"; then
    echo "reproduce.sh: $out holds results of another deployed model; use a fresh --out" >&2
    exit 2
  fi
  ln -sf "$(cd "$(dirname "$model")" && pwd)/$(basename "$model")" "$(model_for_width 8)"
fi
for w in $widths_needed; do
  m=$(model_for_width "$w")
  [[ -f "$m" ]] && continue
  echo "reproduce.sh: pre-training the deployed ${w}-bit model ($pretrain_samples samples) -> $m"
  if ! "$lrtsim" pretrain "$config" --out "$m" --samples "$pretrain_samples" --jobs "$jobs" \
      --set "train.quant.weight.bits=$w" > "$models_dir/w$w.log" 2>&1; then
    echo "reproduce.sh: pre-training failed, log: $models_dir/w$w.log" >&2
    exit 1
  fi
  grep -h validation_accuracy "$models_dir/w$w.log" | sed "s/^/  w$w: /"
done

# ---------------------------------------------------------------------------------------------
# Points. manifest.tsv: experiment, row, column, seed, run id (one line per table cell and
# seed; several cells may share a run). jobs.tsv: one line per distinct run.
manifest=$out/manifest.tsv
jobs_file=$out/jobs.tsv
printf 'experiment\trow\tcolumn\tseed\trun\n' > "$manifest.tmp"
: > "$jobs_file.tmp"

scheme_sets() {  # the --set overrides of a Fig. 6 scheme name
  case "$1" in
    inference) echo "train.conv.scheme=inference train.fc.scheme=inference" ;;
    bias_only) echo "train.conv.scheme=bias_only train.fc.scheme=bias_only train.conv.max_norm=true train.fc.max_norm=true" ;;
    sgd) echo "train.conv.scheme=sgd train.fc.scheme=sgd train.conv.max_norm=true train.fc.max_norm=true" ;;
    sgd_pixel) echo "train.conv.scheme=sgd_pixel train.fc.scheme=sgd_pixel train.conv.max_norm=true train.fc.max_norm=true" ;;
    lrt) echo "train.conv.scheme=lrt train.fc.scheme=lrt train.conv.max_norm=false train.fc.max_norm=false" ;;
    lrt_maxnorm) echo "train.conv.scheme=lrt train.fc.scheme=lrt train.conv.max_norm=true train.fc.max_norm=true" ;;
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
norm_sets() {
  case "$1" in
    nonorm) echo "train.conv.max_norm=false train.fc.max_norm=false" ;;
    maxnorm) echo "train.conv.max_norm=true train.fc.max_norm=true" ;;
  esac
}

mode_sets() { [[ $2 == biased ]] || echo "train.$1.mode=$2"; }

# add_point EXPERIMENT ROW COLUMN SEED WIDTH SAMPLES SET...: the run id is a hash of what
# determines the run, so identical points of different experiments run once.
add_point() {
  local experiment=$1 row=$2 column=$3 seed=$4 width=$5 samples=$6
  shift 6
  local sets
  sets=$(printf '%s\n' "$@" "train.quant.weight.bits=$width" | sort | tr '\n' ' ')
  local id
  id=$(printf 'w%s n%s seed%s %s' "$width" "$samples" "$seed" "$sets" | sha1sum | cut -c1-12)
  printf '%s\t%s\t%s\t%s\t%s\n' "$experiment" "$row" "$column" "$seed" "$id" >> "$manifest.tmp"
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$(model_for_width "$width")" "$samples" "$seed" "$sets" \
    >> "$jobs_file.tmp"
}

for seed in $seeds; do
  # Figure 6: every environment x scheme.
  for env in $fig6_envs; do
    for scheme in $fig6_schemes; do
      # shellcheck disable=SC2046
      add_point fig6 "$env" "$scheme" "$seed" 8 "$fig6_samples" $(env_sets "$env") $(scheme_sets "$scheme")
    done
  done
  # Tables 2 and 3 (control environment) need the inference baseline at their length.
  # shellcheck disable=SC2046
  add_point table_inference control inference "$seed" 8 "$table_samples" $(env_sets control) $(scheme_sets inference)
  for norm in $table2_norms; do
    # Table 2: biased/unbiased LRT per layer kind.
    for conv_mode in biased unbiased; do
      for fc_mode in biased unbiased; do
        # biased is the default mode and is not set, so biased/biased is Table 3's baseline run.
        # shellcheck disable=SC2046
        add_point table2 "$conv_mode/$fc_mode" "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
          train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$norm") \
          $(mode_sets conv "$conv_mode") $(mode_sets fc "$fc_mode")
      done
    done
  done
  for norm in $table3_norms; do
    # Table 3: ablations of LRT (biased, the default mode).
    # shellcheck disable=SC2046
    {
      add_point table3 baseline "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$norm")
      add_point table3 bias_only "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=bias_only train.fc.scheme=bias_only $(norm_sets "$norm")
      add_point table3 no_streaming_bn "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$norm") train.bn.streaming=false
      add_point table3 no_bias_training "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$norm") train.biases=false
      add_point table3 kappa_1e8 "$norm" "$seed" 8 "$table_samples" $(env_sets control) \
        train.conv.scheme=lrt train.fc.scheme=lrt $(norm_sets "$norm") \
        train.conv.kappa_th=1e8 train.fc.kappa_th=1e8
    }
  done
  # Figure 7: LRT with max-norm, rank x weight width, each width from its own deployed model.
  if [[ "$fig7_samples" -gt 0 ]]; then
    for width in $fig7_widths; do
      for rank in $fig7_ranks; do
        # shellcheck disable=SC2046
        add_point fig7 "$rank" "$width" "$seed" "$width" "$fig7_samples" $(env_sets control) \
          $(scheme_sets lrt_maxnorm) "train.conv.rank=$rank" "train.fc.rank=$rank"
      done
    done
  fi
  # Table 1 style: learning rate x algorithm (max-norm, effective batch 100 for batched schemes).
  if [[ "$table1_samples" -gt 0 ]]; then
    # shellcheck disable=SC2046
    add_point table1_inference control inference "$seed" 8 "$table1_samples" $(env_sets control) $(scheme_sets inference)
    b100="train.conv.batch=100 train.fc.batch=100"
    for rate in $table1_rates; do
      # shellcheck disable=SC2046,SC2086
      {
        add_point table1 "sgd/-" "$rate" "$seed" 8 "$table1_samples" $(env_sets control) \
          $(scheme_sets sgd) "train.learning_rate=$rate"
        add_point table1 "uoro/1" "$rate" "$seed" 8 "$table1_samples" $(env_sets control) \
          train.conv.scheme=uoro train.fc.scheme=uoro $(norm_sets maxnorm) $b100 "train.learning_rate=$rate"
        for mode in biased unbiased; do
          for rank in $table1_ranks; do
            add_point table1 "$mode/$rank" "$rate" "$seed" 8 "$table1_samples" $(env_sets control) \
              $(scheme_sets lrt_maxnorm) $b100 "train.conv.mode=$mode" "train.fc.mode=$mode" \
              "train.conv.rank=$rank" "train.fc.rank=$rank" "train.learning_rate=$rate"
          done
        done
      }
    done
  fi
done
mv "$manifest.tmp" "$manifest"
# Distinct runs, longest first, so the slow LRT points start early and the tail stays short.
sort -u "$jobs_file.tmp" | awk -F'\t' '{ w = ($5 ~ /scheme=lrt/) ? 4 : 1; print w * $3 "\t" $0 }' \
  | sort -t$'\t' -k1,1nr | cut -f2- > "$jobs_file"
rm -f "$jobs_file.tmp"
cat > "$out/preset.txt" <<EOF
preset=$preset
seeds=$seeds
pretrain_samples=$pretrain_samples
fig6_samples=$fig6_samples
table_samples=$table_samples
fig7_samples=$fig7_samples
table1_samples=$table1_samples
lrtsim=$lrtsim
EOF

# ---------------------------------------------------------------------------------------------
# Run the points, up to $jobs at a time.
runs_dir=$out/runs
mkdir -p "$runs_dir"
total=$(wc -l < "$jobs_file")
: > "$out/progress.log"
: > "$out/failed.txt"
echo "reproduce.sh: $preset preset, $total runs on $jobs parallel jobs, results in $out"

run_point() {
  local id model samples seed sets
  IFS=$'\t' read -r id model samples seed sets <<< "$1"
  local dir=$runs_dir/$id
  local status
  if [[ -f "$dir/summary.json" ]] && grep -q '"interrupted": false' "$dir/summary.json"; then
    status=skipped
  else
    mkdir -p "$dir"
    local args=(run "$config" --out "$dir" --force --samples "$samples" --seed "$seed"
      --set "run.model=$model" --set run.progress=false)
    local s
    for s in $sets; do args+=(--set "$s"); done
    printf '%q ' "$lrtsim" "${args[@]}" > "$dir/command.txt"
    echo >> "$dir/command.txt"
    local start=$SECONDS
    if "$lrtsim" "${args[@]}" > "$dir/log.txt" 2>&1; then
      status="done in $((SECONDS - start)) s"
    else
      status=FAILED
      flock "$out/failed.txt" -c "echo '$id $dir/log.txt' >> '$out/failed.txt'"
    fi
  fi
  local n
  n=$(flock "$out/progress.log" -c "echo '$id' >> '$out/progress.log'; wc -l < '$out/progress.log'")
  printf 'reproduce.sh: [%d/%d] %s %s\n' "$n" "$total" "$id" "$status"
  if [[ $status == FAILED ]]; then
    echo "reproduce.sh: point $id failed, log: $dir/log.txt" >&2
  fi
  return 0
}
export -f run_point
export lrtsim config runs_dir out total
# shellcheck disable=SC2016  # $1 expands in the child shell
tr '\n' '\0' < "$jobs_file" | xargs -0 -r -P "$jobs" -I{} bash -c 'run_point "$1"' _ {}

# ---------------------------------------------------------------------------------------------
# Tables and plots from what finished (a failed point leaves an explicit gap).
"$python" "$root/scripts/reproduce_plot.py" "$out"

if [[ -s "$out/failed.txt" ]]; then
  echo "reproduce.sh: $(wc -l < "$out/failed.txt") point(s) failed (id, log):" >&2
  cat "$out/failed.txt" >&2
  exit 1
fi
echo "reproduce.sh: done; tables in $out/tables, plots in $out/plots, summary $out/results_tables.md"
