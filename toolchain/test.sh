#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. installs missing Debian packages (toolchain/deps.sh),
#   2. checks formatting and runs cppcheck and shellcheck,
#   3. builds natively and runs ctest,
#   4. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs ctest,
#   5. builds the libFuzzer targets with clang and runs each briefly,
#   6. cross-builds for arm64 and armhf, runs the unit tests under qemu-user
#      and checks the Debian packages of each.
# Environment: SIGNET_FUZZ_SECONDS (default 20), SIGNET_SKIP_CROSS=1 to skip 6.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
fuzz_seconds=${SIGNET_FUZZ_SECONDS:-20}

step() { printf '\n==== %s (%ss)\n' "$*" "$SECONDS"; }

step "dependencies"
toolchain/deps.sh test cross cross-armhf
# playwright-core for the browser test, exactly as package-lock.json pins it
# (it drives Debian's chromium; nothing downloads a browser).
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

step "format and static analysis"
toolchain/check-format.sh
cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
  --inline-suppr --suppress=missingIncludeSystem -I lib -I app -I server lib app server tests/fuzz
echo "cppcheck: no findings"
shellcheck toolchain/*.sh toolchain/debian/*/postinst toolchain/debian/*/prerm toolchain/debian/*/postrm \
  tests/*/*.sh .ci/run firmware/signet-*
echo "shellcheck: no findings"

# configure_build DIR [CMAKE ARGS...]
configure_build() {
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$jobs"
}

mkdir -p build
step "native build and tests"
configure_build build/native
ctest --test-dir build/native --output-on-failure -j "$jobs"

step "AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
configure_build build/asan -DSIGNET_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs"

step "fuzzing (${fuzz_seconds}s per target)"
CC=clang configure_build build/fuzz -DSIGNET_FUZZ=ON -DSIGNET_SANITIZE=ON -DSIGNET_APP=OFF
for fuzzer in build/fuzz/tests/fuzz/fuzz_*; do
  name=$(basename "$fuzzer")
  target=${name#fuzz_}
  # New inputs go to a scratch folder; the committed corpus stays as it is.
  scratch=build/fuzz/corpus-$target
  mkdir -p "$scratch"
  # A dictionary of the format's tokens, where the target has one.
  dict=()
  if [ -f "tests/fuzz/$target.dict" ]; then dict=(-dict="tests/fuzz/$target.dict"); fi
  "$fuzzer" "${dict[@]}" -max_total_time="$fuzz_seconds" -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/crash-$target-" "$scratch" "tests/fuzz/corpus/$target" \
    >"build/fuzz/$name.log" 2>&1 || { tail -40 "build/fuzz/$name.log"; exit 1; }
  grep -E '^stat::number_of_executed_units' "build/fuzz/$name.log" | sed "s/^/$name /"
done

if [ "${SIGNET_SKIP_CROSS:-0}" != 1 ]; then
  # For each board architecture: the cross build, its unit tests under
  # qemu-user, and its Debian packages (contents, dependencies, and the
  # unpacked programs run under qemu).
  # qemu-slow: Argon2id, preview rendering and multi-threaded SQLite tests,
  # minutes each under emulation (tests/server/CMakeLists.txt says why).
  for cross in arm64:aarch64-linux-gnu:aarch64 armhf:arm-linux-gnueabihf:arm; do
    IFS=: read -r arch triplet qemu_cpu <<<"$cross"
    step "$arch cross build, unit tests under qemu, packages"
    configure_build "build/$arch" -DCMAKE_TOOLCHAIN_FILE="$root/toolchain/$triplet.cmake"
    ctest --test-dir "build/$arch" --output-on-failure -j "$jobs" -L unit -LE qemu-slow
    tests/packaging/deb_test.sh "build/$arch" "$arch" "qemu-$qemu_cpu -L /usr/$triplet"
  done
fi

step "all tests passed"
