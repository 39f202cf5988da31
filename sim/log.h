/*
 * log.h - one line per event on stderr, prefixed "dsr-sim: ".
 *
 * The simulator logs what a developer of the driver needs to see (an injected fault, a
 * malformed PDU and why the connection closed, the vhci port it got); nothing per frame.
 */
#ifndef SIM_LOG_H
#define SIM_LOG_H

void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 0 silences sim_log (tests that provoke errors on purpose keep their output short). */
void sim_log_enable(int on);

#endif /* SIM_LOG_H */
