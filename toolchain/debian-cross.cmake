# Shared part of the Debian cross toolchain files. The including file sets
# SIGNET_CROSS_TRIPLET (e.g. aarch64-linux-gnu) and CMAKE_SYSTEM_PROCESSOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${SIGNET_CROSS_TRIPLET}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${SIGNET_CROSS_TRIPLET})

# Debian multiarch: target libraries live in /usr/lib/<triplet> on the build
# machine itself, so there is no separate sysroot. pkg-config must see only
# the target's .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SIGNET_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH /usr/${SIGNET_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

# ctest runs the cross-built tests through qemu-user; -L makes qemu load the
# target's dynamic loader and C library from the cross prefix.
find_program(SIGNET_QEMU qemu-${SIGNET_QEMU_ARCH} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${SIGNET_QEMU} -L /usr/${SIGNET_CROSS_TRIPLET})
