// The model kept between syncs, so that a sync costs in proportion to what changed: the
// Services and EndpointSlices are held by group (namespace/name), and each family's state
// (family-index.ts) is updated only for the groups that changed.
//
// Two ways in:
// - build(objects): the whole cluster, as arrays. Groups are formed again (O(cluster), a
//   few milliseconds at 10,000 Services) and a group whose objects are the same (===) as
//   last time is not touched: the watch hands the same object for everything unchanged
//   (src/sync/validation-memo.ts keeps the validated ones just as stable).
// - update(changes): only the Services and EndpointSlices that changed, by namespace/name
//   (the daemon's change feed). Possible only while no two objects of a kind share a
//   namespace/name (the API server's rule; the arrays of build may break it): otherwise
//   update returns undefined and the caller builds whole.
// When a family's facts (host addresses, the Node, the configuration) change, its state is
// built again from every group.
//
// The result deep-equals buildDesiredState's for the same objects
// (test/unit/proxy/incremental-model.test.ts). Pure: no I/O, no clock; the same sequence of
// inputs gives the same outputs.
import type { IpFamily } from '../net/ip-family.js';
import type { HostFacts, ProxyModelConfig } from './config.js';
import { desiredStateWith, type FamilyFacts, type ValidObjects } from './desired-state.js';
import type { ValidEndpointSlice } from './endpoint-slice-input.js';
import { FamilyIndex, type ModelGroup } from './family-index.js';
import { healthCheckNodePorts, type HealthCheckNodePorts, type HealthCheckService } from './health-check-node-ports.js';

import type { ValidNode } from './node-input.js';
import type { ValidService } from './service-input.js';
import type { DesiredFamilyChanges, DesiredState } from '../contracts/desired-state.js';

/** Services and EndpointSlices that changed, by namespace/name: the valid object now, or undefined (gone or invalid). */
export interface ValidChanges {
  readonly services: ReadonlyMap<string, ValidService | undefined>;
  readonly endpointSlices: ReadonlyMap<string, ValidEndpointSlice | undefined>;
  readonly node?: ValidNode;
}

/**
 * A group's key: "namespace/name:", the prefix of all its ports' servicePortKeys. Kubernetes
 * names hold neither "/" nor ":", so groups sorted by key give their ports in servicePortKey
 * order, the full model's order.
 */
