#ifndef SKIFF_CLIBPQ_SHIM_H
#define SKIFF_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
