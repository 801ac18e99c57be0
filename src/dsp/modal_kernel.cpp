// Picks the modal kernel for this CPU once; all of them give the same bits.
#include "dsp/modal_kernel.hpp"

namespace reverie::dsp {

int availableModalKernels(NamedKernel* out, int capacity) {
  int count = 0;
  auto add = [&](const char* name, KernelSet set) {
    if (count < capacity) out[count] = {name, set.struck, set.bowed, set.drift};
    ++count;
  };
#if defined(REVERIE_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) add("avx512", avx512Kernels());
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) add("avx2", avx2Kernels());
#endif
  add("portable", portableKernels());
  return count;
}

namespace {
NamedKernel chosenKernel() {
  static const NamedKernel chosen = [] {
    NamedKernel kernels[3];
    availableModalKernels(kernels, 3);
    return kernels[0];
  }();
  return chosen;
}
}  // namespace

ModalKernel modalKernel() {
  return chosenKernel().kernel;
}
BowedKernel bowedKernel() {
  return chosenKernel().bowed;
}
DriftKernel driftKernel() {
  return chosenKernel().drift;
}
const char* modalKernelName() {
  return chosenKernel().name;
}

}  // namespace reverie::dsp
