/* vm_halves.c — one pass over a big table in two halves: the first on the
 * calling thread, the second on a thread of its own (the worker's passes:
 * the loop waits in poll() meanwhile, so a 2-core box has the core).
 * See vm_int.h. */
#include <pthread.h>

#include "vm_int.h"

void vm_halves(void *(*fn)(void *), void *first, void *second)
{
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, fn, second) == 0;
	fn(first);
	if (threaded)
		pthread_join(t, NULL);
	else
		fn(second); /* no thread: one after the other */
}
