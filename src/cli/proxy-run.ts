// What `kipvs proxy` runs once its configuration is valid: the node preparation
// alone with --init-only, the cleanup with --cleanup (neither needs the API
// server), else the daemon with its cluster watch.
// Both are imported here, lazily, so that other commands never load them.
import packageJson from '../../package.json' with { type: 'json' };
import type { ProxyRun } from './proxy-command.js';

export const runProxyCommand: ProxyRun = async (config, connection) => {
  if (config.options.initOnly) {
    const { runInitOnly } = await import('../daemon/run-init.js');
    await runInitOnly(config);
    return;
  }
  if (connection === undefined) {
    const { runCleanup } = await import('../daemon/run-cleanup.js');
    await runCleanup(config);
    return;
  }
  const [{ runDaemon }, { clusterWatchSource }, { apiServerNodeEvents }, { Logger }] = await Promise.all([
    import('../daemon/run-daemon.js'),
    import('../daemon/cluster-watch-source.js'),
    import('../daemon/node-events.js'),
    import('../daemon/log/logger.js'),
  ]);
  const logging = { verbosity: config.configuration.logging.verbosity, format: config.configuration.logging.format };
  const userAgent = `kipvs/${packageJson.version}`;
  const cluster = await clusterWatchSource(connection, config.nodeName, userAgent, new Logger(logging, 'watch'));
  const events = await apiServerNodeEvents(connection, config.nodeName, userAgent, new Logger(logging, 'events'));
  await runDaemon(config, { cluster, events });
};
