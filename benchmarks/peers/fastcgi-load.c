/* A FastCGI load tool that holds many connections to a responder's unix socket at once, as nginx
 * would with that many clients, without nginx's two descriptors per request: each connection sends
 * a GET with FCGI_KEEP_CONN, waits for its END_REQUEST, and sends the next, until the time is up.
 *
 * Usage: fastcgi-load SOCKET CONNECTIONS SECONDS PATH [QUERY]
 * Prints: connections, requests answered, answered 200, other statuses, errors, p50/p99 latency in ms.
 * A connect that finds the listen queue full is retried after a millisecond, and counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    double sent;
    unsigned char in[65536];
    size_t have;
    int status;
} conn_t;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t record(unsigned char *out, int type, const unsigned char *content, size_t length) {
    size_t padding = (8 - length % 8) % 8;
    unsigned char header[8] = {1, (unsigned char)type, 0, 1, (unsigned char)(length >> 8), (unsigned char)length, (unsigned char)padding, 0};
    memcpy(out, header, 8);
    if (length) memcpy(out + 8, content, length);
    memset(out + 8 + length, 0, padding);
    return 8 + length + padding;
}

static size_t pair(unsigned char *out, const char *name, const char *value) {
    size_t n = strlen(name), v = strlen(value), at = 0;
    out[at++] = (unsigned char)n;  /* names and values here are under 128 bytes */
    out[at++] = (unsigned char)v;
    memcpy(out + at, name, n); at += n;
    memcpy(out + at, value, v); at += v;
    return at;
}

static unsigned char request[2048];
static size_t request_length;

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: fastcgi-load SOCKET CONNECTIONS SECONDS PATH [QUERY]\n");
        return 2;
    }
    const char *socket_path = argv[1];
    int connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    unsigned char params[1024];
    size_t p = 0;
    p += pair(params + p, "REQUEST_METHOD", "GET");
    p += pair(params + p, "SCRIPT_NAME", argv[4]);
    p += pair(params + p, "REQUEST_URI", argv[4]);
    p += pair(params + p, "QUERY_STRING", argc > 5 ? argv[5] : "");
    p += pair(params + p, "REMOTE_ADDR", "127.0.0.1");
    unsigned char begin[8] = {0, 1, 1, 0, 0, 0, 0, 0};
    request_length = record(request, 1, begin, 8);
    request_length += record(request + request_length, 4, params, p);
    request_length += record(request + request_length, 4, NULL, 0);
    request_length += record(request + request_length, 5, NULL, 0);

    int epoll = epoll_create1(0);
    conn_t *conns = calloc(connections, sizeof(conn_t));
    long answered = 0, ok = 0, other = 0, errors = 0, retries = 0;
    size_t latency_capacity = 1 << 20, latency_count = 0;
    double *latencies = malloc(latency_capacity * sizeof(double));
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, socket_path, sizeof address.sun_path - 1);
    double start = now(), end = start + seconds;

    for (int i = 0; i < connections; i++) {
        for (;;) {
            int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
                conns[i].fd = fd;
                break;
            }
            close(fd);
            if (errno != EAGAIN) { perror("connect"); return 1; }
            retries++;
            usleep(1000);
        }
        fcntl(conns[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (unsigned)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, conns[i].fd, &event);
        conns[i].sent = now();
        if (write(conns[i].fd, request, request_length) != (ssize_t)request_length) errors++;
    }
    int open_connections = connections;
    struct epoll_event events[256];
    while (open_connections > 0) {
        int count = epoll_wait(epoll, events, 256, 1000);
        if (count <= 0 && now() > end + 30) break;
        for (int e = 0; e < count; e++) {
            conn_t *c = &conns[events[e].data.u32];
            ssize_t n = read(c->fd, c->in + c->have, sizeof c->in - c->have);
            if (n <= 0) {
                if (n < 0 && errno == EAGAIN) continue;
                errors++;
                close(c->fd);
                open_connections--;
                continue;
            }
            c->have += n;
            /* Walk the records: remember the status line, finish at END_REQUEST. */
            for (;;) {
                if (c->have < 8) break;
                size_t length = (size_t)c->in[4] << 8 | c->in[5], total = 8 + length + c->in[6];
                if (c->have < total) break;
                if (c->in[1] == 6 && length > 11 && memcmp(c->in + 8, "Status: ", 8) == 0) c->status = atoi((char *)c->in + 16);
                int ended = c->in[1] == 3;
                memmove(c->in, c->in + total, c->have - total);
                c->have -= total;
                if (!ended) continue;
                answered++;
                if (c->status == 200) ok++; else other++;
                if (latency_count < latency_capacity) latencies[latency_count++] = now() - c->sent;
                c->status = 0;
                if (now() < end) {
                    c->sent = now();
                    if (write(c->fd, request, request_length) != (ssize_t)request_length) errors++;
                } else {
                    close(c->fd);
                    open_connections--;
                }
                break;
            }
        }
    }
    qsort(latencies, latency_count, sizeof(double), compare);
    double p50 = latency_count ? latencies[latency_count / 2] * 1000 : 0;
    double p99 = latency_count ? latencies[latency_count * 99 / 100] * 1000 : 0;
    printf("connections=%d answered=%ld ok=%ld other=%ld errors=%ld unanswered=%d connect_retries=%ld p50_ms=%.1f p99_ms=%.1f\n",
           connections, answered, ok, other, errors, open_connections, retries, p50, p99);
    return errors || other || open_connections ? 1 : 0;
}
