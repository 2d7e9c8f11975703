/* systemd's notification protocol (sd_notify(3)), without libsystemd: one
 * datagram to the socket named in $NOTIFY_SOCKET. The kiosk says READY=1
 * once its first frame is on screen and WATCHDOG=1 from its main loop, so a
 * unit with Type=notify and WatchdogSec restarts a kiosk that hangs. Outside
 * systemd (no $NOTIFY_SOCKET) every call is a no-op. */
#ifndef SIGNET_SD_NOTIFY_H
#define SIGNET_SD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Sends state ("READY=1", "WATCHDOG=1", "STATUS=..."); false when there is
 * no socket or sending failed. */
bool sd_notify_send(const char *state);

/* Half the watchdog interval systemd asked for ($WATCHDOG_USEC, for this
 * process per $WATCHDOG_PID), in ms; 0 when there is no watchdog. */
int64_t sd_notify_watchdog_ms(void);

#endif
