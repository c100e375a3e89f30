// The health and metrics servers' addresses. The metrics port serves the
// proxy's whole configuration (/configz) and its counters without
// authentication, so beyond loopback it FAILs unless the operator says the
// exposure is intended (the chart's metrics.allowNonLoopback makes the same
// demand). Health on 0.0.0.0:10256 is
// kube-proxy's default and needed: load balancers probe it for
// externalTrafficPolicy: Local, and it tells only whether the proxy is in sync.
import { parseIp, splitHostPort } from '../config/net-address.js';
import { fail, pass, warn, type Finding } from './finding.js';

type Reach = 'loopback' | 'all interfaces' | 'one address';

/** Who can reach a server bound to `address`, an IP:port the configuration has validated. */
function reachOf(address: string): Reach {
  const split = splitHostPort(address);
  const ip = split.ok ? parseIp(split.host) : undefined;
  if (!ip) return 'all interfaces'; // an empty host: Go's net.Listen binds every address
  const bytes = [...ip.bytes];
  if (bytes.every((b) => b === 0)) return 'all interfaces';
  // 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104.
  if (ip.isIPv4Like && bytes[bytes.length - 4] === 127) return 'loopback';
  if (ip.family === 6 && bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
  return 'one address';
}

export function checkMetricsBindAddress(address: string, exposureIntended: boolean): Finding {
  const check = 'metrics-bind-address';
  // Never empty: kube-proxy's validation requires an IP:port (--metrics-port=0 is refused).
  const reach = reachOf(address);
  const subject = `metrics server ${address}`;
  if (reach === 'loopback') return pass(check, `${subject}: loopback only`);
  const message = `${subject}: reachable beyond this node (${reach}); /configz and the metrics need no authentication`;
  if (exposureIntended)
    return warn(
      check,
      `${message} (--allow-exposed-metrics)`,
      'firewall the port to the scrapers, or scrape through a node-local agent',
    );
  return fail(
    check,
    message,
    'set metricsBindAddress: 127.0.0.1:10249 (--metrics-bind-address); if exposure is intended, firewall the port and pass --allow-exposed-metrics',
  );
}

export function checkHealthzBindAddress(address: string): Finding {
  const check = 'healthz-bind-address';
  if (address === '') {
    return warn(
      check,
      'health server: disabled; the kubelet cannot probe kipvs and load balancers cannot check externalTrafficPolicy: Local Services on this node',
      'set healthzBindAddress: 0.0.0.0:10256 (--healthz-bind-address)',
    );
  }
  const reach = reachOf(address);
  const note =
    reach === 'all interfaces'
      ? "; kube-proxy's default: load balancers probe it, and it tells only whether the proxy is in sync"
      : '';
  return pass(check, `health server ${address}: ${reach}${note}`);
}
