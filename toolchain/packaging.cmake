# Debian packages (CPack): signet-kiosk (the board: kiosk, the signet CLI,
# firmware scripts and units, default settings) and signet-queue (the
# moderation queue with its page embedded, its unit, tips and blocklists).
# `cpack -G DEB` in a build folder makes both; in a cross build folder they
# are for the target's architecture. Dependencies come from dpkg-shlibdeps
# (the distribution's libraries) plus the font packages the kiosk draws with.
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk queue)
set(CPACK_PACKAGE_NAME signet)
set(CPACK_PACKAGE_VENDOR "Signet")
set(CPACK_PACKAGE_CONTACT "Signet maintainers <signet@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
# The target's Debian architecture (CPack would ask dpkg, i.e. the build machine).
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
elseif(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
endif()

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME signet-kiosk)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
  "Signet waiting-room display\n Shows approved posts and health tips on a waiting-room screen, only when\n their approval verifies (Ed25519-signed feeds). Includes the board's systemd\n units, first-boot provisioning from signet.txt and display hours.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "fonts-dejavu-core, fonts-symbola, adduser, systemd")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "cec-utils")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/toolchain/debian/kiosk/postinst;${PROJECT_SOURCE_DIR}/toolchain/debian/kiosk/prerm;${PROJECT_SOURCE_DIR}/toolchain/debian/kiosk/postrm;${PROJECT_SOURCE_DIR}/toolchain/debian/kiosk/conffiles")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_QUEUE_PACKAGE_NAME signet-queue)
set(CPACK_COMPONENT_QUEUE_DESCRIPTION
  "Signet moderation queue\n Staff approve, reject and pull back what waiting-room screens show, from a\n phone; the queue signs one feed per screen. Ingests RSS/Atom, Mastodon,\n Bluesky and a webhook; ships starter health tips and blocklists.")
# Previews are drawn with the kiosk's renderer and fonts.
set(CPACK_DEBIAN_QUEUE_PACKAGE_DEPENDS "fonts-dejavu-core, fonts-symbola, adduser, systemd")
set(CPACK_DEBIAN_QUEUE_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/toolchain/debian/queue/postinst;${PROJECT_SOURCE_DIR}/toolchain/debian/queue/prerm;${PROJECT_SOURCE_DIR}/toolchain/debian/queue/postrm;${PROJECT_SOURCE_DIR}/toolchain/debian/queue/conffiles")
set(CPACK_DEBIAN_QUEUE_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
