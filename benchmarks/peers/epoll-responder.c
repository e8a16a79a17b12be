/* The reference a libfcgi responder can reach: one epoll set holds the listening socket (fd 0, as
   spawn-fcgi passes it) and every idle connection, one-shot; worker threads each take one ready
   connection from epoll_wait and answer it with FCGX_Accept_r (ipcFd preset, no listening socket).
   GET answers {"message":"Hello, World!"}; POST reads the body and answers 201 {"received":<bytes>}.
   Usage: epoll-responder [threads]    Built by benchmarks/run.sh. */
#define _GNU_SOURCE
#include <fcgiapp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int ep;
static const uint64_t LISTEN = 0;

static void arm(FCGX_Request *r, int op) {
    struct epoll_event e = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = r };
    epoll_ctl(ep, op, r->ipcFd, &e);
}

static void accept_all(void) {
    int fd;
    while ((fd = accept4(0, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        FCGX_Request *r = malloc(sizeof *r);
        FCGX_InitRequest(r, -1, 0);
        r->ipcFd = fd;
        arm(r, EPOLL_CTL_ADD);
    }
    struct epoll_event e = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = LISTEN };
    epoll_ctl(ep, EPOLL_CTL_MOD, 0, &e);
}

static void *worker(void *unused) {
    (void)unused;
    char buf[65536];
    struct epoll_event event;
    for (;;) {
        if (epoll_wait(ep, &event, 1, -1) != 1) continue;
        if (event.data.u64 == LISTEN) { accept_all(); continue; }
        FCGX_Request *r = event.data.ptr;
        int fd = r->ipcFd;
        r->keepConnection = 1;
        if (FCGX_Accept_r(r) < 0) { free(r); continue; }
        const char *method = FCGX_GetParam("REQUEST_METHOD", r->envp);
        long total = 0;
        int n;
        while ((n = FCGX_GetStr(buf, sizeof buf, r->in)) > 0) total += n;
        if (method && strcmp(method, "POST") == 0)
            FCGX_FPrintF(r->out, "Status: 201 Created\r\nContent-Type: application/json\r\n\r\n{\"received\":%ld}", total);
        else
            FCGX_PutS("Content-Type: application/json\r\n\r\n{\"message\":\"Hello, World!\"}", r->out);
        FCGX_Finish_r(r);
        if (r->ipcFd >= 0) arm(r, EPOLL_CTL_MOD); else { (void)fd; free(r); }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    FCGX_Init();
    ep = epoll_create1(EPOLL_CLOEXEC);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    struct epoll_event e = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = LISTEN };
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
    pthread_t t;
    for (int i = 1; i < threads; i++) pthread_create(&t, NULL, worker, NULL);
    worker(NULL);
    return 0;
}
