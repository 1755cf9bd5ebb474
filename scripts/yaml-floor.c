/*
 * yaml-floor: the libyaml floor for scripts/bench.sh.
 *
 * Reads every file named on the command line (or, with no arguments, one path
 * per line on stdin), and parses it with libyaml, pulling every event until
 * STREAM_END. Single-threaded; no document tree is built. Prints
 *
 *     files=N bytes=B events=E seconds=S
 *
 * where S is the wall-clock time for read + parse of all files (CLOCK_MONOTONIC,
 * excluding only the reading of the path list itself). Exit 1 if any file
 * cannot be read or is not valid YAML (reported on stderr), 2 on usage errors.
 *
 *     cc -O2 -o yaml-floor scripts/yaml-floor.c -lyaml
 *     ./yaml-floor FILE...              or:   find DIR -name '*.yml' | ./yaml-floor
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the whole file into *buf (grown as needed). Returns length or -1. */
static long slurp(const char *path, unsigned char **buf, size_t *cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t len = 0;
    for (;;) {
        if (len == *cap) {
            size_t ncap = *cap ? *cap * 2 : 65536;
            unsigned char *nb = realloc(*buf, ncap);
            if (!nb) { fclose(f); return -1; }
            *buf = nb;
            *cap = ncap;
        }
        size_t n = fread(*buf + len, 1, *cap - len, f);
        len += n;
        if (n == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    return err ? -1 : (long)len;
}

/* Parse one buffer, pulling every event. Returns events, or -1 on error. */
static long parse(const char *path, const unsigned char *data, size_t len) {
    yaml_parser_t parser;
    yaml_event_t event;
    long events = 0;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "%s: cannot initialize libyaml parser\n", path);
        return -1;
    }
    yaml_parser_set_input_string(&parser, data, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%zu:%zu: %s\n", path,
                    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "parse error");
            yaml_parser_delete(&parser);
            return -1;
        }
        events++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    return events;
}

int main(int argc, char **argv) {
    char **paths = NULL;
    size_t npaths = 0, pcap = 0;

    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: %s [FILE ...]   (no FILE: read paths from stdin, one per line)\n", argv[0]);
        return 2;
    }
    if (argc > 1) {
        paths = argv + 1;
        npaths = (size_t)(argc - 1);
    } else {
        char *line = NULL;
        size_t lcap = 0;
        ssize_t n;
        while ((n = getline(&line, &lcap, stdin)) != -1) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
            if (n == 0) continue;
            if (npaths == pcap) {
                pcap = pcap ? pcap * 2 : 1024;
                char **np = realloc(paths, pcap * sizeof *paths);
                if (!np) { perror("realloc"); return 2; }
                paths = np;
            }
            paths[npaths++] = strdup(line);
        }
        free(line);
    }
    if (npaths == 0) {
        fprintf(stderr, "yaml-floor: no files\n");
        return 2;
    }

    unsigned char *buf = NULL;
    size_t cap = 0;
    long long bytes = 0, events = 0;
    int failed = 0;

    double t0 = now();
    for (size_t i = 0; i < npaths; i++) {
        long len = slurp(paths[i], &buf, &cap);
        if (len < 0) {
            fprintf(stderr, "%s: %s\n", paths[i], strerror(errno ? errno : EIO));
            failed = 1;
            continue;
        }
        bytes += len;
        long ev = parse(paths[i], buf, (size_t)len);
        if (ev < 0) { failed = 1; continue; }
        events += ev;
    }
    double t1 = now();

    printf("files=%zu bytes=%lld events=%lld seconds=%.6f\n", npaths, bytes, events, t1 - t0);
    free(buf);
    return failed ? 1 : 0;
}
