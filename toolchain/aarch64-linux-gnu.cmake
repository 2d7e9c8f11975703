# Cross-compiling for arm64 (Raspberry Pi 3/4/5 with a 64-bit OS) with
# Debian's cross compiler and multiarch -dev packages (toolchain/deps.sh cross
# installs them). Tests run under qemu-aarch64.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SIGNET_CROSS_TRIPLET aarch64-linux-gnu)
set(SIGNET_QEMU_ARCH aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