const groupKey = (namespace: string, name: string): string => `${namespace}/${name}:`;
const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Facts as text; a Set (the host's addresses) as its members. */
const factsText = (facts: FamilyFacts): string =>
  JSON.stringify(facts, (_key, value: unknown) => (value instanceof Set ? [...(value as Set<unknown>)] : value));

/** The objects by namespace/name, when no two of a kind share one. */
interface KeyedObjects {
  readonly services: Map<string, ValidService>;
  readonly slices: Map<string, ValidEndpointSlice>;
  /** Each group's slices by slice key. */
  readonly slicesOf: Map<string, Map<string, ValidEndpointSlice>>;
}

function keyedObjects(objects: ValidObjects): KeyedObjects | undefined {
  const keyed: KeyedObjects = { services: new Map(), slices: new Map(), slicesOf: new Map() };
  for (const service of objects.services) {
    const key = objectKey(service.namespace, service.name);
    if (keyed.services.has(key)) return undefined;
    keyed.services.set(key, service);
  }
  for (const slice of objects.endpointSlices) {
    const key = objectKey(slice.namespace, slice.name);
    if (keyed.slices.has(key)) return undefined;
    putSlice(keyed, key, slice);
  }
  return keyed;
}

function putSlice(keyed: KeyedObjects, key: string, slice: ValidEndpointSlice): void {
  keyed.slices.set(key, slice);
  const group = groupKey(slice.namespace, slice.serviceName);
  let slices = keyed.slicesOf.get(group);
  if (!slices) {
    slices = new Map();
    keyed.slicesOf.set(group, slices);
  }
  slices.set(key, slice);
}

function dropSlice(keyed: KeyedObjects, key: string): string | undefined {
  const slice = keyed.slices.get(key);
  if (!slice) return undefined;
  keyed.slices.delete(key);
  const group = groupKey(slice.namespace, slice.serviceName);
  const slices = keyed.slicesOf.get(group);
  slices?.delete(key);
  if (slices?.size === 0) keyed.slicesOf.delete(group);
  return group;
}

function groupsOf(objects: ValidObjects): Map<string, ModelGroup> {
  const groups = new Map<string, { services: ValidService[]; slices: ValidEndpointSlice[] }>();
  for (const service of objects.services) {
    const key = groupKey(service.namespace, service.name);
    const group = groups.get(key);
    if (group) group.services.push(service);
    else groups.set(key, { services: [service], slices: [] });
  }
  // A slice of no Service adds nothing: its endpoints meet no port.
  for (const slice of objects.endpointSlices)
    groups.get(groupKey(slice.namespace, slice.serviceName))?.slices.push(slice);
  return groups;
}

export class IncrementalModel {
  private groups = new Map<string, ModelGroup>();
  private keyed: KeyedObjects | undefined;
  private families = new Map<IpFamily, FamilyIndex>();
  private changes = new Map<IpFamily, DesiredFamilyChanges>();
  private node: ValidNode | undefined;
  /** Each group's health check node ports, and all of them. */
  private readonly healthOf = new Map<string, HealthCheckNodePorts>();
  private health: HealthCheckNodePorts = new Map();

  /** buildDesiredState(objects, host, config), touching only the groups whose objects changed since the last call. */
  build(objects: ValidObjects, host: HostFacts, config: ProxyModelConfig): DesiredState {
    const groups = groupsOf(objects);
    const touched = new Map<string, ModelGroup | undefined>(groups);
    for (const key of this.groups.keys()) if (!groups.has(key)) touched.set(key, undefined);
    this.groups = groups;
    this.keyed = keyedObjects(objects);
    this.node = objects.node;
    return this.state(touched, host, config);
  }

  /** The state after `changes`, touching only their groups; undefined when the objects held are not keyed by name (build instead). */
  update(changes: ValidChanges, host: HostFacts, config: ProxyModelConfig): DesiredState | undefined {
    const { keyed } = this;
    // Objects are held by their own namespace/name: a change under another key cannot be placed.
    const misplaced =
      [...changes.services].some(([key, s]) => s && key !== objectKey(s.namespace, s.name)) ||
      [...changes.endpointSlices].some(([key, s]) => s && key !== objectKey(s.namespace, s.name));
    if (!keyed || misplaced) return undefined;
    const touchedKeys = new Set<string>();
    for (const [key, service] of changes.services) {
      const before = keyed.services.get(key);
      if (before) touchedKeys.add(groupKey(before.namespace, before.name));
      if (service) {
        keyed.services.set(key, service);
        touchedKeys.add(groupKey(service.namespace, service.name));
      } else {
        keyed.services.delete(key);
      }
    }
    for (const [key, slice] of changes.endpointSlices) {
      const before = dropSlice(keyed, key);
      if (before) touchedKeys.add(before);
      if (slice) {
        putSlice(keyed, key, slice);
        touchedKeys.add(groupKey(slice.namespace, slice.serviceName));
      }
    }
    const touched = new Map<string, ModelGroup | undefined>();
    for (const key of touchedKeys) {
      // The group key is the Service's key and a ":".
      const service = keyed.services.get(key.slice(0, -1));
      const group = service
        ? { services: [service], slices: [...(keyed.slicesOf.get(key)?.values() ?? [])] }
        : undefined;
      touched.set(key, group);
      if (group) this.groups.set(key, group);
      else this.groups.delete(key);
    }
    this.node = changes.node;
    return this.state(touched, host, config);
  }

  /** What changed in each family since the previous build (none after the first, or for a family whose facts changed). */
  familyChanges(): ReadonlyMap<IpFamily, DesiredFamilyChanges> {
    return this.changes;
  }

  /**
   * The health check node ports of the last build: healthCheckNodePorts of its objects (the
   * same while no two Services share a port, as the API server ensures).
   */
  healthCheckNodePorts(): HealthCheckNodePorts {
    return this.health;
  }

  private state(
    touched: ReadonlyMap<string, ModelGroup | undefined>,
    host: HostFacts,
    config: ProxyModelConfig,
  ): DesiredState {
    const families = new Map<IpFamily, FamilyIndex>();
    const changes = new Map<IpFamily, DesiredFamilyChanges>();
    const state = desiredStateWith(this.node, host, config, (facts) => {
      const text = factsText(facts);
      const kept = this.families.get(facts.family);
      const index = kept?.factsText === text ? kept : new FamilyIndex(facts, text);
      families.set(facts.family, index);
      const result = index.update(index === kept ? touched : this.groups);
      if (result.changes) changes.set(facts.family, result.changes);
      return result.pass;
    });
    this.families = families;
    this.changes = changes;
    this.updateHealth(touched, config.nodeName);
    return state;
  }

  private updateHealth(touched: ReadonlyMap<string, ModelGroup | undefined>, nodeName: string): void {
    let health: Map<number, HealthCheckService> | undefined;
    for (const [key, group] of touched) {
      const before = this.healthOf.get(key);
      const after = group ? healthCheckNodePorts(group.services, group.slices, nodeName) : undefined;
      if (after?.size) this.healthOf.set(key, after);
      else this.healthOf.delete(key);
      if (!before?.size && !after?.size) continue;
      // Copied on the first change: the previous map stays what it was.
      health ??= new Map(this.health);
      for (const port of before?.keys() ?? []) {
        // The API server keeps these ports unique; should two Services share one, the other keeps it.
        const other = [...this.healthOf.values()].find((ports) => ports.has(port))?.get(port);
        if (other) health.set(port, other);
        else health.delete(port);
      }
      for (const [port, service] of after ?? []) health.set(port, service);
    }
    if (health) this.health = health;
  }
}
