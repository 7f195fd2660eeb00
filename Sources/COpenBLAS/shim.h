// OpenBLAS's CBLAS interface plus the thread and core queries the benchmark reports.
#include <cblas.h>
