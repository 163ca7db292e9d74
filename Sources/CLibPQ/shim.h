#ifndef SKIFF_CLIBPQ_SHIM_H
#define SKIFF_CLIBPQ_SHIM_H

/*
 * libpq, loaded when the shared audit store is first used (dlopen), not when Skiff starts: linked at
 * start it brought about fifteen more shared libraries (GnuTLS, Kerberos, LDAP, SASL, p11-kit, ...),
 * their constructors and ~3.5 MB of resident memory into every run, most of which never talk to
 * PostgreSQL. Only the declarations come from libpq's header; the functions Skiff calls go through
 * `skiff_pq_*`, which answer as a failed call when the library could not be loaded.
 */
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

typedef struct skiff_pq_library {
    const char *failure;
    PGconn *(*connectdb)(const char *);
    ConnStatusType (*status)(const PGconn *);
    void (*finish)(PGconn *);
    void (*reset)(PGconn *);
    char *(*errorMessage)(const PGconn *);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *, PQnoticeProcessor, void *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *, int);
    void (*clear)(PGresult *);
    ExecStatusType (*resultStatus)(const PGresult *);
    char *(*resultErrorMessage)(const PGresult *);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
} skiff_pq_library;

static inline skiff_pq_library *skiff_pq_state(void) {
    static skiff_pq_library library;
    return &library;
}

static inline void skiff_pq_load_once(void) {
    skiff_pq_library *pq = skiff_pq_state();
    void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        /* dlerror's text belongs to the thread and is freed by its next dlerror: keep a copy. */
        static char reason[512];
        const char *text = dlerror();
        snprintf(reason, sizeof reason, "%s", text != NULL ? text : "libpq.so.5 cannot be loaded");
        pq->failure = reason;
        return;
    }
#define SKIFF_PQ_SYMBOL(field, name)                                   \
    *(void **)(&pq->field) = dlsym(handle, name);                      \
    if (pq->field == NULL) {                                           \
        pq->failure = "libpq.so.5 lacks " name;                        \
        return;                                                        \
    }
    SKIFF_PQ_SYMBOL(connectdb, "PQconnectdb")
    SKIFF_PQ_SYMBOL(status, "PQstatus")
    SKIFF_PQ_SYMBOL(finish, "PQfinish")
    SKIFF_PQ_SYMBOL(reset, "PQreset")
    SKIFF_PQ_SYMBOL(errorMessage, "PQerrorMessage")
    SKIFF_PQ_SYMBOL(setNoticeProcessor, "PQsetNoticeProcessor")
    SKIFF_PQ_SYMBOL(exec, "PQexec")
    SKIFF_PQ_SYMBOL(execParams, "PQexecParams")
    SKIFF_PQ_SYMBOL(clear, "PQclear")
    SKIFF_PQ_SYMBOL(resultStatus, "PQresultStatus")
    SKIFF_PQ_SYMBOL(resultErrorMessage, "PQresultErrorMessage")
    SKIFF_PQ_SYMBOL(ntuples, "PQntuples")
    SKIFF_PQ_SYMBOL(nfields, "PQnfields")
    SKIFF_PQ_SYMBOL(getvalue, "PQgetvalue")
#undef SKIFF_PQ_SYMBOL
}

/* Loads libpq once; NULL when it is there and complete, else why not. */
static inline const char *skiff_pq_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, skiff_pq_load_once);
    return skiff_pq_state()->failure;
}

static inline int skiff_pq_ready(void) { return skiff_pq_load() == NULL; }

static inline PGconn *skiff_pq_connectdb(const char *info) { return skiff_pq_ready() ? skiff_pq_state()->connectdb(info) : NULL; }
static inline ConnStatusType skiff_pq_status(const PGconn *c) { return skiff_pq_ready() ? skiff_pq_state()->status(c) : CONNECTION_BAD; }
static inline void skiff_pq_finish(PGconn *c) { if (skiff_pq_ready()) skiff_pq_state()->finish(c); }
static inline void skiff_pq_reset(PGconn *c) { if (skiff_pq_ready()) skiff_pq_state()->reset(c); }
static inline const char *skiff_pq_errorMessage(const PGconn *c) { return skiff_pq_ready() ? skiff_pq_state()->errorMessage(c) : ""; }
static inline void skiff_pq_setNoticeProcessor(PGconn *c, PQnoticeProcessor p, void *a) { if (skiff_pq_ready()) skiff_pq_state()->setNoticeProcessor(c, p, a); }
static inline PGresult *skiff_pq_exec(PGconn *c, const char *q) { return skiff_pq_ready() ? skiff_pq_state()->exec(c, q) : NULL; }
static inline PGresult *skiff_pq_execParams(PGconn *c, const char *q, int n, const char *const *values) {
    return skiff_pq_ready() ? skiff_pq_state()->execParams(c, q, n, NULL, values, NULL, NULL, 0) : NULL;
}
static inline void skiff_pq_clear(PGresult *r) { if (skiff_pq_ready()) skiff_pq_state()->clear(r); }
static inline ExecStatusType skiff_pq_resultStatus(const PGresult *r) { return skiff_pq_ready() ? skiff_pq_state()->resultStatus(r) : PGRES_FATAL_ERROR; }
static inline const char *skiff_pq_resultErrorMessage(const PGresult *r) { return skiff_pq_ready() ? skiff_pq_state()->resultErrorMessage(r) : ""; }
static inline int skiff_pq_ntuples(const PGresult *r) { return skiff_pq_ready() ? skiff_pq_state()->ntuples(r) : 0; }
static inline int skiff_pq_nfields(const PGresult *r) { return skiff_pq_ready() ? skiff_pq_state()->nfields(r) : 0; }
static inline const char *skiff_pq_getvalue(const PGresult *r, int row, int column) { return skiff_pq_ready() ? skiff_pq_state()->getvalue(r, row, column) : ""; }

#endif
