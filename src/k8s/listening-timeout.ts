// A timeout for a request to the API server that counts only time the process could listen.
// A timer that fires long after its deadline means the event loop was busy (a first sync
// at 50,000 Services computes for many seconds without yielding): whatever the server sent
// meanwhile waits unread in the socket, and aborting then would take a working server for a
// silent one; the watch timed out that way twice during one first sync. Such a timer waits a
// little longer, past the I/O the loop has not read yet, before it gives up.

/** Fired this late or later, a timer says more about the process than about the server. */
const STALL_MS = 1_000;
/** How long an expired timer that was held up waits for the I/O of the stall. */
const AFTER_STALL_MS = 5_000;

export interface ListeningTimeout {
  cancel(): void;
}

/** Calls `onExpiry` once `ms` have passed, unless cancelled, and not right after a stall of the event loop. */
export function listeningTimeout(ms: number, onExpiry: () => void): ListeningTimeout {
  let timer: NodeJS.Timeout | undefined;
  const arm = (wait: number): void => {
    const deadline = performance.now() + wait;
    timer = setTimeout(() => {
      if (performance.now() - deadline >= STALL_MS) arm(Math.min(ms, AFTER_STALL_MS));
      else onExpiry();
    }, wait);
  };
  arm(ms);
  return { cancel: () => clearTimeout(timer) };
}
