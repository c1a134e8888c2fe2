# Measuring helpers the bench scripts share; sourced, with WORK set to a scratch directory.

# The best wall time in seconds of 3 runs of a command.
best() {
  local best=999999
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  echo "$best"
}

# The peak RSS in MB of one run of a command.
rss() {
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > /dev/null 2>&1 || true
  echo $(( $(tail -n 1 "$WORK/rss") / 1024 ))
}
