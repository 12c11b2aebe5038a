#!/bin/sh
# The installed package works for an out-of-tree consumer: `cmake --install` of BUILD_DIR into a temporary
# prefix, then examples/cmake_consumer (find_package(LiteSR), LiteSR::litesr) configured, built and run, and
# examples/c/upscale.c built with pkg-config's flags and run; both upscale samples/sample.png.
#   install_consumer_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > "$prefix/install.log"
test -f "$prefix/include/litesr/litesr.h"
test -x "$prefix/bin/litesr"
libdir=$(ls -d "$prefix"/lib*/ | head -1)
libdir=${libdir%/}
# Only the C API is exported.
if nm -D --defined-only "$libdir/liblitesr.so" | awk '{print $3}' | grep -v '^litesr_' | grep -q .; then
  echo "liblitesr.so exports more than litesr_*:" >&2
  nm -D --defined-only "$libdir/liblitesr.so" | awk '{print $3}' | grep -v '^litesr_' | head >&2
  exit 1
fi
cmake -S "$src/examples/cmake_consumer" -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" > "$prefix/configure.log"
cmake --build "$prefix/consumer" > "$prefix/build.log"
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/upscale_example" "$src/samples/sample.png" "$prefix/a.png" bicubic
test -s "$prefix/a.png"
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/upscale_cpp_example" "$src/samples/sample.png" "$prefix/c.webp" elsr-x2
test -s "$prefix/c.webp"
test -f "$prefix/include/litesr/litesr.hpp"
PKG_CONFIG_PATH="$libdir/pkgconfig" cc -o "$prefix/upscale_pc" "$src/examples/c/upscale.c" \
  $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs litesr)
LD_LIBRARY_PATH="$libdir" "$prefix/upscale_pc" "$src/samples/sample.png" "$prefix/b.jpg"
test -s "$prefix/b.jpg"
echo "1 passed, 0 failed"
