// ReadStat (Debian: libreadstat-dev), which reads SPSS .sav/.zsav and Stata .dta files.
// Debian ships no pkg-config file for it: the header is found on the default include path
// and the library linked by name (module.modulemap).
#include <readstat.h>
