# libFuzzer harnesses (tests/fuzz/README.md): the `fuzz` preset turns this
# on, compiles everything with clang's -fsanitize=fuzzer-no-link,address,
# undefined, and builds the target fuzz_harnesses; scripts/fuzz runs them.
# Only what the harnesses reach is compiled: the files below, not gm_domain
# or gm_core (whose store, broker and server code the harnesses never call;
# and clang 14 cannot deduce domain/overloaded.hpp's aggregate without a
# deduction guide, which account_watch.cpp and streams.cpp need).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "GM_FUZZ needs clang (libFuzzer comes with it): configure with the fuzz preset")
endif()

add_library(gm_fuzz_code STATIC
  src/domain/points.cpp
  src/domain/order_number.cpp
  src/domain/credentials.cpp
  src/domain/account.cpp
  src/domain/withdrawal.cpp
  src/infra/http/request_reading.cpp
  src/infra/http/request_bodies.cpp
  src/infra/http/request.cpp
  src/infra/http/request_id.cpp
  src/infra/http/gzip.cpp
  src/infra/http/json_body.cpp
  src/infra/http/router.cpp
  src/infra/http/dispatcher.cpp
  src/infra/http/cors.cpp
  src/infra/json/json_text.cpp
  src/infra/auth/token_issuer.cpp
  src/infra/auth/random_hex.cpp
  src/infra/accrual/accrual_reply.cpp
  src/infra/config/dotenv.cpp
  src/infra/config/config.cpp
  src/infra/observability/log.cpp
  src/infra/time.cpp
)
# Asio's configuration as every other library of ours compiles it (see gm_app).
get_target_property(gm_asio_definitions gm_app INTERFACE_COMPILE_DEFINITIONS)
target_compile_definitions(gm_fuzz_code PUBLIC ${gm_asio_definitions})
target_include_directories(gm_fuzz_code PUBLIC src)
target_link_libraries(gm_fuzz_code
  PUBLIC gm_fuzz_boost Boost::headers PkgConfig::JWT PkgConfig::SODIUM ZLIB::ZLIB Threads::Threads
  PRIVATE gm_warnings)

# Boost.JSON and Boost.URL compiled from their sources, instrumented
# (tests/fuzz/common/boost_sources.cpp): never Boost::json or Boost::url here.
add_library(gm_fuzz_boost STATIC tests/fuzz/common/boost_sources.cpp)
target_link_libraries(gm_fuzz_boost PUBLIC Boost::headers)
target_compile_definitions(gm_fuzz_boost PUBLIC ${gm_asio_definitions})

set(GM_FUZZ_TARGETS http_request json_bodies order_points accrual_reply jwt_verify dotenv_config)
add_custom_target(fuzz_harnesses)
foreach(name IN LISTS GM_FUZZ_TARGETS)
  add_executable(fuzz_${name} tests/fuzz/${name}.cpp)
  target_include_directories(fuzz_${name} PRIVATE tests/fuzz/common)
  target_link_libraries(fuzz_${name} PRIVATE gm_fuzz_code gm_warnings)
  target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzz_harnesses fuzz_${name})
endforeach()

# The rest of the project is not built here (clang 14 cannot compile all of
# it, see above): `cmake --build build/fuzz` builds the harnesses alone.
get_property(gm_all_targets DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY BUILDSYSTEM_TARGETS)
foreach(target IN LISTS gm_all_targets)
  get_target_property(type ${target} TYPE)
  if(NOT target MATCHES "^(gm_)?fuzz_" AND NOT type STREQUAL "INTERFACE_LIBRARY")
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
  endif()
endforeach()
