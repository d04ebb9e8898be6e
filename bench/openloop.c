/*
 * openloop: HTTP/1.1 GET load at a fixed rate over keep-alive connections, for comparing tails at the
 * same offered load.
 *
 *   openloop -r RATE [-c CONNECTIONS] [-d SECONDS] [-w WARMUP_SECONDS] [-t TICK_US] [-b SOURCE_IP] http://HOST:PORT/PATH
 *
 * Request i is due at start + i/RATE. It goes out on an idle connection at the first look at the clock
 * after it is due (the loop looks every TICK_US, 100 by default, and whenever a response arrives), or
 * as soon as a connection becomes idle. A shorter tick costs a wake-up each time: at 1 us the generator
 * alone used 65 % of a core at 40,000 requests per second. A request's latency is counted from the
 * time it was due, not from the time it was sent: a stall anywhere on the path delays every request due
 * during the stall, and all of that delay is counted (a closed-loop generator such as wrk stops sending
 * while it waits, and so counts a stall once). The first WARMUP seconds are not counted. One line on
 * stdout:
 *
 *   rate=R rps=R' sent=N done=N errors=N unfinished=N p50=MS p90=MS p99=MS p99.9=MS max=MS
 *
 * rps is the requests due in the counted window over the time until the window ended or the last of
 * them was answered, whichever is later; when it falls short of the rate, or unfinished is not 0, the
 * target did not keep up and the percentiles describe a queue, not a tail.
 * -b binds every connection to SOURCE_IP first (127.0.0.2, say), so that the target sees a client
 * address of its own.
 * Responses need a Content-Length (no chunked bodies); a status other than 2xx counts as an error.
 * Build: cc -O2 -o openloop openloop.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384
#define HIST_US 2000000 /* one bucket per microsecond up to 2 s; longer latencies go to the last one */

struct conn {
    int fd;
    int busy;
    double due;      /* when its request in flight was due */
    int counted;     /* whether that request is in the counted window */
    size_t have;     /* bytes of the response head in buf */
    long body_left;  /* -1 while reading the head */
    int status;
    int closing;     /* the response said Connection: close */
    char buf[BUF];
};

static struct addrinfo *addr;
static char request[1024];
static size_t request_len;
static uint32_t *hist;
static long done_counted, errors, unfinished;
static double max_ms, last_done;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static struct addrinfo *source;

static int dial(int ep, struct conn *c, int index) {
    int fd = socket(addr->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (source && bind(fd, source->ai_addr, source->ai_addrlen) < 0) die("bind");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, addr->ai_addr, addr->ai_addrlen) < 0) die("connect");
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) die("fcntl");
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t) index};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    c->fd = fd;
    c->busy = 0;
    c->have = 0;
    c->body_left = -1;
    c->closing = 0;
    return fd;
}

static void record(double latency_s) {
    double ms = latency_s * 1e3;
    long us = (long) (latency_s * 1e6);
    if (us < 0) us = 0;
    if (us >= HIST_US) us = HIST_US - 1;
    hist[us]++;
    if (ms > max_ms) max_ms = ms;
    done_counted++;
}

static double percentile(double p) {
    long rank = (long) (p * done_counted + 0.999999), seen = 0;
    if (rank < 1) rank = 1;
    for (long us = 0; us < HIST_US; us++) {
        seen += hist[us];
        if (seen >= rank) return (us + 0.5) / 1e3;
    }
    return max_ms;
}

/* Parses what arrived on c; returns 1 when its response is complete, 0 when more is needed, -1 on a bad response. */
static int parse(struct conn *c, size_t fresh) {
    if (c->body_left >= 0) {
        c->body_left -= (long) fresh;
        return c->body_left == 0 ? 1 : c->body_left > 0 ? 0 : -1;
    }
    c->have += fresh;
    char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
    if (end == NULL) return c->have < BUF ? 0 : -1;
    size_t head = (size_t) (end - c->buf) + 4;
    if (c->have < 12 || memcmp(c->buf, "HTTP/1.", 7) != 0) return -1;
    c->status = atoi(c->buf + 9);
    long length = -1;
    for (char *line = memchr(c->buf, '\n', head); line != NULL && line < c->buf + head; line = memchr(line, '\n', (size_t) (c->buf + head - line))) {
        line++;
        size_t left = (size_t) (c->buf + head - line);
        if (left >= 15 && strncasecmp(line, "content-length:", 15) == 0) length = strtol(line + 15, NULL, 10);
        if (left >= 18 && strncasecmp(line, "transfer-encoding:", 18) == 0) return -1;
        if (left >= 11 && strncasecmp(line, "connection:", 11) == 0) {
            char *eol = memchr(line, '\n', left);
            if (memmem(line, (size_t) (eol - line), "close", 5)) c->closing = 1;
        }
    }
    if (length < 0) return -1;
    long extra = (long) (c->have - head);
    if (extra > length) return -1; /* bytes beyond the one response in flight */
    c->body_left = length - extra;
    return c->body_left == 0 ? 1 : 0;
}

