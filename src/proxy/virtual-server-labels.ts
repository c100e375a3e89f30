// Which Service port a live virtual server implements, for `kipvs dump
// --services`: the same roles the model gives (cluster IP, external IP, load
// balancer IP, NodePort on any node address), read back from the Services
// alone. Pure: no kernel, no node facts — a NodePort is recognised by its port
// and protocol on whatever address it is served.
import { IP_FAMILIES } from '../net/ip-family.js';
import type { ServiceKey } from '../ipvs/types.js';

import type { ValidService } from './service-input.js';
import { servicePortsFor } from './service-ports.js';
import type { ServicePortRef, VirtualServerRole } from '../contracts/desired-state.js';

export interface VirtualServerLabel {
  readonly service: ServicePortRef;
  readonly role: VirtualServerRole;
}

function addressKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${address} ${port}`;
}

/** A lookup from a virtual server's key to the Service port it serves (first by namespace/name wins). */
export function virtualServerLabeler(
  services: readonly ValidService[],
): (key: ServiceKey) => VirtualServerLabel | undefined {
  const byAddress = new Map<string, VirtualServerLabel>();
  const byNodePort = new Map<string, VirtualServerLabel>();
  const keep = (map: Map<string, VirtualServerLabel>, key: string, label: VirtualServerLabel): void => {
    if (!map.has(key)) map.set(key, label);
  };
  const sorted = [...services].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  for (const service of sorted) {
    for (const family of IP_FAMILIES) {
      for (const sp of servicePortsFor(service, family)) {
        const label = (role: VirtualServerRole): VirtualServerLabel => ({ service: sp.ref, role });
        keep(byAddress, addressKey(sp.protocol, sp.clusterIP.text, sp.port), label('cluster-ip'));
        for (const ip of sp.externalIPs)
          keep(byAddress, addressKey(sp.protocol, ip.text, sp.port), label('external-ip'));
        for (const ip of sp.loadBalancerIPs)
          keep(byAddress, addressKey(sp.protocol, ip.text, sp.port), label('load-balancer'));
        if (sp.nodePort !== 0) keep(byNodePort, `${family} ${sp.protocol} ${sp.nodePort}`, label('node-port'));
      }
    }
  }
  return (key) => {
    if ('fwmark' in key) return undefined;
    const family = key.family === 'inet' ? 'IPv4' : 'IPv6';
    return (
      byAddress.get(addressKey(key.protocol, key.address, key.port)) ??
      byNodePort.get(`${family} ${key.protocol} ${key.port}`)
    );
  };
}

/** "namespace/name:port" as kube-proxy's logs name a service port ("default/kubernetes:https"). */
export function formatLabel(label: VirtualServerLabel): string {
  const { namespace, name, port } = label.service;
  return `${namespace}/${name}${port === '' ? '' : `:${port}`} (${label.role})`;
}
