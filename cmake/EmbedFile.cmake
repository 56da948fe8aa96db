# gm_embed_file(<target> <symbol> <file>): links the bytes of <file> into
# <target>, readable as std::string_view gm::assets::<symbol>(). The bytes go
# in with the assembler's .incbin, so a megabyte of JavaScript costs no
# compile time; the object is rebuilt when the file changes.
function(gm_embed_file target symbol file)
  set(source "${CMAKE_CURRENT_BINARY_DIR}/embedded/${symbol}.cpp")
  file(WRITE "${source}.in" "\
#include <cstddef>
#include <string_view>

__asm__(\".section .rodata\\n\"
        \".balign 16\\n\"
        \"gm_embedded_${symbol}_begin:\\n\"
        \".incbin \\\"${file}\\\"\\n\"
        \"gm_embedded_${symbol}_end:\\n\"
        \".byte 0\\n\"
        \".previous\\n\");

extern \"C\" const char gm_embedded_${symbol}_begin[] __asm__(\"gm_embedded_${symbol}_begin\");
extern \"C\" const char gm_embedded_${symbol}_end[] __asm__(\"gm_embedded_${symbol}_end\");

namespace gm::assets {
std::string_view ${symbol}() {
  return {gm_embedded_${symbol}_begin, static_cast<std::size_t>(gm_embedded_${symbol}_end - gm_embedded_${symbol}_begin)};
}
}  // namespace gm::assets
")
  configure_file("${source}.in" "${source}" COPYONLY)
  set_source_files_properties("${source}" PROPERTIES OBJECT_DEPENDS "${file}" SKIP_PRECOMPILE_HEADERS ON)
  target_sources(${target} PRIVATE "${source}")
endfunction()