int main(int argc, char **argv) {
    double rate = 0, seconds = 10, warmup = 2, tick = 100e-6;
    int conns = 64, opt;
    const char *bind_to = NULL;
    while ((opt = getopt(argc, argv, "r:c:d:w:t:b:")) != -1) {
        switch (opt) {
            case 'r': rate = atof(optarg); break;
            case 'c': conns = atoi(optarg); break;
            case 'd': seconds = atof(optarg); break;
            case 'w': warmup = atof(optarg); break;
            case 't': tick = atof(optarg) / 1e6; break;
            case 'b': bind_to = optarg; break;
            default: goto usage;
        }
    }
    if (optind != argc - 1 || rate <= 0 || conns <= 0 || seconds <= 0 || warmup < 0 || tick < 0) goto usage;
    char host[256], path[512] = "/", port[16] = "80";
    const char *url = argv[optind];
    if (strncmp(url, "http://", 7) != 0) goto usage;
    const char *h = url + 7, *slash = strchr(h, '/'), *colon = strchr(h, ':');
    size_t hl = slash ? (size_t) (slash - h) : strlen(h);
    if (colon && (!slash || colon < slash)) {
        snprintf(port, sizeof port, "%.*s", (int) (hl - (size_t) (colon + 1 - h)), colon + 1);
        hl = (size_t) (colon - h);
    }
    if (hl == 0 || hl >= sizeof host) goto usage;
    snprintf(host, sizeof host, "%.*s", (int) hl, h);
    if (slash) snprintf(path, sizeof path, "%s", slash);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    if (getaddrinfo(host, port, &hints, &addr) != 0) { fprintf(stderr, "cannot resolve %s\n", host); return 2; }
    if (bind_to && getaddrinfo(bind_to, "0", &hints, &source) != 0) { fprintf(stderr, "cannot resolve %s\n", bind_to); return 2; }
    request_len = (size_t) snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", path, host, port);

    prctl(PR_SET_TIMERSLACK, 10000UL); /* 10 us: wake close to the time asked for */
    hist = calloc(HIST_US, sizeof *hist);
    struct conn *c = calloc((size_t) conns, sizeof *c);
    int *idle = malloc(sizeof(int) * (size_t) conns), nidle = 0;
    struct epoll_event *events = malloc(sizeof(struct epoll_event) * (size_t) conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!hist || !c || !idle || !events || ep < 0) die("setup");
    for (int i = 0; i < conns; i++) { dial(ep, &c[i], i); idle[nidle++] = i; }

    double start = now(), count_from = start + warmup, stop = count_from + seconds;
    long total = (long) ((warmup + seconds) * rate), next = 0, sent = 0;
    int inflight = 0;
    for (;;) {
        double t = now();
        long due = (long) ((t - start) * rate) + 1;
        if (due > total) due = total;
        while (next < due && nidle > 0) {
            struct conn *k = &c[idle[--nidle]];
            k->due = start + (double) next / rate;
            k->counted = k->due >= count_from;
            k->busy = 1;
            if (write(k->fd, request, request_len) != (ssize_t) request_len) die("write");
            next++, sent++, inflight++;
        }
        if ((next >= total && inflight == 0) || t > stop + 2) break;
        double wait = 0.1; /* with every connection busy, or everything sent: look at the clock again soon */
        if (next < total && nidle > 0) wait = start + (double) next / rate - t;
        if (wait < tick) wait = tick; /* requests due meanwhile go out together at the next look */
        struct timespec ts = {.tv_sec = (time_t) wait, .tv_nsec = (long) ((wait - (double) (time_t) wait) * 1e9)};
        int n = epoll_pwait2(ep, events, conns, &ts, NULL);
        if (n < 0 && errno != EINTR) die("epoll_pwait2");
        for (int e = 0; e < n; e++) {
            int i = (int) events[e].data.u32;
            struct conn *k = &c[i];
            int result = 0;
            for (;;) {
                char *into = k->body_left >= 0 ? k->buf : k->buf + k->have;
                size_t room = k->body_left >= 0 ? BUF : BUF - k->have;
                ssize_t r = read(k->fd, into, room);
                if (r > 0) {
                    if (!k->busy) { result = -1; break; }
                    result = parse(k, (size_t) r);
                    if (result != 0) break;
                    continue;
                }
                if (r < 0 && errno == EAGAIN) break;
                result = -1; /* closed by the server, or an error */
                break;
            }
            if (result == 0) continue;
            double done = now();
            if (result == 1 && k->status >= 200 && k->status < 300) {
                if (k->counted) { record(done - k->due); last_done = done; }
                k->busy = 0;
                k->have = 0;
                k->body_left = -1;
                inflight--;
                if (!k->closing) { idle[nidle++] = i; continue; }
            } else if (k->busy) {
                inflight--;
                if (k->counted) errors++;
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
            close(k->fd);
            dial(ep, k, i);
            idle[nidle++] = i;
        }
    }
    unfinished = inflight + (total - next); /* in flight at the end, or never sent for want of a connection */
    double span = (last_done > stop ? last_done : stop) - count_from; /* longer when the queue drained late */
    printf("rate=%.0f rps=%.0f sent=%ld done=%ld errors=%ld unfinished=%ld p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f\n",
           rate, done_counted / span, sent, done_counted, errors, unfinished,
           percentile(0.50), percentile(0.90), percentile(0.99), percentile(0.999), max_ms);
    return 0;
usage:
    fprintf(stderr, "usage: openloop -r RATE [-c CONNECTIONS] [-d SECONDS] [-w WARMUP_SECONDS] [-t TICK_US] [-b SOURCE_IP] http://HOST:PORT/PATH\n");
    return 2;
}
