/* The Linux interfaces the host uses that Swift does not import by itself: epoll, eventfd,
   signalfd, accept4, memfd, malloc's arena limit, atomics and locks on shared memory, other
   threads' stacks, and the worker threads' scheduling policy. */
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
#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>

/* glibc declares accept4 only under _GNU_SOURCE; the symbol is always there. */
extern int accept4(int, struct sockaddr *, socklen_t *, int);

/* accept4 that also reports the peer's address. */
static inline int nozzle_accept_peer(int fd, struct sockaddr_storage *peer, socklen_t *length) {
    *length = sizeof *peer;
    return accept4(fd, (struct sockaddr *)peer, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

/* Schedules the calling thread with SCHED_BATCH (3 on Linux; sched.h names it only under
   _GNU_SOURCE): it no longer preempts a running task when it wakes. Returns 0, or an errno. */
#include <sched.h>
#include <errno.h>
static inline int nozzle_thread_schedule_batch(void) {
    struct sched_param param = { .sched_priority = 0 };
    return sched_setscheduler(0, 3 /* SCHED_BATCH */, &param) == 0 ? 0 : errno;
}

/* pipe2 is likewise declared only under _GNU_SOURCE. */
extern int pipe2(int fds[2], int flags);
static inline int nozzle_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

/* How many arenas glibc's malloc makes at most, for the threads that come after; 1 when set,
   0 where the C library has no such limit. */
static inline int nozzle_malloc_arena_max(int arenas) {
#ifdef M_ARENA_MAX
    return mallopt(M_ARENA_MAX, arenas);
#else
    (void)arenas;
    return 0;
#endif
}

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

/* Another thread's stack, for the slow-request log. The capturing thread arms the one slot, sends
   the thread a signal, and the thread's handler writes its own return addresses there. Captures
   come one at a time (the caller serializes them). A handler that runs after the capture gave up
   finds the slot disarmed and does nothing, so nothing writes into the slot once it is read. */
struct nozzle_stack_slot { void *frames[64]; int count; int armed; int done; };
/* The slot, inside a function: a header's global would not be emitted where Swift uses it. */
static inline struct nozzle_stack_slot *nozzle_stack_slot(void) {
    static struct nozzle_stack_slot slot;
    return &slot;
}

static void nozzle_stack_handler(int signal) {
    (void)signal;
    struct nozzle_stack_slot *slot = nozzle_stack_slot();
    int armed = 1;
    if (!__atomic_compare_exchange_n(&slot->armed, &armed, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return;
    slot->count = backtrace(slot->frames, 64);
    __atomic_store_n(&slot->done, 1, __ATOMIC_RELEASE);
}

/* The signal that asks a thread for its stack: a real-time one, which nothing else here uses
   (glibc's SIGRTMIN is a function call, not a constant). */
static inline int nozzle_stack_signal(void) { return SIGRTMIN + 4; }

/* Installs the handler; 0 on success. The first backtrace happens here, not in a handler: it
   loads the unwinder, which allocates. */
static inline int nozzle_stack_install(void) {
    void *warm[4];
    backtrace(warm, 4);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = nozzle_stack_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    return sigaction(nozzle_stack_signal(), &action, NULL);
}

/* Up to `capacity` return addresses of `thread`'s stack, innermost first; -1 when the thread did
   not answer within about a second (it has the signal blocked, or is stopped). */
static inline int nozzle_stack_capture(pthread_t thread, void **frames, int capacity) {
    struct nozzle_stack_slot *slot = nozzle_stack_slot();
    __atomic_store_n(&slot->done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->armed, 1, __ATOMIC_RELEASE);
    if (pthread_kill(thread, nozzle_stack_signal()) != 0) {
        __atomic_store_n(&slot->armed, 0, __ATOMIC_RELEASE);
        return -1;
    }
    for (int waited = 0; waited < 1000 && !__atomic_load_n(&slot->done, __ATOMIC_ACQUIRE); waited++) usleep(1000);
    int armed = 1;
    if (__atomic_compare_exchange_n(&slot->armed, &armed, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return -1;
    /* The handler took the slot: it finishes in a moment. */
    while (!__atomic_load_n(&slot->done, __ATOMIC_ACQUIRE)) usleep(100);
    int count = slot->count < capacity ? slot->count : capacity;
    for (int index = 0; index < count; index++) frames[index] = slot->frames[index];
    return count;
}

/* The Swift runtime's demangler (exported by libswiftCore): a malloc'd string, or NULL. */
extern char *swift_demangle(const char *mangledName, size_t mangledNameLength, char *outputBuffer, size_t *outputBufferSize, uint32_t flags);
#endif
