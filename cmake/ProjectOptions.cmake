# Warnings and sanitizers are interface targets linked privately, so a
# consumer of our libraries never inherits our flags by accident.
add_library(gm_warnings INTERFACE)
target_compile_options(gm_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough -Wswitch-enum)
# GCC 12 reports copies of std::optional<std::variant<Empty, Enum>> as
# maybe-uninitialized (a false positive, GCC bug 105593 and kin): off for
# GCC before 13 only. (GCC 12 at -O3 also misreads a short literal plus a
# std::string as a huge memcpy, under stringop-overflow, array-bounds or
# restrict, whichever is on; our code appends to the literal instead.)
set(gm_gcc12 "$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>")
target_compile_options(gm_warnings INTERFACE "$<${gm_gcc12}:-Wno-maybe-uninitialized>")
# Off by default, so a packager's plain build never fails on a newer
# compiler's new warning; the project's presets and CI turn it on
# (cpp-best-practices' cmake_template, userver's USERVER_NO_WERROR).
option(GM_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)
if(GM_WARNINGS_AS_ERRORS)
  target_compile_options(gm_warnings INTERFACE -Werror)
endif()

add_library(gm_sanitizers INTERFACE)
set(GM_SANITIZE "" CACHE STRING "Sanitizers to build with: address (ASan and UBSan), thread (TSan), or none")
set_property(CACHE GM_SANITIZE PROPERTY STRINGS "" address thread)
if(GM_SANITIZE STREQUAL "address")
  target_compile_options(gm_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(gm_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(GM_SANITIZE STREQUAL "thread")
  # -Wno-tsan: Asio's headers use std::atomic_thread_fence, which GCC warns
  # that ThreadSanitizer does not model.
  target_compile_options(gm_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  target_link_options(gm_sanitizers INTERFACE -fsanitize=thread)
elseif(NOT GM_SANITIZE STREQUAL "")
  message(FATAL_ERROR "GM_SANITIZE must be address, thread or empty, not '${GM_SANITIZE}'")
endif()
