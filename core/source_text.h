// SourceText: the text of one netlist file, memory-mapped.
//
// A large netlist is hundreds of megabytes; mapping the file shares the kernel's page cache
// instead of copying the text into fresh memory (which costs more than the parsing on a
// virtual machine). Text given as a string (tests, generated netlists) is held as a copy.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace xbarsim {

class SourceText {
 public:
  // The file's text, or null when the file cannot be opened or read.
  static std::shared_ptr<const SourceText> from_file(const std::filesystem::path& path);
  static std::shared_ptr<const SourceText> from_string(std::string_view text);

  SourceText(const SourceText&) = delete;
  SourceText& operator=(const SourceText&) = delete;
  ~SourceText();

  std::string_view text() const { return text_; }

 private:
  SourceText() = default;

  std::string copy_;              // text held in memory (from_string, or a file that cannot be mapped)
  void* mapping_ = nullptr;       // mmap'ed file
  std::size_t mapped_bytes_ = 0;
  std::string_view text_;
};

}  // namespace xbarsim
