#ifndef WAI_COPENBLAS_SHIM_H
#define WAI_COPENBLAS_SHIM_H
// Debian installs OpenBLAS's cblas.h under an include directory that pkg-config `openblas` adds.
#include <cblas.h>
#endif
