// zlib's gzip file reader, used to stream `.json.gz` review dumps.
#include <zlib.h>
