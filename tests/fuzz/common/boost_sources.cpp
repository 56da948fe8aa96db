// Boost.JSON's and Boost.URL's compiled parts, built here with the fuzzing
// build's instrumentation (coverage, ASan, UBSan) instead of linked from
// Debian's libraries: libFuzzer then sees inside the JSON parser, and the
// sanitizers check it. The fuzzing build links no other copy of either.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
