/* store_int.h — what the store's reader and writer share (private to
 * src/record): whole pread/pwrite at an offset, EINTR retried, a short
 * transfer reported as -EIO. */
#ifndef TCPSCOPE_STORE_INT_H
#define TCPSCOPE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

int store_pread_all(int fd, void *p, size_t n, uint64_t off);
int store_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

#endif
