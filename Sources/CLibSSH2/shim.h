#ifndef SKIFF_CLIBSSH2_SHIM_H
#define SKIFF_CLIBSSH2_SHIM_H

#include <errno.h>
#include <sys/types.h>
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

/* Creates a session whose abstract pointer is `counter` and whose receive path counts bytes. */
static inline LIBSSH2_SESSION *skiff_session_new(skiff_io_counter *counter) {
    LIBSSH2_SESSION *session = libssh2_session_init_ex(NULL, NULL, NULL, counter);
    if (session != NULL) {
        libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, (void *)skiff_counting_recv);
    }
    return session;
}

#endif
