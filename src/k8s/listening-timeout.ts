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
  /**
   * Something was heard: the timeout starts counting again. It reads no clock and touches no
   * timer (a watch hears tens of thousands of lines a second, and in User-Mode Linux every clock
   * read is a system call): the timer, when it fires, sees that something was heard and waits
   * `ms` again. So a timeout that hears things expires between `ms` and twice `ms` after the
   * last.
   */
  heard(): void;
}

/** Calls `onExpiry` once `ms` have passed with nothing heard, unless cancelled, and not right after a stall of the event loop. */
export function listeningTimeout(ms: number, onExpiry: () => void): ListeningTimeout {
  let timer: NodeJS.Timeout | undefined;
  let heard = false;
  const arm = (wait: number): void => {
    const deadline = performance.now() + wait;
    timer = setTimeout(() => {
      if (heard) {
        heard = false;
        arm(ms);
      } else if (performance.now() - deadline >= STALL_MS) arm(Math.min(ms, AFTER_STALL_MS));
      else onExpiry();
    }, wait);
  };
  arm(ms);
  return {
    cancel: () => clearTimeout(timer),
    heard: () => {
      heard = true;
    },
  };
}
