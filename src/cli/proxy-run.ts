// What `kipvs proxy` runs once its configuration is valid: the node preparation
// alone with --init-only, the cleanup with --cleanup (neither needs the API
// server), else the daemon with its cluster watch.
// Both are imported here, lazily, so that other commands never load them.
import packageJson from '../../package.json' with { type: 'json' };
import type { ProxyRun } from './proxy-command.js';

export const runProxier: ProxyRun = async (config, connection) => {
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
  const [{ runProxy }, { clusterWatchSource }, { Logger }] = await Promise.all([
    import('../daemon/run-proxy.js'),
    import('../daemon/cluster-watch-source.js'),
    import('../daemon/log/logger.js'),
  ]);
  const log = new Logger({ verbosity: config.configuration.logging.verbosity, format: config.configuration.logging.format }, 'watch');
  const cluster = await clusterWatchSource(connection, config.nodeName, `kipvs/${packageJson.version}`, log);
  await runProxy(config, { cluster });
};
