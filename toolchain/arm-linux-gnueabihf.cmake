# Cross-compiling for armhf with Debian's cross compiler and multiarch -dev
# packages (toolchain/deps.sh cross-armhf installs them). Tests run under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)

# Debian multiarch: target libraries live in /usr/lib/arm-linux-gnueabihf on the
# build machine itself, so there is no separate sysroot. pkg-config must see
# only the target's .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

# ctest runs the cross-built tests through qemu-user; -L makes qemu load the
# target's dynamic loader and C library from the cross prefix.
find_program(SIGNET_QEMU qemu-arm REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${SIGNET_QEMU} -L /usr/arm-linux-gnueabihf)
