/* Runs PROGRAM with FILE as its standard input, for timing CGI POST requests with hyperfine.
   Usage: with-stdin FILE PROGRAM [ARGS...] */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: with-stdin FILE PROGRAM [ARGS...]\n"); return 2; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || dup2(fd, 0) < 0) { perror(argv[1]); return 1; }
    execv(argv[2], argv + 2);
    perror(argv[2]);
    return 1;
}
