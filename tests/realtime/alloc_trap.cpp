// Interposes operator new/delete, the malloc family and pthread_mutex_lock in the test binary,
// and counts calls made from the audio thread. Definitions in the executable take precedence
// over the C library's, so every call in the process comes through here.
#include "realtime/alloc_trap.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
thread_local bool onAudioThread = false;
std::atomic<std::uint64_t> allocations{0};
std::atomic<std::uint64_t> locks{0};

void noteAllocation() {
  if (onAudioThread) allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

namespace reverie::test {
void setAudioThread(bool value) {
  onAudioThread = value;
}
std::uint64_t allocationViolations() {
  return allocations.load();
}
std::uint64_t lockViolations() {
  return locks.load();
}
void resetViolations() {
  allocations = 0;
  locks = 0;
}
bool trapsLibc() {
#if REVERIE_TRAP_LIBC
  return true;
#else
  return false;
#endif
}
}  // namespace reverie::test

#if REVERIE_TRAP_LIBC
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t size) {
  noteAllocation();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  noteAllocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, size_t size) {
  noteAllocation();
  return __libc_realloc(pointer, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  noteAllocation();
  return __libc_memalign(alignment, size);
}
void* memalign(size_t alignment, size_t size) {
  noteAllocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  noteAllocation();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void* pointer) {
  if (pointer != nullptr) noteAllocation();
  __libc_free(pointer);
}

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  using Lock = int (*)(pthread_mutex_t*);
  static const Lock real = reinterpret_cast<Lock>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
  if (onAudioThread) locks.fetch_add(1, std::memory_order_relaxed);
  return real(mutex);
}
}  // extern "C"
#endif

// operator new/delete: replaced in every build, forwarding to malloc/free.
void* operator new(std::size_t size) {
  noteAllocation();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  noteAllocation();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept {
  if (p != nullptr) noteAllocation();
  std::free(p);
}
void operator delete[](void* p) noexcept {
  operator delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  operator delete(p);
}
