# Instrumented builds, each in a build folder of its own (./dev.sh sanitize address|thread):
#   FEDBLOG_SANITIZE=address  AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer; any UB aborts
#   FEDBLOG_SANITIZE=thread   ThreadSanitizer
#   FEDBLOG_FUZZ=ON           clang only: everything carries libFuzzer's coverage and ASan+UBSan, and fuzz/ builds
# The flags go on every target, the libraries included, so the code under test is always instrumented.
set(FEDBLOG_SANITIZE "" CACHE STRING "Sanitizers for the whole build: address (ASan+UBSan) or thread (TSan)")
set_property(CACHE FEDBLOG_SANITIZE PROPERTY STRINGS "" address thread)

set(fedblog_address_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # clang 14 cannot emit -fsanitize=function's prologue data for coroutines ("Cannot represent a difference
  # across sections"); that check (calls through a mistyped function pointer) is the one UBSan check left out.
  list(APPEND fedblog_address_flags -fno-sanitize=function)
endif()
if(FEDBLOG_SANITIZE STREQUAL "address")
  set(fedblog_sanitize_flags ${fedblog_address_flags})
elseif(FEDBLOG_SANITIZE STREQUAL "thread")
  if(FEDBLOG_FUZZ)
    message(FATAL_ERROR "FEDBLOG_FUZZ uses AddressSanitizer, which cannot be combined with FEDBLOG_SANITIZE=thread")
  endif()
  set(fedblog_sanitize_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT FEDBLOG_SANITIZE STREQUAL "")
  message(FATAL_ERROR "FEDBLOG_SANITIZE must be address or thread, not '${FEDBLOG_SANITIZE}'")
endif()

if(FEDBLOG_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FEDBLOG_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  # Coverage for libFuzzer everywhere; only the fuzz targets link libFuzzer's main (fuzz/CMakeLists.txt).
  set(fedblog_sanitize_flags ${fedblog_address_flags})
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(fedblog_sanitize_flags)
  add_compile_options(${fedblog_sanitize_flags})
  add_link_options(${fedblog_sanitize_flags})
endif()
