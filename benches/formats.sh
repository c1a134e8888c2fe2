#!/usr/bin/env bash
# X12 and CSV throughput against NDJSON of the same payloads (X12/CSV issue), measured side by
# side in one run, and peak memory on a large file of each.
#
#   benches/formats.sh                      # 200,000 sets and rows; a 2 GB file for memory
#   SETS=50000 ROWS=50000 BIG_MB=256 benches/formats.sh
#
# The NDJSON inputs are `handoff render --format ndjson` of the X12 and CSV inputs: the same
# payloads, typed the same way, so the comparison is the cost of reading each format. Rates are
# per input byte (MB/s of the file as sent) and per payload.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
SETS=${SETS:-200000}
ROWS=${ROWS:-200000}
BIG_MB=${BIG_MB:-2048}
cargo build --release --quiet
HANDOFF=target/release/handoff
X12_CONTRACT=contracts/edi-850-to-wms/2.0.0.yaml
CSV_CONTRACT=contracts/wms-inventory-to-erp/1.0.0.yaml

python3 - "$WORK" "$SETS" "$ROWS" "$BIG_MB" <<'PY'
import os, sys
work, sets, rows, big_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ISA = "ISA*00*          *00*          *ZZ*WHOLESALEPTNR  *ZZ*RETAILERWMS    *261120*1200*U*00401*000004512*0*P*>~"

def interchange(f, count, nl):
    f.write(f"{ISA}{nl}GS*PO*WHOLESALEPTNR*RETAILERWMS*20261120*1200*4512*X*004010~{nl}")
    for n in range(1, count + 1):
        lines = 1 + n % 5
        segs = [f"ST*850*{n:04}", f"BEG*00*SA*PO{n}**20261120", "REF*DP*038", "DTM*002*20261205",
                "N1*ST*RETAILER DC EAST*UL*0078742000008", "N3*1200 INDUSTRIAL PKWY", "N4*SPRINGFIELD*IL*62704"]
        for l in range(1, lines + 1):
            segs.append(f"PO1*{l}*{12 * l}*EA*{l}.25**VP*TEE-{10000 + l}-M")
            segs.append("PID*F****CREW TEE MEDIUM HEATHER")
        segs.append(f"CTT*{lines}")
        segs.append(f"SE*{len(segs) + 1}*{n:04}")
        f.write("".join(s + "~" + nl for s in segs))
    f.write(f"GE*{count}*4512~{nl}IEA*1*000004512~{nl}")

def csv(f, count):
    f.write("sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\n")
    for i in range(count):
        on, al = 100 + i % 50, i % 20
        f.write(f"TEE-{10000 + i % 90000},DC01-A{i % 90 + 10:02}-{i % 90 + 10:02},0{i % 10**11:011},EA,{on},{al},{on - al},6.4125,2026-11-21T02:00:00Z\n")

if not os.path.exists(f"{work}/po.edi"):
    with open(f"{work}/po.edi", "w") as f:
        interchange(f, sets, "\n")
if not os.path.exists(f"{work}/inventory.csv"):
    with open(f"{work}/inventory.csv", "w") as f:
        csv(f, rows)
if not os.path.exists(f"{work}/big.edi"):
    # Sets of ~380 bytes on one line until the file is BIG_MB: memory must not follow the size.
    per_set = 380
    with open(f"{work}/big.edi", "w") as f:
        interchange(f, big_mb * 1024 * 1024 // per_set, "")
if not os.path.exists(f"{work}/big.csv"):
    with open(f"{work}/big.csv", "w") as f:
        csv(f, big_mb * 1024 * 1024 // 76)
PY
[ -e "$WORK/po.ndjson" ] || "$HANDOFF" render --contract "$X12_CONTRACT" --format ndjson "$WORK/po.edi" > "$WORK/po.ndjson"
[ -e "$WORK/inventory.ndjson" ] || "$HANDOFF" render --contract "$CSV_CONTRACT" --format ndjson "$WORK/inventory.csv" > "$WORK/inventory.ndjson"

mb() { python3 -c "print(round($(stat -c %s "$1") / 1048576, 1))"; }
rate() { python3 -c "print(round($1 / $2, 1))"; }

printf '| input | payloads | size | jobs | time | MB/s | payloads/s |\n|---|---:|---:|---:|---:|---:|---:|\n'
declare -A RATE
for jobs in 1 2; do
  for pair in "po.edi:$X12_CONTRACT:$SETS" "po.ndjson:$X12_CONTRACT:$SETS" "inventory.csv:$CSV_CONTRACT:$ROWS" "inventory.ndjson:$CSV_CONTRACT:$ROWS"; do
    IFS=: read -r file contract count <<< "$pair"
    t=$(best "$HANDOFF" check --quiet --jobs "$jobs" --contract "$contract" "$WORK/$file")
    size=$(mb "$WORK/$file")
    RATE[$file-$jobs]=$(rate "$count" "$t")
    printf '| %s | %s | %s MB | %s | %.2f s | %s | %s |\n' "$file" "$count" "$size" "$jobs" "$t" "$(rate "$size" "$t")" "${RATE[$file-$jobs]}"
  done
done
echo
for jobs in 1 2; do
  printf 'jobs %s: X12 at %s of NDJSON per payload, CSV at %s\n' "$jobs" \
    "$(python3 -c "print(round(${RATE[po.edi-$jobs]} / ${RATE[po.ndjson-$jobs]}, 2))")" \
    "$(python3 -c "print(round(${RATE[inventory.csv-$jobs]} / ${RATE[inventory.ndjson-$jobs]}, 2))")"
done
echo
printf '| large file | size | peak RSS, --jobs 1 | peak RSS, --jobs 2 |\n|---|---:|---:|---:|\n'
for pair in "big.edi:$X12_CONTRACT" "big.csv:$CSV_CONTRACT"; do
  IFS=: read -r file contract <<< "$pair"
  printf '| %s | %s MB | %s MB | %s MB |\n' "$file" "$(mb "$WORK/$file")" \
    "$(rss "$HANDOFF" check --quiet --jobs 1 --contract "$contract" "$WORK/$file")" \
    "$(rss "$HANDOFF" check --quiet --jobs 2 --contract "$contract" "$WORK/$file")"
done
