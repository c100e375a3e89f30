// Why a sync runs, as the daemon's pacing (src/daemon/sync-runner.ts) starts it; the engine
// reads the kernel and the objects whole or incrementally by it.

/**
 * 'requested': changes are waiting (the kept state may be used); 'periodic': syncPeriod's
 * resync, which reads everything and so repairs drift; 'retry': after a failed sync.
 */
export type SyncTrigger = 'requested' | 'periodic' | 'retry';
