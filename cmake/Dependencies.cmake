# Every third-party dependency of boxlab, in one place. Each is a Debian package; the same
# list is installed by scripts/install-deps.sh (which the README and .ci/run call).
#
#   package (Debian)          what for                              target here
#   libfmt-dev                formatting output                     fmt::fmt
#   libcli11-dev              command lines of labs and checker     CLI11::CLI11
#   nlohmann-json3-dev        OCI spec, state, probe and reports    nlohmann_json::nlohmann_json
#   catch2 (2.x; 3.x ok)      unit and root tests                   Catch2::Catch2
#   libseccomp-dev            seccomp profiles (lab 10)             PkgConfig::SECCOMP
#   libarchive-dev            tar/gzip layers (labs 05-06)          PkgConfig::ARCHIVE
#   libssl-dev                sha256 of blobs (lab 06)              OpenSSL::Crypto
#   libcurl4-openssl-dev      registry HTTP (lab 06)                CURL::libcurl
#   libyaml-cpp-dev           compose and pod YAML (labs 12-13)     PkgConfig::YAMLCPP
#   libcap-dev                capabilities (lab 10)                 PkgConfig::CAP
#   libnl-route-3-dev         netlink: links, addresses (lab 08)    PkgConfig::NLROUTE
#   libnftables-dev           NAT and port publishing (lab 08)      PkgConfig::NFTABLES
#   doxygen, graphviz         API docs, lesson diagrams             (programs)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(CURL REQUIRED)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
pkg_check_modules(ARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
pkg_check_modules(CAP REQUIRED IMPORTED_TARGET libcap)
pkg_check_modules(NLROUTE REQUIRED IMPORTED_TARGET libnl-route-3.0)
pkg_check_modules(NFTABLES REQUIRED IMPORTED_TARGET libnftables)
if(BOXLAB_TESTS)
  find_package(Catch2 REQUIRED)
endif()
