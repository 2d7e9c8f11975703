#!/usr/bin/env bash
# Kiosk benchmark: the real signet-kiosk window under Xvfb with SDL's software
# renderer, three rotating tip cards at 1920x1080, 8 s dwell, 600 ms fade.
# Prints each figure with its target and ok/MISSED; see README.md here.
#
#   tests/bench/bench_kiosk.sh [BUILD_DIR]      (default: build/; ~45 s)
#
# A figure, not a test: the exit status is 0 when everything could be
# measured, whatever the figures say. BENCH_WINDOW_S (default 30) shortens
# the CPU window for a quick look; the CPU figure is always scaled to 30 s.
set -euo pipefail
export LC_ALL=C # a point in $EPOCHREALTIME and awk output

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
signet=$build/app/signet
kiosk=$build/app/signet-kiosk
bench_render=$build/tests/bench/bench_render

# Targets from the benchmark issue (2-core machine).
first_frame_target_ms=100
pss_target_mib=30
cpu_target_s=0.5
fade_p99_target_ms=12

dwell_ms=8000
fade_ms=600
warmup_s=4 # CPU window starts mid-dwell of the first card
window_s=${BENCH_WINDOW_S:-30}
startups=3 # first-frame figure: median of this many starts
clk_tck=$(getconf CLK_TCK)

die() {
    printf 'bench_kiosk: %s\n' "$*" >&2
    exit 1
}

for bin in "$signet" "$kiosk" "$bench_render"; do
    [ -x "$bin" ] || die "$bin not built (cmake --build $build)"
done
command -v Xvfb >/dev/null || die "Xvfb not installed (apt-get install xvfb)"

tmp=$(mktemp -d)
xvfb_pid=
kiosk_pid=
reader_pid=

stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    stop_pid "$kiosk_pid"
    stop_pid "$reader_pid"
    stop_pid "$xvfb_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a signed feed of the three cards in cards.json, valid around now -----

rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
now=$(date +%s)
sed -e "s/2000-01-01T00:00:00Z/$(rfc3339 $((now - 60)))/g" \
    -e "s/2099-12-31T23:59:59Z/$(rfc3339 $((now + 86400)))/g" \
    "$here/cards.json" >"$tmp/payload.json"
"$signet" keygen --secret "$tmp/k.key" --public "$tmp/k.pub" >/dev/null
"$signet" sign --key "$tmp/k.key" --out "$tmp/feed.json" "$tmp/payload.json" >/dev/null
mkdir -p "$tmp/state"

# --- Xvfb on a display it picks itself --------------------------------------

Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || die "Xvfb failed: $(cat "$tmp/xvfb.log")"
    sleep 0.05
done
[ -s "$tmp/display" ] || die "Xvfb did not start"
display=:$(head -n1 "$tmp/display")

# --software keeps SDL away from Mesa: the kiosk then picks the software
# renderer and tells SDL not to back the X11 window's framebuffer with an
# OpenGL texture (libGL, swrast_dri, libLLVM: about 90 MiB more PSS).
export DISPLAY=$display
export SDL_VIDEODRIVER=x11
export SDL_AUDIODRIVER=dummy

# --- starting the kiosk -----------------------------------------------------

# start_kiosk TAG: starts the kiosk with stderr lines time-stamped into
# $tmp/TAG.log; $tmp/TAG.exec holds the time just before exec.
start_kiosk() {
    local tag=$1
    rm -f "$tmp/fifo"
    mkfifo "$tmp/fifo"
    while IFS= read -r line; do
        printf '%s %s\n' "$EPOCHREALTIME" "$line"
    done <"$tmp/fifo" >"$tmp/$tag.log" &
    reader_pid=$!
    (
        exec 2>"$tmp/fifo"
        printf '%s\n' "$EPOCHREALTIME" >"$tmp/$tag.exec"
        exec "$kiosk" --feed-file "$tmp/feed.json" --trust "$tmp/k.pub" --screen wz1 \
            --state-dir "$tmp/state" --size 1920x1080 --dwell-min "$dwell_ms" \
            --dwell-max "$dwell_ms" --fade "$fade_ms" --play-log "$tmp/$tag.play" --software
    ) &
    kiosk_pid=$!
}

