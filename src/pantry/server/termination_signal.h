// SIGTERM / SIGINT handling for long-running commands (`pantry serve`):
// block the signals in every thread, then wait for one synchronously, so no
// async-signal-safety concerns arise and shutdown runs as ordinary code.
#ifndef PANTRY_SERVER_TERMINATION_SIGNAL_H_
#define PANTRY_SERVER_TERMINATION_SIGNAL_H_

namespace pantry::server {

// Blocks SIGTERM and SIGINT in the calling thread; threads created afterwards
// inherit the mask. Call before starting any thread.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives and returns its number. Requires
// BlockTerminationSignals() first.
int WaitForTerminationSignal();

}  // namespace pantry::server

#endif  // PANTRY_SERVER_TERMINATION_SIGNAL_H_
