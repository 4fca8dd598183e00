#include <fcntl.h>
#include <unistd.h>

#include "boxlab/sys/scope_exit.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/unique_fd.hpp"
#include "catch.hpp"

using boxlab::sys::UniqueFd;

static bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST_CASE("UniqueFd closes its descriptor exactly once", "[sys][fd]") {
  int raw;
  {
    UniqueFd fd = boxlab::sys::open("/dev/null", O_RDONLY);
    raw = fd.get();
    CHECK(is_open(raw));
    CHECK((::fcntl(raw, F_GETFD) & FD_CLOEXEC) != 0);  // always close-on-exec
    UniqueFd moved = std::move(fd);
    CHECK_FALSE(fd);
    CHECK(moved.get() == raw);
  }
  CHECK_FALSE(is_open(raw));
}

TEST_CASE("release gives up ownership", "[sys][fd]") {
  UniqueFd fd = boxlab::sys::open("/dev/null", O_RDONLY);
  int raw = fd.release();
  CHECK_FALSE(fd);
  CHECK(is_open(raw));
  ::close(raw);
}

TEST_CASE("pipe2 gives two close-on-exec ends that talk", "[sys][fd]") {
  auto pipe = boxlab::sys::pipe2();
  boxlab::sys::write_all(pipe.write_end.get(), "hello");
  pipe.write_end.reset();
  char buf[16] = {};
  CHECK(boxlab::sys::read(pipe.read_end.get(), buf, sizeof buf) == 5);
  CHECK(std::string(buf) == "hello");
  CHECK(boxlab::sys::read(pipe.read_end.get(), buf, sizeof buf) == 0);
}

TEST_CASE("ScopeExit runs unless released", "[sys]") {
  int runs = 0;
  {
    boxlab::sys::ScopeExit undo([&] { ++runs; });
  }
  {
    boxlab::sys::ScopeExit undo([&] { ++runs; });
    undo.release();
  }
  CHECK(runs == 1);
}

TEST_CASE("syscall wrappers name the call and the path", "[sys][fd]") {
  CHECK_THROWS_WITH(boxlab::sys::open("/no/such/file", O_RDONLY), "open /no/such/file: No such file or directory");
  CHECK_THROWS_WITH(boxlab::sys::read_file("/no/such"), "open /no/such: No such file or directory");
  CHECK_FALSE(boxlab::sys::exists("/no/such/file"));
  CHECK(boxlab::sys::exists("/proc/self"));
}