# wait_first_frame TAG: waits for the log line; sets first_at (epoch
# seconds), exec_ms (exec to the line) and own_ms (the kiosk's figure).
wait_first_frame() {
    local tag=$1 line
    for _ in $(seq 200); do
        line=$(grep -m1 'first frame presented' "$tmp/$tag.log" || true)
        [ -n "$line" ] && break
        kill -0 "$kiosk_pid" 2>/dev/null || die "kiosk exited: $(cat "$tmp/$tag.log")"
        sleep 0.05
    done
    [ -n "$line" ] || die "no first frame within 10 s: $(cat "$tmp/$tag.log")"
    first_at=${line%% *}
    own_ms=$(sed -E 's/.*presented ([0-9]+) ms.*/\1/' <<<"$line")
    exec_ms=$(awk -v a="$(cat "$tmp/$tag.exec")" -v b="$first_at" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
}

stop_kiosk() {
    stop_pid "$kiosk_pid"
    kiosk_pid=
    stop_pid "$reader_pid"
    reader_pid=
}

# Builtin-only readers: sampling every 100 ms must not fork.
read_ticks() { # pid -> ticks (utime + stime)
    local stat
    read -r stat <"/proc/$1/stat"
    stat=${stat##*) }
    local -a f
    read -ra f <<<"$stat"
    ticks=$((f[11] + f[12]))
}
read_pss() { # pid -> pss_kib
    local key value rest
    pss_kib=0
    while read -r key value rest; do
        if [ "$key" = Pss: ]; then
            pss_kib=$value
            return
        fi
    done <"/proc/$1/smaps_rollup"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- first frame: median of several starts ----------------------------------

: >"$tmp/exec_ms"
: >"$tmp/own_ms"
for i in $(seq "$startups"); do
    start_kiosk "start$i"
    wait_first_frame "start$i"
    echo "$exec_ms" >>"$tmp/exec_ms"
    echo "$own_ms" >>"$tmp/own_ms"
    [ "$i" -lt "$startups" ] && stop_kiosk
done
# The last start keeps running for the rest of the benchmark.
run=start$startups
first_exec_ms=$(median <"$tmp/exec_ms")
first_own_ms=$(median <"$tmp/own_ms")

gl_libs=$(grep -oE '[^/ ]*(libGL|libEGL|libGLX|libGLES|libglapi|_dri\.so|libLLVM|libvulkan)[^/ ]*$' \
    "/proc/$kiosk_pid/maps" | sort -u | tr '\n' ' ' || true)

# --- PSS and CPU while rotating ---------------------------------------------

# Samples every 100 ms from first frame + warmup_s for window_s: "t ticks pss".
# Times are integer microseconds ($EPOCHREALTIME without its point).
first_us=${first_at/./}
start_us=$((first_us + warmup_s * 1000000))
end_us=$((start_us + window_s * 1000000))
steady_us=$((first_us + 12000000)) # mid-dwell, after the first fade
while t=$EPOCHREALTIME && [ "${t/./}" -lt "$start_us" ]; do sleep 0.05; done
read_ticks "$xvfb_pid"
xvfb_ticks0=$ticks
: >"$tmp/samples"
steady_pss=
while :; do
    t=$EPOCHREALTIME
    read_ticks "$kiosk_pid"
    read_pss "$kiosk_pid"
    echo "$t $ticks $pss_kib" >>"$tmp/samples"
    if [ -z "$steady_pss" ] && [ "${t/./}" -ge "$steady_us" ]; then
        steady_pss=$pss_kib
    fi
    [ "${t/./}" -ge "$end_us" ] && break
    sleep 0.1
done
read_ticks "$xvfb_pid"
xvfb_ticks=$((ticks - xvfb_ticks0))
[ -n "$steady_pss" ] || steady_pss=$(awk 'NR == 1 { print $3 }' "$tmp/samples")
kill -0 "$kiosk_pid" 2>/dev/null || die "kiosk exited early: $(cat "$tmp/$run.log")"
stop_kiosk
grep -q 'error' "$tmp/$run.log" && printf 'bench_kiosk: kiosk logged errors:\n%s\n' "$(cat "$tmp/$run.log")" >&2

# CPU over the window scaled to 30 s; split into the 1.4 s after each card
# change (layout, drawing, 38 fade frames) and the rest (idle wake-ups).
# Changes fall at first frame + k * dwell.
read -r cpu30 cpu_switch cpu_rest elapsed peak_pss changes < <(
    awk -v hz="$clk_tck" -v f="$first_at" -v d="$dwell_ms" '
        NR == 1 { t0 = $1; k0 = $2; prev_t = $1; prev_k = $2; peak = $3; next }
        {
            dt = $2 - prev_k
            mid = (prev_t + $1) / 2 - f
            phase = mid - int(mid / (d / 1000)) * (d / 1000)
            if (phase < 1.4 && mid > 1) sw += dt; else rest += dt
            if ($3 > peak) peak = $3
            prev_t = $1; prev_k = $2
        }
        END {
            el = prev_t - t0
            total = (prev_k - k0) / hz
            s = 30 / el
            n = int((prev_t - f) / (d / 1000)) - int((t0 - f) / (d / 1000))
            printf "%.3f %.3f %.3f %.1f %d %d\n", total * s, sw / hz * s, rest / hz * s, el, peak, n
        }' "$tmp/samples"
)

# --- render figures in the same window system --------------------------------

"$bench_render" --window >"$tmp/render.txt" || die "bench_render failed: $(cat "$tmp/render.txt")"
fade_p99=$(awk '$1 == "RESULT" && $2 == "fade_frame_p99_ms" { print $3 }' "$tmp/render.txt")
fade_p50=$(awk '$1 == "RESULT" && $2 == "fade_frame_p50_ms" { print $3 }' "$tmp/render.txt")
stall_max=$(awk '$1 == "RESULT" && $2 == "switch_stall_max_ms" { print $3 }' "$tmp/render.txt")

# --- the table ---------------------------------------------------------------

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
row() { printf '%-44s %14s %12s  %s\n' "$@"; }

echo
echo "signet-kiosk benchmark: 3 cards, 1920x1080, dwell ${dwell_ms} ms, fade ${fade_ms} ms, Xvfb $display"
echo "SDL: --software; $(grep -m1 -o 'window, SDL renderer [a-z]*' "$tmp/$run.log" || echo '?')"
echo "GL/Mesa libraries mapped in the kiosk: ${gl_libs:-none}"
echo
row "figure" "measured" "target" ""
row "exec -> first frame presented (median of $startups)" "$first_exec_ms ms" "<= $first_frame_target_ms ms" \
    "$(verdict "$first_exec_ms" "$first_frame_target_ms")"
row "  the kiosk's own log figure (median)" "$first_own_ms ms" "" ""
row "PSS after warm-up (mid-dwell, after a fade)" "$(mib "$steady_pss") MiB" "<= $pss_target_mib MiB" \
    "$(verdict "$(mib "$steady_pss")" "$pss_target_mib")"
row "PSS peak (during fades, 100 ms samples)" "$(mib "$peak_pss") MiB" "<= $pss_target_mib MiB" \
    "$(verdict "$(mib "$peak_pss")" "$pss_target_mib")"
row "CPU s per 30 s while rotating" "$cpu30 s" "<= $cpu_target_s s" "$(verdict "$cpu30" "$cpu_target_s")"
row "  in the 1.4 s after each card change" "$cpu_switch s" "" "($changes changes in ${elapsed} s)"
row "  between card changes (idle wake-ups)" "$cpu_rest s" "" ""
row "  Xvfb CPU in the same window (not counted)" \
    "$(awk -v t="$xvfb_ticks" -v hz="$clk_tck" -v e="$elapsed" 'BEGIN { printf "%.3f", t / hz * 30 / e }') s" "" ""
row "fade frame p50 (bench_render --window)" "$fade_p50 ms" "" ""
row "fade frame p99 (bench_render --window)" "$fade_p99 ms" "<= $fade_p99_target_ms ms" \
    "$(verdict "$fade_p99" "$fade_p99_target_ms")"
row "card switch stall max (layout + draw)" "$stall_max ms" "" ""
awk '$1 == "layout_card" { row = sprintf("layout_card %s mean / p99", $2)
                           printf "%-44s %14s %12s\n", row, $4 " / " $6 " ms", "" }' "$tmp/render.txt"
echo
echo "bench_render --window:"
sed -e '/^RESULT /d' -e 's/^/  /' "$tmp/render.txt"
