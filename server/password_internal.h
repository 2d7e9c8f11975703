/* Test seam of password.c: the slots of the concurrency cap, so a test can
 * hold the cap full without racing real hashes against each other. Not for
 * production code: password_hash/password_verify take and release slots
 * themselves. */
#ifndef SIGNET_QUEUE_PASSWORD_INTERNAL_H
#define SIGNET_QUEUE_PASSWORD_INTERNAL_H

#include <stdbool.h>

/* Takes one of PASSWORD_MAX_CONCURRENT slots; false when all are taken. */
bool password_slot_take(void);
void password_slot_give(void);
/* Slots taken right now. */
int password_slots_taken(void);

#endif
