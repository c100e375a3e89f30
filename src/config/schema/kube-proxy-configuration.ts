// kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration, field for field as
// kube-proxy defines it (k8s.io/kube-proxy/config/v1alpha1 types.go, with
// component-base's ClientConnectionConfiguration and LoggingConfiguration).
//
// Two schemas come from one definition:
//   KubeProxyConfigurationSchema  - the complete object after kube-proxy's
//                                   defaulting; its output type is the
//                                   configuration the rest of kipvs uses.
//   KubeProxyConfigurationDocumentSchema - what a --config file may contain:
//                                   the same fields, every one optional, and
//                                   apiVersion/kind required, as kube-proxy's
//                                   decoder requires them.
// Objects are strict: kube-proxy decodes strictly first, and kipvs stops there
// (see ../load-file.ts for why it does not take kube-proxy's lenient fallback).
import { z } from 'zod';
import {
  duration,
  featureGateMap,
  float32,
  goBool,
  goString,
  int32,
  quantity,
  stringList,
  timeOrDuration,
  uint32,
} from './values.js';

export const API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KIND = 'KubeProxyConfiguration';

/** component-base config/v1alpha1 ClientConnectionConfiguration. */
export const ClientConnectionSchema = z.strictObject({
  kubeconfig: goString,
  acceptContentTypes: goString,
  contentType: goString,
  qps: float32,
  burst: int32,
});

const OutputRoutingSchema = z.strictObject({
  splitStream: goBool,
  infoBufferSize: quantity,
});

/** component-base logs/api/v1 LoggingConfiguration. */
export const LoggingSchema = z.strictObject({
  format: goString,
  flushFrequency: timeOrDuration,
  verbosity: uint32,
  vmodule: z.array(z.strictObject({ filePattern: goString, verbosity: uint32 })),
  options: z.strictObject({ text: OutputRoutingSchema, json: OutputRoutingSchema }),
});

export const IPTablesSchema = z.strictObject({
  masqueradeBit: int32,
  masqueradeAll: goBool,
  localhostNodePorts: goBool,
  syncPeriod: duration,
  minSyncPeriod: duration,
});

export const IPVSSchema = z.strictObject({
  syncPeriod: duration,
  minSyncPeriod: duration,
  scheduler: goString,
  excludeCIDRs: stringList,
  strictARP: goBool,
  tcpTimeout: duration,
  tcpFinTimeout: duration,
  udpTimeout: duration,
  /**
   * kipvs's own (docs/schedulers.md): the flags of the node's scheduler, as ipvsadm -b names
   * them ("mh-fallback,mh-port"). Absent unless written, so that a file kipvs writes stays
   * kube-proxy's; kube-proxy, which decodes this one field only leniently, ignores it.
   */
  schedulerFlags: goString.optional(),
});

export const NFTablesSchema = z.strictObject({
  masqueradeBit: int32,
  masqueradeAll: goBool,
  syncPeriod: duration,
  minSyncPeriod: duration,
});

export const ConntrackSchema = z.strictObject({
  maxPerCore: int32,
  min: int32,
  tcpEstablishedTimeout: duration,
  tcpCloseWaitTimeout: duration,
  tcpBeLiberal: goBool,
  udpTimeout: duration,
  udpStreamTimeout: duration,
});

/** Windows (HNS) settings: accepted so that shared files load; unused by kipvs. */
export const WinkernelSchema = z.strictObject({
  networkName: goString,
  sourceVip: goString,
  enableDSR: goBool,
  rootHnsEndpointName: goString,
  forwardHealthCheckVip: goBool,
});

export const DetectLocalSchema = z.strictObject({
  bridgeInterface: goString,
  interfaceNamePrefix: goString,
});

export const KubeProxyConfigurationSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  featureGates: featureGateMap,
  clientConnection: ClientConnectionSchema,
  logging: LoggingSchema,
  hostnameOverride: goString,
  bindAddress: goString,
  healthzBindAddress: goString,
  metricsBindAddress: goString,
  bindAddressHardFail: goBool,
  enableProfiling: goBool,
  showHiddenMetricsForVersion: goString,
  mode: goString,
  iptables: IPTablesSchema,
  ipvs: IPVSSchema,
  nftables: NFTablesSchema,
  winkernel: WinkernelSchema,
  detectLocalMode: goString,
  detectLocal: DetectLocalSchema,
  clusterCIDR: goString,
  nodePortAddresses: stringList,
  oomScoreAdj: int32,
  conntrack: ConntrackSchema,
  configSyncPeriod: duration,
  portRange: goString,
  windowsRunAsService: goBool,
});

/** The configuration kube-proxy (and kipvs) runs with: every field present. */
export type KubeProxyConfiguration = z.output<typeof KubeProxyConfigurationSchema>;

const requiredLiteral = <const V extends string>(value: V, name: string) =>
  z.literal(value, {
    error: (issue) =>
      issue.input === undefined
        ? `required: ${name} must be ${JSON.stringify(value)} (kube-proxy refuses a file without it)`
        : `must be ${JSON.stringify(value)}, got ${JSON.stringify(issue.input)}`,
  });

export const KubeProxyConfigurationDocumentSchema = z.deepPartial(KubeProxyConfigurationSchema).extend({
  apiVersion: requiredLiteral(API_VERSION, 'apiVersion'),
  kind: requiredLiteral(KIND, 'kind'),
});

/** A decoded --config file: only the fields it set. */
export type KubeProxyConfigurationDocument = z.output<typeof KubeProxyConfigurationDocumentSchema>;

/** Any subset of the fields, such as the values given by command-line flags. */
export const KubeProxyConfigurationOverlaySchema = z.deepPartial(KubeProxyConfigurationSchema);
export type KubeProxyConfigurationOverlay = z.output<typeof KubeProxyConfigurationOverlaySchema>;
