/**
 * @file scope_exit.hpp
 * @brief Run a function when a scope ends, unless dismissed.
 */
#pragma once

#include <utility>

namespace boxlab::sys {

/**
 * @brief Calls a function on scope exit (normal or by exception) unless release() was called.
 *
 * Use it for undo steps that have no owner type of their own. The function must not throw.
 */
template <typename Fn>
class ScopeExit {
 public:
  /// Arm @p fn to run when this object is destroyed.
  explicit ScopeExit(Fn fn) noexcept : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) fn_();
  }
  /// Keep what was done: the function will not run.
  void release() noexcept { armed_ = false; }

 private:
  Fn fn_;
  bool armed_ = true;
};

}  // namespace boxlab::sys
