/* The per-core baseline of Benchmarks/Speed: a plain C loop that reads a coded survey CSV in
 * 1 MiB blocks, splits it into fields at commas and line ends, and for every answer column
 * (from FIRST, 0-based) counts the one-digit codes and sums them. No quotes, no UTF-8 checks,
 * no labels: the least a reader of that file can do, on one core.
 *
 *     cc -O2 -o baseline baseline.c && ./baseline FILE FIRST
 *
 * Prints the number of rows, the sum of all codes and the count of each code of the first item.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_COLUMNS 4096

static long counts[MAX_COLUMNS][10];

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: baseline FILE FIRST_ITEM_COLUMN\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 2; }
    int first = atoi(argv[2]);
    static unsigned char buffer[1 << 20];
    int column = 0, length = 0, digit = 0, header = 1;
    long rows = 0, sum = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            unsigned char b = buffer[i];
            if (b == ',' || b == '\n') {
                if (!header && column >= first && length == 1 && digit >= 0 && digit <= 9 && column < MAX_COLUMNS) {
                    counts[column][digit]++;
                    sum += digit;
                }
                length = 0;
                if (b == ',') {
                    column++;
                } else {
                    if (!header) rows++;
                    header = 0;
                    column = 0;
                }
            } else {
                digit = b - '0';
                length++;
            }
        }
    }
    close(fd);
    printf("{\"rows\": %ld, \"sum\": %ld, \"first_item\": [%ld, %ld, %ld, %ld, %ld]}\n", rows, sum,
           counts[first][1], counts[first][2], counts[first][3], counts[first][4], counts[first][5]);
    return 0;
}
