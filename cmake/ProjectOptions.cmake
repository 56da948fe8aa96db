# Warnings and sanitizers are interface targets linked privately, so a
# consumer of our libraries never inherits our flags by accident.
add_library(gm_warnings INTERFACE)
target_compile_options(gm_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough -Wswitch-enum
  # GCC 12 at -O3 reports copies of std::optional<std::variant<Empty, Enum>>
  # as maybe-uninitialized (a known false positive, GCC bug 105593 and kin).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
option(GM_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)
if(GM_WARNINGS_AS_ERRORS)
  target_compile_options(gm_warnings INTERFACE -Werror)
endif()

add_library(gm_sanitizers INTERFACE)
option(GM_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(GM_SANITIZE)
  target_compile_options(gm_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(gm_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
