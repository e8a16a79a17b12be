/* The Linux interfaces the host uses that Swift does not import by itself: epoll, eventfd,
   signalfd, accept4, memfd, and atomics and locks on shared memory. */
#ifndef NOZZLE_CSYSTEM_SHIM_H
#define NOZZLE_CSYSTEM_SHIM_H
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/mman.h>
#include <signal.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

/* glibc declares accept4 only under _GNU_SOURCE; the symbol is always there. */
extern int accept4(int, struct sockaddr *, socklen_t *, int);

/* accept4 that also reports the peer's address. */
static inline int nozzle_accept_peer(int fd, struct sockaddr_storage *peer, socklen_t *length) {
    *length = sizeof *peer;
    return accept4(fd, (struct sockaddr *)peer, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

/* pipe2 is likewise declared only under _GNU_SOURCE. */
extern int pipe2(int fds[2], int flags);
static inline int nozzle_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
/* Connections waiting in a TCP listening socket's accept queue; -1 when it cannot tell. */
static inline int nozzle_listen_queue(int fd) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    return (int)info.tcpi_unacked;
}
/* memfd_create is declared only under _GNU_SOURCE, like accept4. */
extern int memfd_create(const char *name, unsigned int flags);
static inline int nozzle_memfd(const char *name) { return memfd_create(name, 1u /* MFD_CLOEXEC */); }

/* Stores and loads that other processes see in order, for the shared scoreboard. */
static inline void nozzle_store_release(unsigned char *flag, unsigned char value) { __atomic_store_n(flag, value, __ATOMIC_RELEASE); }
static inline unsigned char nozzle_load_acquire(const unsigned char *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }
/* Counters in the shared scoreboard, updated by several threads of several processes. */
static inline void nozzle_add(long *counter, long value) { __atomic_fetch_add(counter, value, __ATOMIC_RELAXED); }
static inline long nozzle_load(const long *counter) { return __atomic_load_n(counter, __ATOMIC_RELAXED); }
static inline void nozzle_store(long *counter, long value) { __atomic_store_n(counter, value, __ATOMIC_RELAXED); }
static inline void nozzle_max(long *counter, long value) {
    long seen = __atomic_load_n(counter, __ATOMIC_RELAXED);
    while (value > seen && !__atomic_compare_exchange_n(counter, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
/* A lock word in shared memory: compare-and-swap that acquires, and a store that releases. */
static inline int nozzle_compare_exchange(long *word, long expected, long desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
static inline void nozzle_release(long *word, long value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }
#endif
