# Cross-compiling for armhf (32-bit Raspberry Pi OS) with Debian's cross
# compiler and multiarch -dev packages (toolchain/deps.sh cross-armhf installs
# them). Tests run under qemu-arm.
set(CMAKE_SYSTEM_PROCESSOR arm)
set(SIGNET_CROSS_TRIPLET arm-linux-gnueabihf)
set(SIGNET_QEMU_ARCH arm)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
