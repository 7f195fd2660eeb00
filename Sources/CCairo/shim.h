// Cairo's drawing API with its PDF back end (PNG output is part of cairo.h).
#include <cairo.h>
#include <cairo-pdf.h>
