#ifndef SKIFF_CLIBSSH2_SHIM_H
#define SKIFF_CLIBSSH2_SHIM_H

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libssh2.h>
#include <libssh2_sftp.h>

/*
 * Byte counter that the receive callback below bumps. Skiff's keepalive logic reads it to tell
 * whether the server said anything since the last keepalive (libssh2 itself does not track replies).
 * It is written and read only on the thread that drives the session.
 */
typedef struct skiff_io_counter {
    unsigned long long bytes_received;
} skiff_io_counter;

/* libssh2's receive callback: plain recv(2) that counts bytes into the session's abstract pointer. */
static inline ssize_t skiff_counting_recv(libssh2_socket_t fd, void *buffer, size_t length,
                                          int flags, void **abstract) {
    ssize_t n = recv(fd, buffer, length, flags);
    if (n < 0) {
        return -errno;
    }
    if (n > 0 && abstract != NULL && *abstract != NULL) {
        ((skiff_io_counter *)*abstract)->bytes_received += (unsigned long long)n;
    }
    return n;
}

/* Names the calling thread (up to 15 bytes), as `ps -L`, top and /proc/PID/task/TID/comm show it. */
static inline void skiff_name_this_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

/*
 * Gives back the memory of the pages inside a fresh allocation that hold only zeros. libssh2 allocates
 * each session as one 54 KB block (its packet buffers are in it) and zeroes all of it, which makes every
 * page resident although a session on a deploy writes only a few of them. A dropped page of private
 * anonymous memory reads as zeros again (MADV_DONTNEED), so the block's contents do not change; a page
 * comes back when libssh2 first writes to it. Only pages wholly inside the block are touched.
 */
static inline void skiff_release_zero_pages(void *block) {
    long page_size = sysconf(_SC_PAGESIZE);
    if (block == NULL || page_size <= 0) {
        return;
    }
    uintptr_t page = (uintptr_t)page_size;
    uintptr_t end = (uintptr_t)block + malloc_usable_size(block);
    uintptr_t run = 0;
    for (uintptr_t p = ((uintptr_t)block + page - 1) & ~(page - 1); p + page <= end; p += page) {
        const uint64_t *words = (const uint64_t *)p;
        int zero = 1;
        for (uintptr_t i = 0; i < page / sizeof(uint64_t); i++) {
            if (words[i] != 0) {
                zero = 0;
                break;
            }
        }
        if (zero && run == 0) {
            run = p;
        } else if (!zero && run != 0) {
            madvise((void *)run, p - run, MADV_DONTNEED);
            run = 0;
        }
        if (zero && p + 2 * page > end) {
            madvise((void *)run, p + page - run, MADV_DONTNEED);
        }
    }
}

/* Creates a session whose abstract pointer is `counter` and whose receive path counts bytes. */
static inline LIBSSH2_SESSION *skiff_session_new(skiff_io_counter *counter) {
    LIBSSH2_SESSION *session = libssh2_session_init_ex(NULL, NULL, NULL, counter);
    if (session != NULL) {
        skiff_release_zero_pages(session);
        libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, (void *)skiff_counting_recv);
    }
    return session;
}

#endif
